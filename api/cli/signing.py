"""`hocba sign`: signing rendered books on disk, one field or a sitting."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from records import HocbaError
from signer import (
    KeyKind,
    KeyReference,
    KeySource,
    Pkcs12KeySource,
    SigningPolicy,
    SigningService,
    load_roots,
)
from workflows.runtime import default_jobs
from workflows.sitting import (
    REMOTE_BATCH,
    Sitting,
    SittingEvent,
    SittingStarted,
    Workers,
    sign_file,
    sign_sitting,
)

from .. import wiring
from . import archiving
from .console import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, err, out, progress
from .errors import exit_code_for, show

P12Opt = Annotated[
    Path | None, typer.Option("--p12", help="PKCS#12 key file; password from HOCBA_P12_PASSWORD or a prompt")
]
TrustOpt = Annotated[
    list[Path], typer.Option("--trust", help="Trusted root certificate(s), PEM or DER (default: HOCBA_TRUST)")
]
TsaOpt = Annotated[str | None, typer.Option("--tsa", envvar="HOCBA_TSA_URL", help="RFC 3161 TSA URL")]


def make_service(trust: list[Path], tsa: str | None, allow_bb: bool, location: str = "") -> SigningService:
    try:
        return SigningService(
            SigningPolicy(
                trust_roots=load_roots(trust or wiring.settings().trust_roots),
                tsa_url=tsa,
                allow_bb=allow_bb,
                location=location,
            )
        )
    except ValueError as exc:
        err.print(f"[red]Cần --tsa (hoặc --allow-bb khi phát triển ngoại tuyến) / {exc}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None


@dataclass(frozen=True)
class RemoteKey:
    """A remote signing service named on the command line."""

    kind: str
    """``csc`` (CSC v1) or ``confirm`` (confirmed in a phone app, the SmartCA style)."""
    url: str
    account: str
    """The CSC credential id, or the user id at the confirming service."""
    batch_size: int = 1


def choose_key(
    p12: Path | None, token: str | None, key_label: str | None, module: str, remote: RemoteKey | None = None
) -> tuple[KeySource, KeyReference | None]:
    """A remote service, a PKCS#11 token, or the PKCS#12 file — whichever the options name — and, for a key
    that another process may open too (a file, a token), its reference (None for a remote service)."""
    if remote is not None:
        return wiring.remote_source(remote.kind, remote.url, remote.account, remote.batch_size), None
    if token is not None:
        _secret("HOCBA_PKCS11_PIN", f"PIN của token / PIN for token {token}")
        reference = KeyReference(KeyKind.TOKEN, token, "HOCBA_PKCS11_PIN", key_label or "", module)
        return reference.open(wiring.secret_from_environment), reference
    if p12 is None:
        err.print("[red]Cần --p12 hoặc --pkcs11-token / --p12 or --pkcs11-token is required[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    return p12_key(p12), KeyReference(KeyKind.FILE, str(p12), _P12_SECRET)


def _secret(name: str, prompt: str) -> None:
    """The secret from the environment, else asked for (never an option: a command line is visible to all). An
    answer is kept in this process's environment, which its worker processes inherit: they open the key from its
    reference and look the secret up there, so it never travels with their work."""
    if os.environ.get(name) is None:
        os.environ[name] = typer.prompt(prompt, hide_input=True)


_P12_SECRET = "HOCBA_P12_PASSWORD"


def p12_key(path: Path) -> Pkcs12KeySource:
    """The PKCS#12 key, its password taken as every command takes it (the environment, else a prompt)."""
    _secret(_P12_SECRET, f"Mật khẩu / password for {path}")
    return Pkcs12KeySource(path, os.environ[_P12_SECRET].encode())


