"""The composition root: what the faces build from `Settings`, in one place."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from asn1crypto import x509
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from archive import (
    ArchiveService,
    DocumentVersion,
    OidcProvider,
    RfcTimestamper,
    SqlAccounts,
    SqlBookIndex,
    SqlCatalog,
    SqlCorrections,
    SqlDisposals,
    SqlHolds,
    SqlJobs,
    SqlSessionStore,
    open_database,
    open_store,
)
from records import HocbaError
from signer import (
    ConfirmAndPollKeySource,
    CscKeySource,
    FileSessionStore,
    KeyKind,
    KeyReference,
    KeySource,
    SessionStore,
    SigningPolicy,
    SigningService,
    install_speedups,
    load_roots,
    use_cache_dir,
)
from signer.errors import KeySourceError
from templates import RenderOptions
from workflows import AccountBook, FederatedSignIn, FederationOffError, LoginPolicy
from workflows.disposition import Sealer, school_sealer
from workflows.federation import SECOND_FACTOR_METHODS
from workflows.jobs import JobTools
from workflows.sitting import REMOTE_BATCH

from .reports import check_as_json
from .settings import Settings, SettingsError


def start(settings: Settings) -> None:
    """Configure the packages from the settings, once per process (the command line and each of its workers)."""
    install_speedups()
    if settings.cache_dir is not None:
        use_cache_dir(settings.cache_dir)


def settings() -> Settings:
    """The command line's settings: its environment, read when asked (a command runs once per process, and a
    test runner changes the environment between commands)."""
    return Settings.from_env()


def prepare_worker() -> None:
    """Ready a worker process of a sitting with the settings of the command that started it (its environment is
    the command's, checked there)."""
    start(Settings.from_env())


def secret_from_environment(name: str) -> str | None:
    """The secret lookup of the command line and its worker processes: the process's environment (set by the
    deployment, or by the command from a prompt before its workers start)."""
    return os.environ.get(name)


def readiness(settings: Settings) -> dict[str, str]:
    """Whether each component the service needs answers now: "ok", or the error code of what failed."""
    checks: dict[str, str] = {}
    try:
        engine = open_database(settings.database)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
        checks["database"] = "ok"
    except HocbaError as exc:
        checks["database"] = exc.code
    except SQLAlchemyError:
        checks["database"] = "archive.database_unavailable"
    try:
        open_store(settings.storage).exists("readyz")
        checks["storage"] = "ok"
    except HocbaError as exc:
        checks["storage"] = exc.code
    return checks


@dataclass(frozen=True)
class Archive:
    """The archive service and the corrections ledger on one database, built together."""

    service: ArchiveService
    corrections: SqlCorrections
    holds: SqlHolds
    disposals: SqlDisposals


@contextmanager
def archive(database: str, storage: str, tsa: str | None = None) -> Iterator[Archive]:
    """The archive on `database` and `storage` for the length of the block; archive errors pass through (each
    face chooses what they mean to its users)."""
    engine = open_database(database)
    try:
        yield Archive(
            ArchiveService(open_store(storage), SqlCatalog(engine), timestamper=RfcTimestamper(tsa)),
            SqlCorrections(engine),
            SqlHolds(engine),
            SqlDisposals(engine),
        )
    finally:
        engine.dispose()


def sealed_version(database: str, sha256: str) -> DocumentVersion | None:
    """What the archive at `database` knows of the sealed book with these bytes (no store needed)."""
    engine = open_database(database)
    try:
        return SqlCatalog(engine).find_sealed(sha256)
    finally:
        engine.dispose()


@contextmanager
def accounts(database: str, policy: LoginPolicy | None = None) -> Iterator[AccountBook]:
    """The account use cases on `database` for the length of the block."""
    engine = open_database(database)
    try:
        yield AccountBook(SqlAccounts(engine), policy or LoginPolicy())
    finally:
        engine.dispose()


@contextmanager
def session_store(database: str | None, folder: Path) -> Iterator[SessionStore]:
    """Where two-phase signatures wait: the metadata database when one is configured (any host sharing it can
    complete), else files in `folder` (one host)."""
    if database is None:
        yield FileSessionStore(folder)
        return
    engine = open_database(database)
    try:
        yield SqlSessionStore(engine)
    finally:
        engine.dispose()


def remote_source(
    kind: str, url: str, account: str, batch_size: int, on_answer: Callable[[str], None] | None = None
) -> KeySource:
    """A remote signing service's key: `confirm` (confirmed in the signer's phone app; the service's token
    `HOCBA_CONFIRM_TOKEN`) or `csc` (CSC v1; `HOCBA_CSC_TOKEN`, `HOCBA_CSC_PIN`), its credentials from the
    environment. The command line and the jobs open them here alike."""
    if kind == "confirm":
        token = secret_from_environment("HOCBA_CONFIRM_TOKEN")
        return ConfirmAndPollKeySource(url, account, token=token, batch_size=batch_size, on_status=on_answer)
    pin, token = secret_from_environment("HOCBA_CSC_PIN"), secret_from_environment("HOCBA_CSC_TOKEN")
    return CscKeySource(url, account, pin=pin, oauth_token=token, batch_size=batch_size)


def remote_key(settings: Settings, params: dict[str, Any], on_answer: Callable[[str], None] | None = None) -> KeySource:
    """The key a job names: `{"kind": "confirm", "account": …}` (confirmed in the signer's phone app),
    `{"kind": "csc", "account": <credential id>}`, or `{"kind": "seal"}` (the school's organisation key the
    settings name); the service's credentials and the seal's secret come from the environment. `on_answer` is
    told how the signer answers on the phone (`pending` until they do)."""
    kind, account = str(params.get("kind")), str(params.get("account"))
    if kind == "confirm":
        if settings.confirm_url is None:
            raise KeySourceError("remote_unconfigured", kind=kind, variable="HOCBA_CONFIRM_URL")
        return remote_source(kind, settings.confirm_url, account, REMOTE_BATCH, on_answer)
    if kind == "csc":
        if settings.csc_url is None:
            raise KeySourceError("remote_unconfigured", kind=kind, variable="HOCBA_CSC_URL")
        return remote_source(kind, settings.csc_url, account, 1)
    if kind == "seal":
        return seal_reference(settings).open(secret_from_environment)
    raise KeySourceError("remote_unconfigured", kind=kind, variable="key.kind")


def seal_reference(settings: Settings) -> KeyReference:
    """The school's organisation key the settings name (`HOCBA_SEAL_KEY`), its secret `HOCBA_SEAL_SECRET`."""
    if settings.seal_key is None:
        raise KeySourceError("remote_unconfigured", kind="seal", variable="HOCBA_SEAL_KEY")
    scheme, _, rest = settings.seal_key.partition(":")
    if scheme == "file":
        return KeyReference(KeyKind.FILE, rest, "HOCBA_SEAL_SECRET")
    token, _, key = rest.partition("/")
    return KeyReference(KeyKind.TOKEN, token, "HOCBA_SEAL_SECRET", key, settings.pkcs11_module)


def signing_policy(settings: Settings, roots: list[x509.Certificate]) -> SigningPolicy:
    """The service's signing policy: every signature it makes or completes is timestamped (`HOCBA_TSA_URL`)."""
    if not settings.tsa_url:
        raise SettingsError("tsa", variable="HOCBA_TSA_URL")
    return SigningPolicy(trust_roots=tuple(roots), tsa_url=settings.tsa_url)


class Services:
    """What a long-running face (the HTTP service, a worker) uses on every request: one engine on the metadata
    database, opened on first use (the service starts, and says it is not ready, while the database is down),
    and the use cases built on it."""

    def __init__(self, settings: Settings, policy: LoginPolicy | None = None) -> None:
        self.settings = settings
        self.policy = policy or LoginPolicy()
        self._engine: Engine | None = None
        self._signing: SigningService | None = None
        self._roots: list[x509.Certificate] | None = None
        self._provider: OidcProvider | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = open_database(self.settings.database)
            return self._engine

    def trust_roots(self) -> list[x509.Certificate]:
        """The settings' trust roots, read once (a bad file is refused at the first use: the service's start)."""
        with self._lock:
            if self._roots is None:
                self._roots = list(load_roots(self.settings.trust_roots))
            return self._roots

    def render_options(self) -> RenderOptions:
        return RenderOptions(verify_url=self.settings.verify_url)

    def accounts(self) -> AccountBook:
        return AccountBook(SqlAccounts(self.engine), self.policy)

    def books(self) -> SqlBookIndex:
        return SqlBookIndex(self.engine)

    def federation(self, redirect_uri: str) -> FederatedSignIn:
        """Signing in through the school's identity provider (`HOCBA_OIDC_*`; its client secret from the
        environment), returning to `redirect_uri` unless the settings name the registered address."""
        settings = self.settings
        if settings.oidc_issuer is None or settings.oidc_client_id is None:
            raise FederationOffError()
        with self._lock:
            if self._provider is None:
                secret = secret_from_environment("HOCBA_OIDC_SECRET")
                timeout = settings.fetch_timeout
                self._provider = OidcProvider(settings.oidc_issuer, settings.oidc_client_id, secret, timeout)
        return FederatedSignIn(
            self.accounts(),
            self._provider,
            settings.oidc_redirect or redirect_uri,
            settings.oidc_second_factor or SECOND_FACTOR_METHODS,
        )

    def archive(self) -> ArchiveService:
        settings = self.settings
        return ArchiveService(
            open_store(settings.storage), SqlCatalog(self.engine), timestamper=RfcTimestamper(settings.tsa_url)
        )

    def signing(self) -> SigningService:
        """The service's own signing service (two-phase signatures completed here): one, kept while it runs."""
        roots = self.trust_roots()
        with self._lock:
            if self._signing is None:
                self._signing = SigningService(signing_policy(self.settings, roots))
            return self._signing

    def school_seal(self) -> Sealer:
        """The school's seal on a document the service makes (a certificate of destruction): its organisation key
        (HOCBA_SEAL_KEY), opened now, so that a missing key is refused before anything is done."""
        return school_sealer(self.signing(), remote_key(self.settings, {"kind": "seal"}))

    def sessions(self) -> SqlSessionStore:
        """Where two-phase signatures wait between prepare and complete (any process sharing the database)."""
        return SqlSessionStore(self.engine)

    def jobs(self) -> SqlJobs:
        return SqlJobs(self.engine)

    def job_tools(self) -> JobTools:
        """What jobs need, in the process that runs them (secrets from its environment)."""
        settings = self.settings
        roots = self.trust_roots()
        return JobTools(
            jobs=self.jobs(),
            archive=self.archive,
            signing=lambda: SigningService(signing_policy(settings, roots)),
            remote_key=partial(remote_key, settings),
            trust_roots=lambda: roots,
            exports=settings.exports,
            report=check_as_json,
            render_options=self.render_options(),
        )

    def close(self) -> None:
        with self._lock:
            if self._signing is not None:
                self._signing.close()
                self._signing = None
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
