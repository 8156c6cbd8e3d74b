"""`hocba sign-external`: the reference client of two-phase signing (prepare → token signs → complete).

`prepare` and `complete` are what a browser plugin's backend calls; `token` plays the USB token with a local
PKCS#12 key so that the whole flow can be tried, and tested, without one.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.serialization import pkcs12

from records import HocbaError, write_atomic
from signer import ExternalSigning, raw_signature
from workflows import sign_into_archive

from .. import wiring
from . import archiving
from .console import out
from .errors import exit_code_for, show
from .signing import P12Opt, TrustOpt, TsaOpt, make_service, p12_key

app = typer.Typer(no_args_is_help=True, help="Two-phase (external token) signing.")
SessionsOpt = Annotated[
    Path, typer.Option("--sessions", help="Folder shared by prepare and complete (when no database is configured)")
]
SessionsDatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--sessions-database",
        envvar="HOCBA_DATABASE",
        help="Keep sessions in this metadata database, so that any host sharing it can complete",
    ),
]


@app.command()
def prepare(
    document: Annotated[Path, typer.Argument()],
    field: Annotated[str, typer.Option("--field")],
    p12: P12Opt = None,
    sessions: SessionsOpt = Path("var/sessions"),
    sessions_database: SessionsDatabaseOpt = None,
    trust: TrustOpt = [],  # noqa: B006
    tsa: TsaOpt = None,
) -> None:
    """Check and lay out the signature; print the session id and the bytes the token must sign (base64)."""
    if p12 is None:
        raise typer.BadParameter(
            "the signer's certificate comes from --p12 in this reference client", param_hint="--p12"
        )
    key = p12_key(p12)
    with make_service(trust, tsa, False) as service, wiring.session_store(sessions_database, sessions) as store:
        try:
            prepared = ExternalSigning(service, store).prepare(
                document.read_bytes(), field, key.certificate, list(key.signer().cert_registry)
            )
        except HocbaError as exc:
            show(exc, str(document))
            raise typer.Exit(exit_code_for(exc)) from None
    sys.stdout.write(
        json.dumps(
            {
                "session_id": prepared.session_id,
                "data_to_sign": base64.b64encode(prepared.data_to_sign).decode(),
                "sha256": prepared.digest,
                "expires_at": prepared.expires_at.isoformat(),
            }
        )
        + "\n"
    )


@app.command()
def token(data: Annotated[str, typer.Argument(help="base64 data to sign")], p12: P12Opt = None) -> None:
    """Play the token: sign base64 data with SHA-256 using the PKCS#12 key; print the signature (base64)."""
    if p12 is None:
        raise typer.BadParameter("--p12 is required", param_hint="--p12")
    password = p12_key(p12).password  # the same password source as every other command
    key, _, _ = pkcs12.load_key_and_certificates(p12.read_bytes(), password)
    signature = raw_signature(key, base64.b64decode(data), "sha256")
    if signature is None:
        raise typer.BadParameter("only RSA and ECDSA keys", param_hint="--p12")
    sys.stdout.write(base64.b64encode(signature).decode() + "\n")


@app.command()
def complete(
    session_id: Annotated[str, typer.Argument()],
    signature: Annotated[str, typer.Option("--signature", help="base64 signature value from the token")],
    output: Annotated[Path, typer.Option("-o", "--output")],
    sessions: SessionsOpt = Path("var/sessions"),
    sessions_database: SessionsDatabaseOpt = None,
    current: Annotated[Path | None, typer.Option("--current", help="The book as it is now (stale check)")] = None,
    trust: TrustOpt = [],  # noqa: B006
    tsa: TsaOpt = None,
    database: archiving.ArchiveDatabaseOpt = None,
    storage: archiving.ArchiveStorageOpt = None,
) -> None:
    """Finish the prepared signature (may run in another process or machine than prepare).

    With --database and --storage the new revision is kept in the archive (on top of --current, which is then
    required) before the output is written, and a book the seal finishes is written to the locked store."""
    with (
        make_service(trust, tsa, False) as service,
        archiving.maybe_opened(database, storage) as archive,
        wiring.session_store(sessions_database, sessions) as store,
    ):
        if archive is not None and current is None:
            raise typer.BadParameter("archiving needs the book as it is now", param_hint="--current")
        parent = current.read_bytes() if current else None

        def finish() -> bytes:
            external = ExternalSigning(service, store)
            return external.complete(session_id, base64.b64decode(signature), parent)

        try:
            signed = finish() if archive is None or parent is None else sign_into_archive(archive, parent, finish)[0]
        except HocbaError as exc:
            show(exc, str(output))
            raise typer.Exit(exit_code_for(exc)) from None
    write_atomic(output, signed)
    out.print(f"Đã ký / signed → {output}")
