"""The archivist's retention report, per school and (optionally) school year: the legal holds, the renewals of
archive timestamps, the locks per policy, and the disposals (proposed, decided, carried out); and what is due:
the objects whose period has ended (the disposition review) and the books whose archive timestamp must be
renewed within five years. As a dictionary for JSON, or as CSV rows (one line per hold,
renewal, disposal and book due) for a spreadsheet."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from archive import ArchiveService, Disposal, Hold, Renewal, RetentionSummary, SqlDisposals, SqlHolds

from .disposition import Review, review
from .holds import hold_json
from .renewal import RenewalReport, find_due

RENEWAL_WINDOW = timedelta(days=round(365.25 * 5))
"""How far ahead the report looks for archive timestamps to renew (the yearly run's default)."""


@dataclass(frozen=True)
class RetentionReport:
    school_code: str
    school_year: str | None
    holds: list[Hold]
    renewals: list[Renewal]
    locks: list[RetentionSummary]
    disposals: list[Disposal]
    review: Review
    """The school's objects (of the year asked) whose period has ended, not yet proposed (and those a hold
    keeps)."""
    renewal_due: RenewalReport
    """The school's books (of the year asked) whose archive timestamp ends within `RENEWAL_WINDOW` (nothing read
    or changed)."""


def retention_report(
    archive: ArchiveService,
    holds: SqlHolds,
    disposals: SqlDisposals,
    school_code: str,
    school_year: str | None = None,
    now: datetime | None = None,
) -> RetentionReport:
    """Holds of the school (those on a year or a class of another year left out when a year is asked); renewals
    of its books and what is due (of that year); the archive's locks per policy."""
    now = now or datetime.now(UTC)
    kept = [h for h in holds.holds(school_code) if school_year is None or h.target.school_year in (None, school_year)]
    return RetentionReport(
        school_code,
        school_year,
        kept,
        archive.renewals(school_code, school_year),
        archive.retention(),
        disposals.disposals(school_code),
        review(disposals, holds, school_code, now, school_year),
        find_due(archive, RENEWAL_WINDOW, now, school_code, read_unknown=False, school_year=school_year),
    )


def as_json(report: RetentionReport) -> dict[str, Any]:
    return {
        "school_code": report.school_code,
        "school_year": report.school_year,
        "holds": [hold_json(h) for h in report.holds],
        "renewals": [
            {
                "document_id": r.document_id,
                "version": r.version,
                "school_year": r.school_year,
                "renewed_at": r.renewed_at.isoformat(),
                "previous_sha256": r.previous_sha256,
                "sha256": r.sha256,
            }
            for r in report.renewals
        ],
        "locks": [
            {
                "policy": s.policy_id,
                "objects": s.objects,
                "holds": s.holds,
                "earliest": s.earliest.isoformat(),
                "latest": s.latest.isoformat(),
            }
            for s in report.locks
        ],
        "disposals": [
            {
                "id": d.id,
                "status": d.status.value,
                "proposed_by": d.proposed_by,
                "decided_by": d.decided_by,
                "done_at": d.done_at.isoformat() if d.done_at else None,
                "deleted": sum(1 for i in d.items if i.deleted_at is not None),
                "certificate_sha256": d.certificate_sha256,
            }
            for d in report.disposals
        ],
        "due_for_review": {
            "objects": len(report.review.items),
            "documents": len({i.document_id for i in report.review.items}),
            "held": report.review.held,
        },
        "renewal_due": {
            "within_years": 5,
            "books": [
                {
                    "document_id": d.version.document_id,
                    "version": d.version.version,
                    "valid_until": d.valid_until.isoformat(),
                    "reason": d.reason,
                }
                for d in report.renewal_due.due
            ],
            "without_archive_timestamp": len(report.renewal_due.without_stamp),
            "not_read_yet": report.renewal_due.unknown,
        },
    }


_COLUMNS = ("kind", "id", "covers", "school_year", "status", "at", "by", "detail")


def _cell(value: str) -> str:
    """A text a spreadsheet shows as text: never a formula (a reason typed as "=HYPERLINK(…)"), no control
    character."""
    text = "".join(c for c in value if c >= " " or c == "\t")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text


def as_csv(report: RetentionReport) -> str:
    """One row per hold, renewal, disposal and book due, and one for the review due, under a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    rows: list[tuple[str, ...]] = []
    for h in report.holds:
        detail = f"{h.reason} ({h.reference})"
        rows.append(
            (
                "hold",
                h.id,
                h.target.label,
                h.target.school_year or "",
                h.status.value,
                h.placed_at.isoformat(),
                h.placed_by,
                detail,
            )
        )
    for r in report.renewals:
        rows.append(
            (
                "renewal",
                f"{r.document_id} v{r.version}",
                r.document_id,
                r.school_year,
                "renewed",
                r.renewed_at.isoformat(),
                "",
                r.sha256,
            )
        )
    for d in report.disposals:
        deleted = sum(1 for i in d.items if i.deleted_at is not None)
        at = (d.done_at or d.proposed_at).isoformat()
        rows.append(
            ("disposal", d.id, f"{deleted}/{len(d.items)}", "", d.status.value, at, d.decided_by or "", d.reason)
        )
    for due in report.renewal_due.due:
        v = due.version
        name = f"{v.document_id} v{v.version}"
        rows.append(("renewal_due", name, v.document_id, "", due.reason, due.valid_until.isoformat(), "", ""))
    ended = report.review
    if ended.items or ended.held:
        detail = f"{len(ended.items)} ended, {ended.held} held"
        rows.append(("review_due", "", report.school_code, "", "ended", "", "", detail))
    writer.writerows(tuple(_cell(value) for value in row) for row in rows)
    return out.getvalue()
