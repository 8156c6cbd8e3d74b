"""Keeping sealed books verifiable for decades (PAdES B-LTA, ETSI EN 319 142-1): a book's last archive
timestamp proves the book and its validation data only while its TSA's certificate is valid and its digest
strong. Before that ends, a renewal adds fresh validation data for the previous one and a new archive timestamp
over it all; the renewed book is kept beside the one before (which stays locked), and the version points to it.

The yearly run (`hocba retention retimestamp`) finds the sealed versions whose last archive timestamp ends
within the window, or whose digest weakened, and renews them; run again, it skips those already renewed (their
new timestamp ends later), so a run that stopped resumes where it was. What each version's last archive timestamp
proves until is kept with it when it is sealed or renewed (`StampFacts`): finding what is due reads only the books
sealed before those facts were kept, once."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from archive import ArchiveService, DocumentVersion, StampFacts
from records import HocbaError
from signer import SigningService, last_archive_stamp
from signer.renewal import WEAK_DIGESTS

from .evidence import EvidenceDue, evidence_due, evidence_json, keep_evidence
from .renewers import Renew, renewers
from .runtime import Prepare, default_jobs

SPREAD_FROM = 1000
"""Books due from which an automatic run (`jobs=0`) renews on every core: a worker process takes seconds to start,
which a smaller run does not win back."""


@dataclass(frozen=True)
class Due:
    version: DocumentVersion
    valid_until: datetime
    """When the last archive timestamp's TSA certificate ends."""
    reason: str
    """``expiring`` (within the window) or ``weak_digest``."""
    stamps: int


@dataclass
class RenewalReport:
    checked: int = 0
    due: list[Due] = field(default_factory=list)
    renewed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    """Document (and version) → the error's code."""
    unknown: int = 0
    """Sealed versions whose archive timestamp was not read (sealed before it was kept; a report reads none)."""
    unstampable: list[DocumentVersion] = field(default_factory=list)
    """Sealed versions without an archive timestamp (PDF/A-1 books): renewal cannot help them; their long-term
    proof is an evidence record (`workflows.evidence`)."""
    evidence: list[EvidenceDue] = field(default_factory=list)
    """The evidence records to make or renew."""
    evidence_kept: list[str] = field(default_factory=list)

    @property
    def without_stamp(self) -> list[str]:
        """The names of `unstampable`."""
        return [_name(v) for v in self.unstampable]


def _name(version: DocumentVersion) -> str:
    return f"{version.document_id} v{version.version}"


def stamp_facts(pdf: bytes) -> StampFacts:
    """What a sealed book's last archive timestamp proves until, as the archive keeps it."""
    stamp = last_archive_stamp(pdf)
    return StampFacts(0) if stamp is None else StampFacts(stamp.count, stamp.valid_until, stamp.digest)


def find_due(
    archive: ArchiveService,
    within: timedelta,
    now: datetime,
    school_code: str | None = None,
    read_unknown: bool = True,
    school_year: str | None = None,
) -> RenewalReport:
    """The sealed versions (of a school, of a year, or all) whose archive timestamp ends before `now + within`, or whose
    digest weakened. A version whose facts are not kept yet is read once, and its facts kept (with
    `read_unknown`; otherwise it is counted in `unknown`, and nothing is changed)."""
    report = RenewalReport()
    horizon = now + within
    for version, kept in archive.kept_stamps(school_code, school_year):
        report.checked += 1
        if kept is None and not read_unknown:
            report.unknown += 1
            continue
        stamp = kept or stamp_facts(archive.sealed_bytes(version))
        if kept is None:
            archive.note_stamp(version, stamp)
        if stamp.count == 0 or stamp.valid_until is None:
            report.unstampable.append(version)
        elif stamp.digest in WEAK_DIGESTS:
            report.due.append(Due(version, stamp.valid_until, "weak_digest", stamp.count))
        elif stamp.valid_until < horizon:
            report.due.append(Due(version, stamp.valid_until, "expiring", stamp.count))
    return report


def jobs_for(jobs: int, due: int) -> int:
    """The processes a run renews `due` books in: `jobs`, or for 0, one per core from `SPREAD_FROM` books due
    (a worker takes seconds to start, which fewer books do not win back), else this one."""
    return jobs or (default_jobs() if due >= SPREAD_FROM else 1)


