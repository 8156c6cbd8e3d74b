"""The year-end export: a school year's sealed books, their data, their verification reports and their audit
trail, as one BagIt bag for external media. Face-free: the command line (or a job) says what the result means."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509

from archive import ArchiveService, DocumentVersion, VersionStatus, write_bag
from records import parse_bytes, to_xml
from signer import DocumentCheck, verify

INDEX_COLUMNS = ("personal_id", "full_name", "class_name", "document_id", "version", "status", "pdf")


@dataclass(frozen=True)
class YearExport:
    """What was written: the counts `bag-info.txt` carries, and the books that did not verify."""

    sealed: int
    superseded: int
    failed: tuple[str, ...]
    """Bag paths (`books/<id>/v<n>`) of the books that do not verify offline."""

    @property
    def empty(self) -> bool:
        return not (self.sealed or self.superseded)


def export_year(
    archive: ArchiveService,
    school: str,
    year: str,
    roots: list[x509.Certificate],
    out_dir: Path,
    report: Callable[[DocumentCheck], dict[str, Any]],
) -> YearExport:
    """Write the bag of `school`'s sealed books of `year` into the new folder `out_dir` (nothing is written when
    there is no book). `report(check)` turns a verification into the JSON written beside each book."""
    books = archive.sealed_versions(school, year)
    if not books:
        return YearExport(0, 0, ())
    files, failed, school_name = _payload(archive, books, roots, report)
    files["trust/roots.pem"] = b"".join(pem.armor("CERTIFICATE", r.dump()) for r in roots)
    sealed = sum(1 for v, _ in books if v.status is VersionStatus.SEALED)
    superseded = sum(1 for v, _ in books if v.status is VersionStatus.SUPERSEDED)
    info = {
        "Source-Organization": school_name,
        "School-Code": school,
        "School-Year": year,
        "Book-Count": str(sealed),
        "Superseded-Count": str(superseded),
        "External-Description": f"Học bạ số đã ký và lưu trữ, năm học {year} / sealed digital record books",
        "Verification-Failures": str(len(failed)),
    }
    write_bag(out_dir, files, info)
    archive.audit("system", "export.written", {"school": school, "year": year}, {"books": len(books)})
    return YearExport(sealed, superseded, tuple(failed))


def _payload(
    archive: ArchiveService,
    books: list[tuple[DocumentVersion, str]],
    roots: list[x509.Certificate],
    report: Callable[[DocumentCheck], dict[str, Any]],
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
        pdf = archive.sealed_bytes(version)
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
        written: dict[str, Any] = {"status": version.status.value, **report(check)}
        files[f"verification/{version.document_id}-v{version.version}.json"] = _json(written)
        if not check.ok:
            failed.append(base)
    # An index from each student to their books' folders; UTF-8 with a BOM so that a spreadsheet opens it right.
    files["index.csv"] = index.getvalue().encode("utf-8-sig")
    events = archive.events_of(ids)
    files["audit/events.jsonl"] = b"".join(_json(e.__dict__, indent=None) for e in events)
    files["audit/anchors.jsonl"] = b"".join(
        _json({"head_seq": a.head_seq, "head_hash": a.head_hash, "at": a.at, "key": key}, indent=None)
        for a, key in archive.anchors()
    )
    return files, failed, school_name


def _json(value: Any, indent: int | None = 2) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=indent, default=str) + "\n").encode()
