"""The settings every face starts from: read once from the environment, checked, frozen. A missing or malformed
value is refused at start-up naming its variable, before any command has done anything."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from archive import DEFAULT_DATABASE, DEFAULT_STORAGE, STORAGE_SCHEMES, DatabaseConfigError, database_backend
from records import HocbaError, register_wording
from signer import DEFAULT_PKCS11_MODULE
from templates import DEFAULT_VERIFY_URL

from .messages import WORDING

_LOOPBACK = ("localhost", "127.0.0.1", "::1")


class SettingsError(HocbaError):
    code = "settings.invalid"


register_wording(WORDING)


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
    trust_roots: tuple[Path, ...] = ()
    """`HOCBA_TRUST`: the trusted root certificates (PEM or DER files, separated by `:`), used where a command is
    given no `--trust`."""
    pkcs11_module: str = DEFAULT_PKCS11_MODULE
    """`HOCBA_PKCS11_MODULE`: the PKCS#11 library of the school's tokens or HSM."""
    csc_url: str | None = None
    """`HOCBA_CSC_URL`: the CSC v1 remote-signing service (credentials: `HOCBA_CSC_TOKEN`, `HOCBA_CSC_PIN`)."""
    confirm_url: str | None = None
    """`HOCBA_CONFIRM_URL`: the remote signing service confirmed in a phone app (token: `HOCBA_CONFIRM_TOKEN`)."""
    public_rate: int = 30
    """`HOCBA_PUBLIC_RATE`: requests a minute each address may make to the public check."""
    public_status_rate: int = 600
    """`HOCBA_PUBLIC_STATUS_RATE`: status lookups (a QR code's link) a minute each address may make."""
    fetch_timeout: float = 3.0
    """`HOCBA_FETCH_TIMEOUT`: seconds an online check waits for one OCSP, CRL or certificate answer."""
    broker: str | None = None
    """`HOCBA_BROKER`: Celery's broker (`amqp://…`, RabbitMQ) for jobs run by `hocba worker`; None runs jobs in
    threads of the service's own process."""
    seal_key: str | None = None
    """`HOCBA_SEAL_KEY`: the school's organisation key for seal sittings: `file:/path/seal.p12` or
    `pkcs11:TOKEN[/KEY]` (its password or PIN in `HOCBA_SEAL_SECRET`)."""
    queue: str = "hocba.jobs"
    """`HOCBA_QUEUE`: the broker's queue of this installation's jobs."""
    job_threads: int = 2
    """`HOCBA_JOB_THREADS`: jobs run at once in the service's own process (without a broker)."""
    exports: Path = Path("var/exports")
    """`HOCBA_EXPORTS`: where export jobs write their bags (shared by the service and its workers)."""
    signing_plugin: str = "http://127.0.0.1:14407"
    """`HOCBA_SIGNING_PLUGIN`: where a signer's browser reaches the local signing plug-in of their USB token
    (the pages hand it the hash and send back its signature)."""
    signing_deadline: str = "07-31"
    """`HOCBA_SIGNING_DEADLINE`: month and day (MM-DD, in the year a school year ends) by which its books should
    be sealed; the province's page names the schools still signing after it."""
    oidc_issuer: str | None = None
    """`HOCBA_OIDC_ISSUER`: the school's OpenID Connect identity provider, for signing in through it (its client
    registration: `HOCBA_OIDC_CLIENT_ID`, and the secret in `HOCBA_OIDC_SECRET`); None: passwords only."""
    oidc_client_id: str | None = None
    """`HOCBA_OIDC_CLIENT_ID`: this service's client id at the identity provider."""
    oidc_redirect: str | None = None
    """`HOCBA_OIDC_REDIRECT`: the address the provider sends the browser back to, as registered there
    (`https://…/v1/auth/oidc/callback`); None: this address as the browser reached it."""
    oidc_second_factor: frozenset[str] | None = None
    """`HOCBA_OIDC_SECOND_FACTOR`: the provider's `amr` values that count as a second factor (comma-separated);
    None: `mfa, otp, hwk, swk, sc`."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        settings = cls(
            database=env.get("HOCBA_DATABASE") or DEFAULT_DATABASE,
            storage=env.get("HOCBA_STORAGE") or DEFAULT_STORAGE,
            tsa_url=env.get("HOCBA_TSA_URL") or None,
            verify_url=env.get("HOCBA_VERIFY_URL") or DEFAULT_VERIFY_URL,
            cache_dir=Path(env["HOCBA_CACHE"]) if env.get("HOCBA_CACHE") else None,
            trust_roots=tuple(Path(p) for p in (env.get("HOCBA_TRUST") or "").split(os.pathsep) if p),
            pkcs11_module=env.get("HOCBA_PKCS11_MODULE") or DEFAULT_PKCS11_MODULE,
            csc_url=env.get("HOCBA_CSC_URL") or None,
            confirm_url=env.get("HOCBA_CONFIRM_URL") or None,
            public_rate=_count(env, "HOCBA_PUBLIC_RATE", 30),
            public_status_rate=_count(env, "HOCBA_PUBLIC_STATUS_RATE", 600),
            fetch_timeout=_seconds(env, "HOCBA_FETCH_TIMEOUT", 3.0),
            broker=env.get("HOCBA_BROKER") or None,
            seal_key=env.get("HOCBA_SEAL_KEY") or None,
            queue=env.get("HOCBA_QUEUE") or "hocba.jobs",
            job_threads=_count(env, "HOCBA_JOB_THREADS", 2),
            exports=Path(env.get("HOCBA_EXPORTS") or "var/exports"),
            signing_plugin=env.get("HOCBA_SIGNING_PLUGIN") or "http://127.0.0.1:14407",
            signing_deadline=env.get("HOCBA_SIGNING_DEADLINE") or "07-31",
            oidc_issuer=env.get("HOCBA_OIDC_ISSUER") or None,
            oidc_client_id=env.get("HOCBA_OIDC_CLIENT_ID") or None,
            oidc_redirect=env.get("HOCBA_OIDC_REDIRECT") or None,
            oidc_second_factor=_words(env, "HOCBA_OIDC_SECOND_FACTOR"),
        )
        settings.check()
        return settings

    def check(self) -> None:
        # The archive's own rules, checked without connecting; their messages are not reused, since they show
        # part of the value. A refusal names the variable, never its value: it may carry a password or a key.
        try:
            database_backend(self.database)
        except DatabaseConfigError:
            raise SettingsError("database", variable="HOCBA_DATABASE") from None
        if urlsplit(self.storage).scheme not in STORAGE_SCHEMES:
            raise SettingsError("storage", variable="HOCBA_STORAGE")
        for root in self.trust_roots:
            if not root.is_file():
                raise SettingsError("file", variable="HOCBA_TRUST", path=str(root))
        urls = (
            ("HOCBA_TSA_URL", self.tsa_url),
            ("HOCBA_VERIFY_URL", self.verify_url),
            ("HOCBA_CSC_URL", self.csc_url),
            ("HOCBA_CONFIRM_URL", self.confirm_url),
            ("HOCBA_OIDC_ISSUER", self.oidc_issuer),
            ("HOCBA_OIDC_REDIRECT", self.oidc_redirect),
            ("HOCBA_SIGNING_PLUGIN", self.signing_plugin),
        )
        if not _month_day(self.signing_deadline):
            raise SettingsError("deadline", variable="HOCBA_SIGNING_DEADLINE")
        if self.seal_key is not None and not self.seal_key.startswith(("file:", "pkcs11:")):
            raise SettingsError("seal_key", variable="HOCBA_SEAL_KEY")
        if self.broker is not None and urlsplit(self.broker).scheme not in ("amqp", "amqps", "pyamqp"):
            raise SettingsError("broker", variable="HOCBA_BROKER")
        for name, url in urls:
            if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname):
                raise SettingsError("url", variable=name)
        if self.oidc_issuer is not None:
            if not self.oidc_client_id:
                raise SettingsError("oidc_client", variable="HOCBA_OIDC_CLIENT_ID")
            # Codes and ID tokens travel in these answers: in clear only on this machine's loopback.
            parts = urlsplit(self.oidc_issuer)
            if parts.scheme != "https" and parts.hostname not in _LOOPBACK:
                raise SettingsError("https", variable="HOCBA_OIDC_ISSUER")


def _seconds(env: Mapping[str, str], variable: str, default: float) -> float:
    text = env.get(variable)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError("seconds", variable=variable) from None
    if not 0 < value <= 600:
        raise SettingsError("seconds", variable=variable)
    return value


def _words(env: Mapping[str, str], variable: str) -> frozenset[str] | None:
    found = frozenset(word.strip() for word in (env.get(variable) or "").split(",") if word.strip())
    return found or None


def _count(env: Mapping[str, str], variable: str, default: int) -> int:
    text = env.get(variable)
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise SettingsError("count", variable=variable)
    return int(text)


def _month_day(text: str) -> bool:
    """`MM-DD`, a day that exists in a leap year."""
    try:
        datetime.strptime(f"2028-{text}", "%Y-%m-%d")
    except ValueError:
        return False
    return len(text) == 5