def renew_due(
    archive: ArchiveService,
    signing: SigningService,
    within: timedelta,
    now: datetime,
    actor: str = "system",
    dry_run: bool = False,
    on_book: Callable[[str, bool], None] | None = None,
    school_code: str | None = None,
    jobs: int = 1,
    prepare: Prepare | None = None,
) -> RenewalReport:
    """Find what is due and, unless `dry_run`, renew each (a failure is reported and the run goes on), over
    `jobs` processes (`workflows.renewers`; `prepare` readies each worker; 0: one per core from `SPREAD_FROM`
    books due, else this one). The books without an archive timestamp get, or renew, their evidence record."""
    report = find_due(archive, within, now, school_code)
    report.evidence = evidence_due(archive, report.unstampable, now + within)
    if dry_run:
        return report
    if report.evidence:
        with archive.one_anchor():
            report.evidence_kept, failed = keep_evidence(archive, signing, report.evidence, actor)
        report.failed.update(failed)
    if not report.due:
        return report
    jobs = jobs_for(jobs, len(report.due))
    with (
        renewers(signing, jobs, prepare) as workers,
        archive.one_anchor(),  # one audit anchor for the whole run
        ThreadPoolExecutor(workers.in_flight) as threads,
    ):
        tasks = [report.due[n : n + workers.per_task] for n in range(0, len(report.due), workers.per_task)]
        # Each task's thread runs in a copy of this context, so that its renewals join the run's one anchor.
        task = partial(_renew_task, archive, workers.renew, actor)
        futures = [(dues, threads.submit(contextvars.copy_context().run, task, dues)) for dues in tasks]
        for dues, future in futures:
            failed = future.result()
            for due in dues:
                name = _name(due.version)
                if name in failed:
                    report.failed[name] = failed[name]
                else:
                    report.renewed.append(name)
                if on_book:
                    on_book(name, name not in failed)
    return report


def _renew_task(archive: ArchiveService, renew: Renew, actor: str, dues: list[Due]) -> dict[str, str]:
    """Read, renew and keep a task's books; what failed (name → error code)."""
    failed: dict[str, str] = {}
    books: list[tuple[Due, bytes]] = []
    for due in dues:
        try:
            books.append((due, archive.sealed_bytes(due.version)))
        except HocbaError as exc:
            failed[_name(due.version)] = exc.code
    return {**failed, **_renew_read(archive, renew, actor, books)} if books else failed


def _renew_read(archive: ArchiveService, renew: Renew, actor: str, books: list[tuple[Due, bytes]]) -> dict[str, str]:
    """Renew and keep books already read; what failed. When the renewal of several fails, each is tried alone
    (with the bytes already read), so that a failure is the book's own."""
    try:
        renewed = renew([sealed for _, sealed in books])
    except HocbaError as exc:
        if len(books) == 1:
            return {_name(books[0][0].version): exc.code}
        failed: dict[str, str] = {}
        for one in books:
            failed.update(_renew_read(archive, renew, actor, [one]))
        return failed
    failed = {}
    for (due, sealed), book in zip(books, renewed, strict=True):
        stamp = StampFacts(book.stamp.count, book.stamp.valid_until, book.stamp.digest)
        try:
            archive.keep_renewal(due.version, book.pdf, actor, stamp, previous=sealed)
        except HocbaError as exc:
            failed[_name(due.version)] = exc.code
    return failed


def report_json(report: RenewalReport, dry_run: bool) -> dict[str, Any]:
    """The run as the console, the API and the pages show it."""
    return {
        "dry_run": dry_run,
        "checked": report.checked,
        "due": [
            {
                "document_id": d.version.document_id,
                "version": d.version.version,
                "valid_until": d.valid_until.isoformat(),
                "reason": d.reason,
                "archive_timestamps": d.stamps,
            }
            for d in report.due
        ],
        "renewed": report.renewed,
        "failed": report.failed,
        "without_archive_timestamp": report.without_stamp,
        "evidence_due": evidence_json(report.evidence),
        "evidence_kept": report.evidence_kept,
    }
