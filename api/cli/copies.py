"""`hocba copy request|check|issue|refuse|revoke|list`: certified copies at the school's counter, for schools
without the web pages. The designated signer's key is a PKCS#12 file (`--p12`, its password in
`HOCBA_P12_PASSWORD` or a prompt); the school's seal is the organisation key the settings name (`HOCBA_SEAL_KEY`,
its secret in `HOCBA_SEAL_SECRET`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from archive import DEFAULT_DATABASE, DEFAULT_STORAGE, ArchiveService, SqlCopies, SqlCorrections
from records import Asker, CopyForm, CopySigner, Requester, write_atomic
from workflows import copies as desk
from workflows.copy_register import register_files

from .. import wiring
from .archiving import DatabaseOpt, StorageOpt
from .console import out
from .signing import P12Opt, TrustOpt, TsaOpt, make_service, p12_key

app = typer.Typer(no_args_is_help=True, help="Certified copies: request, identity check, issue, refusal, register.")
ClerkOpt = Annotated[str, typer.Option("--by", help="Who acts (the clerk's username or staff id)")]


@contextmanager
def _desk(
    database: str, storage: str, tsa: str | None = None
) -> Iterator[tuple[ArchiveService, SqlCopies, SqlCorrections]]:
    with wiring.archive(database, storage, tsa) as built:
        yield built.service, SqlCopies(built.corrections.engine), built.corrections


def _now() -> datetime:
    return datetime.now(UTC)


def _show(entry_id: str, status: str, reason: str | None = None) -> None:
    out.print(f"{escape(entry_id)}: {status}" + (f" — {escape(reason)}" if reason else ""))


@app.command("request")
def request_cmd(
    document: Annotated[str, typer.Option("--document", help="The book's id (HB-…)")],
    school: Annotated[str, typer.Option("--school", help="The school's code (the archive's keeper)")],
    name: Annotated[str, typer.Option("--name", help="Full name of the person asking")],
    kind: Annotated[Requester, typer.Option("--asker", help="Who asks")] = Requester.STUDENT,
    relationship: Annotated[str, typer.Option("--relationship", help="To the student, or the authorisation")] = "",
    deceased: Annotated[bool, typer.Option("--student-deceased", help="A relative asks: proof seen")] = False,
    form: Annotated[CopyForm, typer.Option("--form")] = CopyForm.SAO_Y,
    pages: Annotated[str, typer.Option("--pages", help="TRÍCH SAO: the original's pages, e.g. 1,3")] = "",
    by: ClerkOpt = "console",
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Record a request (entered at the counter). One that cannot be met is refused at once, with the reason."""
    asker = Asker(kind, name, relationship, student_deceased=deceased)
    chosen = tuple(int(n) for n in pages.split(",") if n.strip().isdigit())
    with _desk(database, storage) as (_, register, books):
        entry = desk.ask(register, books, school, document, asker, form, _now(), chosen, actor=by)
    _show(entry.id, entry.status.value, entry.reason)


