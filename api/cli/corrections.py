"""`hocba correction request|approve|refuse|witness|list`: corrections by request, approval, witness and trace."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from archive import (
    DEFAULT_DATABASE,
    DEFAULT_STORAGE,
    ArchiveService,
    CorrectionStatus,
    SqlCorrections,
)
from records import parse_value, write_atomic
from workflows import corrections as correcting

from .. import wiring
from .archiving import DatabaseOpt, StorageOpt
from .console import EXIT_BAD_INPUT, err, out

app = typer.Typer(no_args_is_help=True, help="Corrections: request, approval, witness, trace.")
ById = Annotated[str, typer.Option("--by", help="Staff id of the person acting")]


@contextmanager
def _workflow(database: str, storage: str) -> Iterator[tuple[ArchiveService, SqlCorrections]]:
    with wiring.archive(database, storage) as built:
        yield built.service, built.corrections


def _now() -> datetime:
    return datetime.now(UTC)


@app.command("request")
def request_cmd(
    document: Annotated[str, typer.Option("--document", help="The book's id (HB-…)")],
    changes: Annotated[list[str], typer.Option("--set", help="PATH=VALUE, e.g. subjects[toan].term2=7.0")],
    reason: Annotated[str, typer.Option("--reason")],
    by: ById,
    witness: Annotated[str, typer.Option("--witness", help="Staff id of the designated witness")],
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """File a correction request against a sealed book (the teacher)."""
    assignments = []
    for item in changes:
        path, sep, value = item.partition("=")
        if not sep:
            err.print(f"[red]--set {escape(item)}: cần PATH=VALUE / expected PATH=VALUE[/red]")
            raise typer.Exit(EXIT_BAD_INPUT)
        assignments.append((path.strip(), parse_value(value.strip())))
    with _workflow(database, storage) as (_, corrections):
        done = correcting.request(corrections, document, assignments, reason, by, witness, _now())
    out.print(f"Đã gửi yêu cầu / requested: {done.id}")


@app.command("approve")
def approve_cmd(
    correction: str, by: ById, database: DatabaseOpt = DEFAULT_DATABASE, storage: StorageOpt = DEFAULT_STORAGE
) -> None:
    """Approve a request (the principal, or the deputy acting for them)."""
    with _workflow(database, storage) as (_, corrections):
        correcting.decide(corrections, correction, by, True, None, _now())
    out.print(f"Đã phê duyệt / approved: {correction}")


@app.command("refuse")
def refuse_cmd(
    correction: str,
    by: ById,
    reason: Annotated[str, typer.Option("--reason")],
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Refuse a request, saying why (the principal)."""
    with _workflow(database, storage) as (_, corrections):
        correcting.decide(corrections, correction, by, False, reason, _now())
    out.print(f"Đã từ chối / refused: {correction}")


@app.command("witness")
def witness_cmd(
    correction: str,
    by: ById,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the corrected book and the minutes")],
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Confirm as the designated witness: the corrected book and the minutes are rendered, archived as the next
    version, and written to --out for signing."""
    with _workflow(database, storage) as (archive, corrections):
        done = correcting.witness(archive, corrections, correction, by, _now())
    book = out_dir / f"{done.book.document_id}-v-corrected.pdf"
    minutes = out_dir / f"{done.minutes.document_id}.pdf"
    write_atomic(book, done.book.pdf)
    write_atomic(minutes, done.minutes.pdf)
    out.print(f"Học bạ điều chỉnh / corrected book: {book}")
    out.print(f"Biên bản / minutes: {minutes}")


@app.command("list")
def list_cmd(
    document: Annotated[str | None, typer.Option("--document")] = None,
    status: Annotated[CorrectionStatus | None, typer.Option("--status")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Corrections, oldest first."""
    with _workflow(database, storage) as (_, corrections):
        found = corrections.list(document, status)
    if as_json:
        rows = [{**c.__dict__, "status": c.status.value, "changes": json.loads(c.changes)} for c in found]
        for row in rows:
            row.pop("record_json", None)
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table()
    for column in ("Mã / id", "Học bạ / book", "Trạng thái / status", "Người đề nghị / by", "Lý do / reason"):
        table.add_column(column)
    for c in found:
        table.add_row(c.id, f"{c.document_id} v{c.version}", c.status.value, c.requester_id, c.reason)
    out.print(table)