def sign(
    document: Annotated[Path | None, typer.Argument(help="The học bạ to sign")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
    field: Annotated[str | None, typer.Option("--field", help="Signature field, e.g. gvbm.toan, gvcn")] = None,
    batch: Annotated[
        Path | None, typer.Option("--batch", help="Sign every book in this folder that waits for you")
    ] = None,
    acting_as: Annotated[str | None, typer.Option("--as", help="Your staff id (or school:<code> for the seal)")] = None,
    p12: P12Opt = None,
    pkcs11_token: Annotated[
        str | None, typer.Option("--pkcs11-token", help="Token label (PIN: HOCBA_PKCS11_PIN)")
    ] = None,
    pkcs11_key: Annotated[
        str | None, typer.Option("--pkcs11-key", help="Key and certificate label on the token")
    ] = None,
    pkcs11_module: Annotated[
        str | None, typer.Option("--pkcs11-module", help="PKCS#11 module (default: HOCBA_PKCS11_MODULE)")
    ] = None,
    csc_url: Annotated[str | None, typer.Option("--csc-url", help="CSC v1 service (token: HOCBA_CSC_TOKEN)")] = None,
    csc_credential: Annotated[str | None, typer.Option("--csc-credential", help="CSC credential id")] = None,
    confirm_url: Annotated[
        str | None,
        typer.Option("--confirm-url", help="Remote signing confirmed in a phone app (token: HOCBA_CONFIRM_TOKEN)"),
    ] = None,
    confirm_user: Annotated[str | None, typer.Option("--confirm-user", help="Your user id at that service")] = None,
    trust: TrustOpt = [],  # noqa: B006 - typer reads the default, never mutates it
    tsa: TsaOpt = None,
    allow_bb: Annotated[bool, typer.Option("--allow-bb", help="No timestamp (offline development only)")] = False,
    database: archiving.ArchiveDatabaseOpt = None,
    storage: archiving.ArchiveStorageOpt = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", min=0, help="--batch: signing processes, this one included (0: a core each for --p12, else 1)"
        ),
    ] = 0,
) -> None:
    """Sign one field of one book, or (`--batch DIR --as ID`) every book whose next field is yours.

    With --database and --storage every new revision is kept in the archive before the file is replaced, and a
    book the seal finishes is written to the locked store."""
    remote = None
    settings = wiring.settings()
    confirm_url, csc_url = confirm_url or settings.confirm_url, csc_url or settings.csc_url
    if confirm_url and confirm_user:
        # A sitting sends the hashes of the books in flight together: one confirmation on the phone for them all.
        remote = RemoteKey("confirm", confirm_url, confirm_user, REMOTE_BATCH if batch is not None else 1)
    elif csc_url and csc_credential:
        remote = RemoteKey("csc", csc_url, csc_credential)  # pyHanko's CSC batch waits until it is full
    module = pkcs11_module or settings.pkcs11_module
    key, reference = choose_key(p12, pkcs11_token, pkcs11_key, module, remote)
    with make_service(trust, tsa, allow_bb) as service, archiving.maybe_opened(database, storage) as archive:
        try:
            service.connect(key)  # a remote source fetches its certificate; a local one has nothing to do
        except HocbaError as exc:
            show(exc, str(document or Path(".")))
            raise typer.Exit(exit_code_for(exc)) from None
        if batch is not None:
            if acting_as is None:
                err.print("[red]--batch cần --as STAFF_ID / --batch needs --as STAFF_ID[/red]")
                raise typer.Exit(EXIT_BAD_INPUT)
            try:
                _ = key.certificate  # a wrong password or PIN stops the sitting here, before any worker starts
            except HocbaError as exc:
                show(exc, str(p12 or Path(pkcs11_token or ".")))
                raise typer.Exit(exit_code_for(exc)) from None
            sitting = Sitting(batch, acting_as, archive)
            # Every core for a key file; a token or a remote service is used from this process unless asked.
            jobs = jobs or (default_jobs() if key.kind is KeyKind.FILE else 1)
            workers = None
            if reference is not None and jobs > 1:
                workers = Workers(jobs, reference, wiring.secret_from_environment, wiring.prepare_worker)
            with _sitting_progress() as draw:
                result = sign_sitting(sitting, service, key, workers, draw)
            out.print(json.dumps(result.counts()))
            raise typer.Exit(EXIT_INTERNAL if result.failed else EXIT_OK)
        if document is None or field is None:
            err.print("[red]Cần tệp và --field / a document and --field are required[/red]")
            raise typer.Exit(EXIT_BAD_INPUT)
        try:
            sealed = sign_file(service, document, output or document, field, key, acting_as, archive)
        except HocbaError as exc:
            show(exc, str(document))
            raise typer.Exit(exit_code_for(exc)) from None
        out.print(f"Đã ký / signed {field} → {output or document}")
        if sealed is not None:
            out.print(f"Đã lưu trữ bản niêm phong / sealed into the archive: {sealed.sealed_key}")


@contextmanager
def _sitting_progress() -> Iterator[Callable[[SittingEvent], None]]:
    """A sitting's events drawn as a progress bar, each failed book printed with its code."""
    with progress() as bar:
        task = None

        def draw(event: SittingEvent) -> None:
            nonlocal task
            if isinstance(event, SittingStarted):
                task = bar.add_task(f"Ký số / signing as {event.signer_id}", total=event.total)
                return
            if event.error is not None:
                show(event.error, event.book)
            elif event.detail is not None:
                err.print(f"[red]{escape(event.book)}: {escape(event.detail)}[/red]")
            if task is not None:
                bar.advance(task)

        yield draw
