"""Stores chosen by URL: `file:///path` (or `file://./relative`) and `s3://KEY:SECRET@HOST:PORT/BUCKET[?secure=true]`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .adapters import FileStore, S3Store
from .errors import StorageConfigError
from .ports import Clock, ObjectStore

DEFAULT_STORAGE = "file://./var/objects"
STORAGE_SCHEMES = ("file", "s3")  # the stores `open_store` opens


def _bad(url: str, why: str) -> StorageConfigError:
    """`why`: no_path, s3_form, scheme."""
    return StorageConfigError(why, shown=url.rsplit("@", maxsplit=1)[-1])  # never echo the secret


def open_store(url: str, clock: Clock | None = None) -> ObjectStore:
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise _bad(url, "no_path")
        return FileStore(Path(path), clock)
    if parts.scheme == "s3":
        bucket = parts.path.strip("/")
        if not (parts.hostname and parts.port and parts.username and parts.password and bucket):
            raise _bad(url, "s3_form")
        secure = parse_qs(parts.query).get("secure", ["false"])[0].lower() in ("1", "true", "yes")
        return S3Store(
            f"{parts.hostname}:{parts.port}",
            unquote(parts.username),
            unquote(parts.password),
            bucket,
            secure=secure,
            clock=clock,
        )
    raise _bad(url, "scheme")
