"""`hocba audit`, `hocba fixity`, `hocba reconcile`: the archivist's commands.

Every command takes `--database` and `--storage` (or HOCBA_DATABASE / HOCBA_STORAGE); the defaults are the
embedded ones under ./var.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pikepdf
import typer
from rich.markup import escape

from archive import (
    DEFAULT_DATABASE,
    DEFAULT_STORAGE,
    ArchiveService,
    sha256_hex,
    upgrade_database,
)
from records import write_atomic
from templates import PlanMissingError, read_identity

from .. import wiring
from .console import EXIT_BAD_INPUT, EXIT_NOT_GENUINE, EXIT_OK, err, out

DatabaseOpt = Annotated[
    str, typer.Option("--database", envvar="HOCBA_DATABASE", help="sqlite:///path.db or postgresql+psycopg://…")
]
StorageOpt = Annotated[
    str, typer.Option("--storage", envvar="HOCBA_STORAGE", help="file:///path or s3://KEY:SECRET@HOST:PORT/BUCKET")
]
TsaOpt = Annotated[str | None, typer.Option("--tsa", envvar="HOCBA_TSA_URL", help="RFC 3161 TSA for anchors")]
# For the commands that archive only when asked (render, sign): both must be given, or set in the environment.
ArchiveDatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", envvar="HOCBA_DATABASE", help="Archive into this catalog (with --storage)"),
]
ArchiveStorageOpt = Annotated[
    str | None,
    typer.Option("--storage", envvar="HOCBA_STORAGE", help="Archive into this store (with --database)"),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]

audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit trail.")
fixity_app = typer.Typer(no_args_is_help=True, help="Re-read stored objects and compare their sha256.")
retention_app = typer.Typer(no_args_is_help=True, help="Write-once locks: renewal of the permanent horizon.")
db_app = typer.Typer(no_args_is_help=True, help="The metadata database: its schema.")


@contextmanager
def opened(database: str, storage: str, tsa: str | None = None) -> Iterator[ArchiveService]:
    """The archive service on the configured database and store (its errors reach the command line's handler)."""
    with wiring.archive(database, storage, tsa) as built:
        yield built.service


@contextmanager
def maybe_opened(database: str | None, storage: str | None) -> Iterator[ArchiveService | None]:
    """The archive when one is configured, else None (commands that archive only on request). Half a
    configuration is refused: a book signed with only --database given would look archived and not be."""
    if (database is None) != (storage is None):
        err.print(
            "[red]Cần cả --database và --storage (hoặc HOCBA_DATABASE và HOCBA_STORAGE) để lưu trữ / "
            "archiving needs both --database and --storage[/red]"
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    if database is None or storage is None:
        yield None
        return
    with opened(database, storage) as archive:
        yield archive


def _emit(as_json: bool, payload: dict[str, Any]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


@audit_app.command("verify")
def audit_verify(
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: Annotated[
        str | None, typer.Option("--storage", envvar="HOCBA_STORAGE", help="Also check the anchors in storage")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Recompute the hash chain and check its anchors. Exit 0 intact, 1 naming the first broken event."""
    with opened(database, storage or DEFAULT_STORAGE) as archive:
        report = archive.verify_audit(with_storage=storage is not None)
    broken = report.broken
    _emit(
        as_json,
        {
            "intact": report.intact,
            "events": report.events,
            "anchors": report.anchors,
            "first_broken_event": broken.seq if broken else None,
            "reason_vi": broken.reason_vi if broken else None,
            "reason_en": broken.reason_en if broken else None,
            "problems": list(report.problems),
        },
    )
    if not as_json:
        if report.intact:
            out.print(
                f"[green]✓ Nhật ký nguyên vẹn / audit trail intact[/green]: {report.events} sự kiện / events, "
                f"{report.anchors} mốc neo / anchors"
            )
        if broken:
            err.print(f"[red]✗ Sự kiện hỏng đầu tiên / first broken event {escape(str(broken))}[/red]")
        for problem in report.problems:
            err.print(f"[red]✗ {escape(problem)}[/red]")
    raise typer.Exit(EXIT_OK if report.intact else EXIT_NOT_GENUINE)


@audit_app.command("anchor")
def audit_anchor(
    database: DatabaseOpt = DEFAULT_DATABASE, storage: StorageOpt = DEFAULT_STORAGE, tsa: TsaOpt = None
) -> None:
    """Pin the chain's head now: an RFC 3161 timestamp (with --tsa) and a write-once object in storage."""
    with opened(database, storage, tsa) as archive:
        anchor = archive.anchor()
    if anchor is None:
        out.print("Nhật ký trống / the audit trail is empty")
    else:
        out.print(f"Đã neo / anchored #{anchor.head_seq} {anchor.head_hash} → {anchor.key()}")


@fixity_app.command("run")
def fixity_run(
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
    sample: Annotated[int | None, typer.Option("--sample", min=1, help="Check a random sample of N objects")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Exit 0 when every object checked is intact; 1 listing the missing, corrupt and tampered ones (another
    version or a delete marker beside the archive's version)."""
    with opened(database, storage) as archive:
        report = archive.fixity(sample)
    _emit(
        as_json,
        {
            "checked": report.checked,
            "intact": report.intact,
            "missing": list(report.missing),
            "corrupt": list(report.corrupt),
            "tampered": list(report.tampered),
        },
    )
    if not as_json:
        colour = "green" if report.intact else "red"
        out.print(
            f"[{colour}]{report.checked} đối tượng đã kiểm / objects checked; thiếu / missing "
            f"{len(report.missing)}; hỏng / corrupt {len(report.corrupt)}; "
            f"bị can thiệp / tampered {len(report.tampered)}[/{colour}]"
        )
        for key in report.missing:
            err.print(f"[red]thiếu / missing: {escape(key)}[/red]")
        for key in report.corrupt:
            err.print(f"[red]hỏng / corrupt: {escape(key)}[/red]")
        for key in report.tampered:
            err.print(f"[red]phiên bản lạ hoặc dấu xoá / foreign version or delete marker: {escape(key)}[/red]")
    raise typer.Exit(EXIT_OK if report.intact else EXIT_NOT_GENUINE)


def reconcile(
    database: DatabaseOpt = DEFAULT_DATABASE, storage: StorageOpt = DEFAULT_STORAGE, as_json: JsonFlag = False
) -> None:
    """Repair what a crash left between storage and database (safe to run at any time, and twice)."""
    with opened(database, storage) as archive:
        report = archive.reconcile()
    _emit(
        as_json,
        {"finished": list(report.finished), "undone": list(report.undone), "orphans": list(report.orphans)},
    )
    if not as_json:
        out.print(
            f"Hoàn tất / finished: {len(report.finished)}; trả về ký tiếp / back to signing: {len(report.undone)}; "
            f"bản ký chưa ghi sổ / unrecorded revisions kept: {len(report.orphans)}"
        )


@retention_app.command("renew")
def retention_renew(
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
    within_years: Annotated[
        int, typer.Option("--within-years", min=1, help="Renew every permanent lock that ends within N years")
    ] = 10,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the locks it would move; change nothing")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Move later the lock of permanent records whose horizon is near (run it yearly); never shortens a lock."""
    with opened(database, storage) as archive:
        renewed = archive.renew(within_years, dry_run=dry_run)
    _emit(as_json, {"dry_run": dry_run, "renewed": list(renewed), "within_years": within_years})
    if not as_json:
        said = "Sẽ gia hạn khóa / locks it would renew" if dry_run else "Đã gia hạn khóa / locks renewed"
        out.print(f"{said}: {len(renewed)}")


@db_app.command("upgrade")
def db_upgrade(database: DatabaseOpt = DEFAULT_DATABASE) -> None:
    """Bring the metadata database to this release's schema (Alembic migrations); safe to run twice."""
    before, after = upgrade_database(database)
    said = "đã là bản mới nhất / already current" if before == after else f"{before or '—'} → {after}"
    out.print(f"Lược đồ cơ sở dữ liệu / database schema: {said}")


def latest(
    book: Annotated[Path, typer.Argument(help="The stale copy of a book (its identity says which book it is)")],
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write the latest revision here (default: replace BOOK)")
    ] = None,
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Write the archive's latest revision of a book (the sealed book once sealed): the repair for a copy that
    went stale (`archive.stale_revision`)."""
    try:
        document_id = read_identity(book.read_bytes())["document_id"]
    except (OSError, PlanMissingError, ValueError, pikepdf.PdfError) as exc:
        where = escape(str(book))
        err.print(f"[red]{where}: không đọc được danh tính học bạ / cannot read the book's identity: {exc}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    with opened(database, storage) as archive:
        data = archive.latest(document_id)
    target = out_path or book
    write_atomic(target, data)
    out.print(
        f"{document_id}: bản mới nhất / latest revision → {escape(str(target))} (sha256 {sha256_hex(data)[:16]}…)"
    )
