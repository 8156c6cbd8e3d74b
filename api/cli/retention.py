"""`hocba retention hold|release|holds|review|dispose|retimestamp|evidence|report`: legal holds, disposition, the
renewal of archive timestamps (and of the evidence records of books that cannot carry one) and the retention
report from the console. A hold is placed by one person and
released by two (`release` asks; `release --approve`, by someone else, ends it). Every command prints JSON with
`--json`; `hold --dry-run` says what a hold would cover and changes nothing."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from archive import DEFAULT_DATABASE, DEFAULT_STORAGE, DocumentStateError, HoldScope, HoldTarget
from records import write_atomic
from workflows import disposition
from workflows import holds as holding
from workflows.renewal import renew_due, report_json
from workflows.retention_report import as_csv, as_json, retention_report

from .. import wiring
from .archiving import DatabaseOpt, JsonFlag, StorageOpt, _emit
from .console import EXIT_BAD_INPUT, err, out
from .signing import TrustOpt, TsaOpt, make_service

ByOpt = Annotated[str, typer.Option("--by", help="Who acts (the archivist's username or staff id)")]


def _target(school: str, book: str | None, student: str | None, year: str | None, class_name: str | None) -> HoldTarget:
    if book:
        return HoldTarget(HoldScope.BOOK, school, document_id=book)
    if student:
        return HoldTarget(HoldScope.STUDENT, school, student_id=student)
    if class_name and year:
        return HoldTarget(HoldScope.CLASS, school, school_year=year, class_name=class_name)
    if year and not class_name:
        return HoldTarget(HoldScope.YEAR, school, school_year=year)
    err.print(
        "[red]Cần đúng một phạm vi: --book, --student, --class cùng --year, hoặc --year / "
        "name one scope: --book, --student, --class with --year, or --year[/red]"
    )
    raise typer.Exit(EXIT_BAD_INPUT)


def hold(
    school: Annotated[str, typer.Option("--school", help="The school's code")],
    reason: Annotated[str, typer.Option("--reason", help="Why (an inspection, a dispute, a complaint)")],
    reference: Annotated[str, typer.Option("--reference", help="What it answers to: a decision, a case number")],
    by: ByOpt,
    book: Annotated[str | None, typer.Option("--book", help="One document id")] = None,
    student: Annotated[str | None, typer.Option("--student", help="Every book of one student")] = None,
    year: Annotated[str | None, typer.Option("--year", help="A school year (2025-2026), alone or with --class")] = None,
    class_name: Annotated[str | None, typer.Option("--class", help="A class of --year")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what it would cover; change nothing")] = False,
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
    as_json: JsonFlag = False,
) -> None:
    """Hold back from disposal a book, a student's books, a class or a school year: every object covered gets the
    storage's legal hold."""
    target = _target(school, book, student, year, class_name)
    with wiring.archive(database, storage) as built:
        if dry_run:
            documents = built.holds.documents_of(target)
            objects = built.holds.object_keys(documents)
            _emit(as_json, {"dry_run": True, "covers": target.label, "documents": documents, "objects": len(objects)})
            if not as_json:
                out.print(f"Sẽ phong tỏa / would hold {len(documents)} hồ sơ / documents, {len(objects)} tệp / objects")
            return
        placed = holding.place(built.service, built.holds, target, reason, reference, by, datetime.now(UTC))
    _emit(as_json, {**holding.hold_json(placed.hold), "documents": placed.documents, "objects": placed.objects})
    if not as_json:
        out.print(
            f"Đã phong tỏa / held {placed.hold.id}: {escape(target.label)}, {placed.documents} hồ sơ / documents, "
            f"{placed.objects} tệp / objects"
        )