@app.command("check")
def check_cmd(
    request: str,
    identity_document: Annotated[str, typer.Option("--identity-document", help="Kind and number, e.g. CCCD …")],
    by: ClerkOpt = "console",
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Record the identity document checked at the counter (and the proof of relationship, when asked)."""
    with _desk(database, storage) as (_, register, _books):
        entry = register.check(request, identity_document, _now(), by)
    _show(entry.id, entry.status.value)


@app.command("issue")
def issue_cmd(
    request: str,
    signer: Annotated[str, typer.Option("--signer", help="Staff id of the person designated to sign copies")],
    signer_name: Annotated[str, typer.Option("--signer-name", help="Their full name, as in their certificate")],
    signer_title: Annotated[str, typer.Option("--signer-title", help='e.g. "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG"')],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the issued copy")],
    p12: P12Opt = None,
    abbreviation: Annotated[str, typer.Option("--abbr", help="The school's mark in the number (default: code)")] = "",
    place: Annotated[str, typer.Option("--place", help="Place in the date line (default: the province)")] = "",
    printable: Annotated[bool, typer.Option("--printable", help="To be printed: the cross-page seal drawn")] = False,
    trust: TrustOpt = [],  # noqa: B006 - typer reads the default
    tsa: TsaOpt = None,
    by: ClerkOpt = "console",
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Issue the copy: numbered, rendered, signed by the designated signer, sealed with the school's key
    (HOCBA_SEAL_KEY), kept in the archive, written to --output."""
    if p12 is None:
        raise typer.BadParameter("--p12 is required", param_hint="--p12")
    settings = wiring.settings()
    with _desk(database, storage, tsa) as (archive, register, books):
        school = register.get(request).school_code
        keys = {
            signer: p12_key(p12),
            f"school:{school}": wiring.seal_reference(settings).open(wiring.secret_from_environment),
        }
        with make_service(trust, tsa, allow_bb=False) as service:
            issued = desk.issue(
                archive,
                register,
                books,
                service,
                request,
                CopySigner(signer, signer_name, signer_title),
                keys,
                abbreviation or school,
                by,
                _now(),
                place,
                printable=printable,
            )
    write_atomic(output, issued.outcome.pdf)
    entry = issued.entry
    out.print(f"{escape(entry.id)}: {entry.status.value} — {escape(entry.copy_id or '')} → {output}")


@app.command("refuse")
def refuse_cmd(
    request: str,
    reason: Annotated[str, typer.Option("--reason", help="The written reason the asker receives")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the letter to the asker")] = None,
    by: ClerkOpt = "console",
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Refuse a request in writing, with the reason (the letter to the asker written to --output)."""
    with _desk(database, storage) as (_, register, _books):
        entry = register.refuse(request, reason, _now(), by)
        if output is not None:
            write_atomic(output, desk.refusal_letter(register, request))
    _show(entry.id, entry.status.value, entry.reason)


@app.command("deliver")
def deliver_cmd(
    request: str,
    how: Annotated[str, typer.Option("--how", help="printed, download or post")] = "printed",
    by: ClerkOpt = "console",
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Record how an issued copy was handed over."""
    with _desk(database, storage) as (_, register, _books):
        entry = register.deliver(request, how, _now(), by)
    _show(entry.id, f"{entry.status.value}, {entry.delivery}")


@app.command("revoke")
def revoke_cmd(
    request: str,
    reason: Annotated[str, typer.Option("--reason")],
    by: ClerkOpt = "console",
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Revoke an issued copy (issued in error); it stays kept and its public check says so."""
    with _desk(database, storage) as (_, register, _books):
        entry = register.revoke(request, reason, _now(), by)
    _show(entry.id, entry.status.value, entry.reason)


@app.command("register")
def register_cmd(
    school: Annotated[str, typer.Option("--school")],
    year: Annotated[int, typer.Option("--year", help="Calendar year of the numbers")],
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write the register as a workbook")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the register as PDF/A")] = None,
    abbreviation: Annotated[str, typer.Option("--abbr", help="The school's mark in the numbers")] = "",
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """The year's copy register (sổ cấp bản sao) as a workbook and/or PDF/A."""
    with _desk(database, storage) as (_, register, _books):
        sheet, document = register_files(register, school, register.school_name(school), year, abbreviation)
    for path, data in ((xlsx, sheet), (pdf, document)):
        if path is not None:
            write_atomic(path, data)
            out.print(f"{path}")


@app.command("list")
def list_cmd(
    school: Annotated[str | None, typer.Option("--school")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Calendar year of the numbers")] = None,
    document: Annotated[str | None, typer.Option("--document")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """The copy register (sổ cấp bản sao): every request, its number, form, asker and decision."""
    with _desk(database, storage) as (_, register, _books):
        found = register.entries(school, year, document)
    if as_json:
        rows = [
            {
                "request": e.id,
                "status": e.status.value,
                "number": e.number,
                "year": e.number_year,
                "form": e.form,
                "document_id": e.document_id,
                "version": e.version,
                "copy_id": e.copy_id,
                "asker": e.asker,
                "signer": e.signer_id,
                "reason": e.reason,
                "requested_at": e.requested_at.isoformat(),
            }
            for e in found
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("request", "status", "number", "form", "book", "asker", "copy")
    for e in found:
        number = f"{e.number}/{e.number_year}" if e.number else ""
        asker = f"{e.asker.get('full_name')} ({e.asker.get('kind')})"
        table.add_row(e.id, e.status.value, number, e.form, e.document_id, escape(asker), e.copy_id or "")
    out.print(table)
