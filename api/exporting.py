"""`hocba export`: a school year's sealed books as a BagIt bag for external media; `hocba export verify` checks
one, manifests first, then every signature offline from the books' own validation data."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from asn1crypto import pem, x509
from rich.markup import escape

from archive import (
    DEFAULT_DATABASE,
    DEFAULT_STORAGE,
    ArchiveError,
    ArchiveService,
    DocumentVersion,
    VersionStatus,
    check_bag,
    write_bag,
)
from records import parse_bytes, to_xml
from signer import UnreadableDocumentError, verify

from .archiving import DatabaseOpt, StorageOpt, opened
from .console import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_NOT_GENUINE, EXIT_OK, err, out
from .signing import load_roots
from .verifying import check_as_json

app = typer.Typer(help="Year-end export to external media (BagIt).")
INDEX_COLUMNS = ("personal_id", "full_name", "class_name", "document_id", "version", "status", "pdf")
TrustOpt = Annotated[list[Path], typer.Option("--trust", help="Trusted root certificate(s)")]


@app.callback(invoke_without_command=True)
def export(
    ctx: typer.Context,
    school: Annotated[str | None, typer.Option("--school", help="School code")] = None,
    year: Annotated[str | None, typer.Option("--year", help="School year, YYYY-YYYY")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="New folder for the bag")] = None,
    trust: TrustOpt = [],  # noqa: B006
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Write the sealed books of one school year, their XML and JSON, the audit excerpt and verification reports."""
    if ctx.invoked_subcommand is not None:
        return
    if not (school and year and out_dir and trust):
        err.print("[red]Cần --school, --year, --out và --trust / --school, --year, --out and --trust are needed[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    roots = list(load_roots(trust))
    with opened(database, storage) as archive:
        books = archive.catalog.sealed_books(school, year)
        if not books:
            err.print(f"[red]Không có học bạ đã lưu trữ của {school} năm {year} / no sealed books found[/red]")
            raise typer.Exit(EXIT_BAD_INPUT)
        files, failed, school_name = _payload(archive, books, roots)
        files["trust/roots.pem"] = b"".join(pem.armor("CERTIFICATE", r.dump()) for r in roots)
        info = {
            "Source-Organization": school_name,
            "School-Code": school,
            "School-Year": year,
            "Book-Count": str(sum(1 for v, _ in books if v.status is VersionStatus.SEALED)),
            "Superseded-Count": str(sum(1 for v, _ in books if v.status is VersionStatus.SUPERSEDED)),
            "External-Description": f"Học bạ số đã ký và lưu trữ, năm học {year} / sealed digital record books",
            "Verification-Failures": str(len(failed)),
        }
        try:
            write_bag(out_dir, files, info)
        except ArchiveError as exc:
            err.print(f"[red]{exc.code}: {escape(str(exc))}[/red]")
            raise typer.Exit(EXIT_INTERNAL) from None
        archive.audit("system", "export.written", {"school": school, "year": year}, {"books": len(books)})
    sealed, superseded = info["Book-Count"], info["Superseded-Count"]
    out.print(
        f"Đã xuất / exported {sealed} học bạ (+ {superseded} phiên bản đã bị thay thế / superseded versions) "
        f"→ {out_dir}"
    )
    for name in failed:
        err.print(f"[red]không hợp lệ / does not verify: {escape(name)}[/red]")
    raise typer.Exit(EXIT_OK if not failed else EXIT_NOT_GENUINE)


def _payload(
    archive: ArchiveService, books: list[tuple[DocumentVersion, str]], roots: list[x509.Certificate]
) -> tuple[dict[str, bytes], list[str], str]:
    files: dict[str, bytes] = {}
    failed: list[str] = []
    school_name = ""
    ids = {version.document_id for version, _ in books}
    index = io.StringIO()
    rows = csv.writer(index)
    rows.writerow(INDEX_COLUMNS)
    for version, record_json in books:
        base = f"books/{version.document_id}/v{version.version}"
        key = version.sealed_key or ""
        pdf = archive.store.get(key, archive.catalog.object_version(key))
        (item,) = parse_bytes(record_json.encode(), base).records
        files[f"{base}.pdf"] = pdf
        files[f"{base}.json"] = record_json.encode()
        if item.record is not None:
            files[f"{base}.xml"] = to_xml(item.record)
            school_name = item.record.school.name
            student = item.record.student
            rows.writerow(
                [
                    student.personal_id,
                    student.full_name,
                    item.record.class_name,
                    version.document_id,
                    version.version,
                    version.status.value,
                    f"{base}.pdf",
                ]
            )
        check = verify(pdf, roots, offline=True)
        report: dict[str, Any] = {"status": version.status.value, **check_as_json(check)}
        files[f"verification/{version.document_id}-v{version.version}.json"] = _json(report)
        if not check.ok:
            failed.append(base)
    # An index from each student to their books' folders; UTF-8 with a BOM so that a spreadsheet opens it right.
    files["index.csv"] = index.getvalue().encode("utf-8-sig")
    events = [e for e in archive.catalog.events() if e.refs_dict.get("document_id") in ids]
    files["audit/events.jsonl"] = b"".join(_json(e.__dict__, indent=None) for e in events)
    files["audit/anchors.jsonl"] = b"".join(
        _json({"head_seq": a.head_seq, "head_hash": a.head_hash, "at": a.at, "key": key}, indent=None)
        for a, key, _ in archive.catalog.anchors()
    )
    return files, failed, school_name


def _json(value: Any, indent: int | None = 2) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=indent, default=str) + "\n").encode()


@app.command("verify")
def export_verify(
    folder: Annotated[Path, typer.Argument(help="The bag")],
    trust: TrustOpt = [],  # noqa: B006
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Exit 0 when the manifests hold and every book verifies offline; 1 naming what does not."""
    try:
        bag = check_bag(folder)
    except ArchiveError as exc:
        err.print(f"[red]{exc.code}: {escape(str(exc))}[/red]")
        raise typer.Exit(EXIT_NOT_GENUINE) from None
    # The roots given on the command line are the verifier's own; the bag's copy is used only when none is given.
    roots = list(load_roots(trust or [folder / "data" / "trust" / "roots.pem"]))
    results: dict[str, bool] = {}
    for path in sorted((folder / "data" / "books").rglob("*.pdf")):
        try:
            results[str(path.relative_to(folder / "data"))] = verify(path.read_bytes(), roots, offline=True).ok
        except UnreadableDocumentError:
            results[str(path.relative_to(folder / "data"))] = False
    failed = [name for name, ok in results.items() if not ok]
    summary = {"bag_valid": True, "books": len(results), "failed": failed, "info": dict(bag.info)}
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        colour = "green" if not failed else "red"
        out.print(f"[{colour}]Gói hợp lệ / bag valid; {len(results) - len(failed)}/{len(results)} học bạ hợp lệ[/]")
        for name in failed:
            err.print(f"[red]không hợp lệ / does not verify: {escape(name)}[/red]")
    raise typer.Exit(EXIT_OK if not failed and results else EXIT_NOT_GENUINE)