def release(
    hold_id: Annotated[str, typer.Argument(help="The hold (LH-…)")],
    by: ByOpt,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it may end (to ask)")] = None,
    approve: Annotated[bool, typer.Option("--approve", help="Approve a release someone else asked for")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check it may be done; say what it covers and would free; change nothing")
    ] = False,
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
    as_json: JsonFlag = False,
) -> None:
    """Ask for a hold's release (with --reason), or approve one another person asked for (--approve)."""
    now = datetime.now(UTC)
    with wiring.archive(database, storage) as built:
        if dry_run:
            seen = holding.release_preview(built.holds, hold_id, by, approve)
            found = {"documents": seen.documents, "objects_released": seen.objects}
            _emit(as_json, {"dry_run": True, **holding.hold_json(seen.hold), **found})
            if not as_json:
                out.print(
                    f"{hold_id}: {seen.documents} sổ / books; {seen.objects} tệp sẽ được gỡ phong tỏa khi duyệt / "
                    "objects would lose their hold on approval (không thay đổi gì / nothing changed)"
                )
            return
        if approve:
            done = holding.approve_release(built.service, built.holds, hold_id, by, now)
            _emit(as_json, {**holding.hold_json(done.hold), "objects_released": done.objects})
            if not as_json:
                out.print(f"Đã gỡ phong tỏa / released {hold_id}: {done.objects} tệp / objects")
            return
        if not reason:
            err.print("[red]Cần --reason để đề nghị gỡ / asking for a release needs --reason[/red]")
            raise typer.Exit(EXIT_BAD_INPUT)
        asked = holding.ask_release(built.holds, hold_id, by, reason, now)
    _emit(as_json, holding.hold_json(asked))
    if not as_json:
        out.print(f"Đã đề nghị gỡ / release asked: {hold_id}; cần người thứ hai duyệt / a second person approves")


def holds_list(
    school: Annotated[str | None, typer.Option("--school", help="One school's holds (default: all)")] = None,
    active: Annotated[bool, typer.Option("--active", help="Only those not released")] = False,
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
    as_json: JsonFlag = False,
) -> None:
    """The legal holds, oldest first."""
    with wiring.archive(database, storage) as built:
        found = built.holds.holds(school, active_only=active)
    _emit(as_json, {"holds": [holding.hold_json(h) for h in found]})
    if not as_json:
        for h in found:
            out.print(f"{h.id}  {h.status.value:<13} {escape(h.target.label)}  {escape(h.reference)}")


