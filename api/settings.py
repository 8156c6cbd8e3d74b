"""The settings every face starts from: read once from the environment, checked, frozen. A missing or malformed
value is refused at start-up naming its variable, before any command has done anything."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from archive import DEFAULT_DATABASE, DEFAULT_STORAGE, STORAGE_SCHEMES, DatabaseConfigError, database_backend
from records import HocbaError
from templates import DEFAULT_VERIFY_URL


class SettingsError(HocbaError):
    code = "settings.invalid"


@dataclass(frozen=True)
class Settings:
    database: str = DEFAULT_DATABASE
    """`HOCBA_DATABASE`: `sqlite:///path.db` or `postgresql+psycopg://…`."""
    storage: str = DEFAULT_STORAGE
    """`HOCBA_STORAGE`: `file:///path` or `s3://KEY:SECRET@HOST:PORT/BUCKET`."""
    tsa_url: str | None = None
    """`HOCBA_TSA_URL`: the RFC 3161 TSA (signatures, archive timestamps, audit anchors)."""
    verify_url: str = DEFAULT_VERIFY_URL
    """`HOCBA_VERIFY_URL`: the base of the QR code's verification link."""
    cache_dir: Path | None = None
    """`HOCBA_CACHE`: where the stamp font's subset is kept between processes (None: the signer's own default,
    a folder in the temp directory)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        settings = cls(
            database=env.get("HOCBA_DATABASE") or DEFAULT_DATABASE,
            storage=env.get("HOCBA_STORAGE") or DEFAULT_STORAGE,
            tsa_url=env.get("HOCBA_TSA_URL") or None,
            verify_url=env.get("HOCBA_VERIFY_URL") or DEFAULT_VERIFY_URL,
            cache_dir=Path(env["HOCBA_CACHE"]) if env.get("HOCBA_CACHE") else None,
        )
        settings.check()
        return settings

    def check(self) -> None:
        # The archive's own rules, checked without connecting; their messages are not reused, since they show
        # part of the value.
        try:
            database_backend(self.database)
        except DatabaseConfigError:
            raise _bad(
                "HOCBA_DATABASE",
                "cần sqlite:///… hoặc postgresql+psycopg://…",
                "expected sqlite:///… or postgresql+psycopg://…",
            ) from None
        if urlsplit(self.storage).scheme not in STORAGE_SCHEMES:
            raise _bad("HOCBA_STORAGE", "cần file:///… hoặc s3://…", "expected file:///… or s3://…")
        for name, url in (("HOCBA_TSA_URL", self.tsa_url), ("HOCBA_VERIFY_URL", self.verify_url)):
            if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname):
                raise _bad(name, "cần một địa chỉ http(s)://…", "expected an http(s):// address")


def _bad(variable: str, why_vi: str, why_en: str) -> SettingsError:
    # The value itself is never echoed: it may carry a password or a secret key.
    return SettingsError(f"Biến môi trường {variable} không hợp lệ: {why_vi}", f"{variable} is not valid: {why_en}")