def retimestamp(
    within_years: Annotated[
        int, typer.Option("--within-years", min=1, help="Renew archive timestamps that end within N years")
    ] = 5,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what is due; change nothing")] = False,
    by: Annotated[str, typer.Option("--by", help="Who runs it (recorded in the audit trail)")] = "system",
    trust: TrustOpt = [],  # noqa: B006 - typer reads the default
    tsa: TsaOpt = None,
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            min=0,
            help="1: renew in this process; N: in N worker processes; 0: one per core from 1,000 books due",
        ),
    ] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Keep sealed books verifiable: renew every archive timestamp that ends within N years (or whose digest
    weakened) with a new one over the book and its validation data (run it yearly; it resumes)."""
    now = datetime.now(UTC)
    within = timedelta(days=round(365.25 * within_years))
    with wiring.archive(database, storage) as built, make_service(trust, tsa, allow_bb=False) as signing:
        report = renew_due(built.service, signing, within, now, by, dry_run, jobs=jobs, prepare=wiring.prepare_worker)
    payload = {**report_json(report, dry_run), "within_years": within_years}
    _emit(as_json, payload)
    if not as_json:
        out.print(
            f"Đã xét / checked {report.checked}; đến hạn / due {len(report.due)}; đã gia hạn / renewed "
            f"{len(report.renewed)}; lỗi / failed {len(report.failed)}"
        )
    if report.failed:
        raise typer.Exit(1)


def evidence(
    document: Annotated[str, typer.Argument(help="The book (HB-…)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the evidence record (.ers)")],
    version: Annotated[int | None, typer.Option("--version", help="Its version (default: the latest)")] = None,
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
    as_json: JsonFlag = False,
) -> None:
    """Write a sealed book's evidence record (RFC 4998: the long-term proof of a PDF/A-1b book, which cannot carry
    an archive timestamp), to hand over with the book; `hocba verify BOOK --evidence FILE` checks the two."""
    with wiring.archive(database, storage) as built:
        found = built.service.version(document, version)
        record = built.service.evidence(found)
    if record is None:
        raise DocumentStateError("no_evidence", document_id=document, version=found.version)
    write_atomic(output, record)
    _emit(as_json, {"document_id": document, "version": found.version, "output": str(output), "bytes": len(record)})
    if not as_json:
        out.print(f"{document} v{found.version} → {output} ({len(record)} bytes)")


def report(
    school: Annotated[str, typer.Option("--school", help="The school's code")],
    year: Annotated[str | None, typer.Option("--year", help="One school year (2025-2026)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """The school's retention report: legal holds, renewals of archive timestamps, locks per policy."""
    if fmt not in ("json", "csv"):
        err.print("[red]--format: json hoặc csv / json or csv[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    with wiring.archive(database, storage) as built:
        found = retention_report(built.service, built.holds, built.disposals, school, year)
    sys.stdout.write(as_csv(found) if fmt == "csv" else json.dumps(as_json(found), ensure_ascii=False, indent=2) + "\n")


def review(
    school: Annotated[str, typer.Option("--school", help="The school's code")],
    propose: Annotated[bool, typer.Option("--propose", help="Record the list as a proposal for disposal")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (with --propose)")] = None,
    by: Annotated[str, typer.Option("--by", help="Who proposes (the archivist)")] = "",
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
    as_json: JsonFlag = False,
) -> None:
    """The yearly review: what reached the end of its retention (a dry run), or, with --propose, the proposal."""
    now = datetime.now(UTC)
    with wiring.archive(database, storage) as built:
        disposals = built.disposals
        if propose:
            if not (reason and by):
                err.print("[red]--propose cần --reason và --by / --propose needs --reason and --by[/red]")
                raise typer.Exit(EXIT_BAD_INPUT)
            made = disposition.propose(disposals, built.holds, school, reason, by, now)
            _emit(as_json, disposition.disposal_json(made))
            if not as_json:
                out.print(f"Đề xuất hủy / proposed {made.id}: {len(made.items)} tệp / objects; chờ hiệu trưởng duyệt")
            return
        found = disposition.review(disposals, built.holds, school, now)
    _emit(as_json, {"dry_run": True, "items": [disposition.item_json(i) for i in found.items], "held": found.held})
    if not as_json:
        out.print(f"Hết thời hạn / ended: {len(found.items)} tệp / objects; đang phong tỏa / held: {found.held}")


def dispose(
    disposal_id: Annotated[str, typer.Argument(help="The disposal (HUY-…)")],
    by: ByOpt,
    approve: Annotated[bool, typer.Option("--approve", help="Approve it (the principal)")] = False,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the objects instead (the principal, with --reason)")
    ] = False,
    run: Annotated[bool, typer.Option("--run", help="Carry out an approved disposal")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the objects are kept")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="With --run: say what would be deleted")] = False,
    trust: TrustOpt = [],  # noqa: B006 - typer reads the default
    tsa: TsaOpt = None,
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
    as_json: JsonFlag = False,
) -> None:
    """Decide a proposed disposal (--approve, or --keep --reason), or carry out an approved one (--run; its
    certificate is sealed with the school's key, HOCBA_SEAL_KEY and HOCBA_SEAL_SECRET)."""
    if sum((approve, keep, run)) != 1:
        err.print("[red]Chọn một: --approve, --keep hoặc --run / choose one of --approve, --keep, --run[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    now = datetime.now(UTC)
    with wiring.archive(database, storage) as built:
        disposals = built.disposals
        if run and dry_run:
            found = disposals.get(disposal_id)
            _emit(as_json, {**disposition.disposal_json(found), "dry_run": True})
            if not as_json:
                out.print(f"Sẽ hủy / would delete {len(found.items)} tệp / objects ({found.status.value})")
            return
        if run:
            school = disposals.school_name(disposals.get(disposal_id).school_code)
            key = wiring.seal_reference(wiring.settings()).open(wiring.secret_from_environment)
            with make_service(trust, tsa, allow_bb=False) as signing:
                seal = disposition.school_sealer(signing, key)
                done = disposition.carry_out(built.service, disposals, built.holds, disposal_id, school, by, now, seal)
        else:
            done = disposition.decide(disposals, disposal_id, by, approve, reason, now)
    _emit(as_json, disposition.disposal_json(done))
    if not as_json:
        out.print(f"{disposal_id}: {done.status.value}")
