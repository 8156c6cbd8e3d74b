"""Jobs: the long work the service runs for its users — a signer's sitting over the archive, a year's export,
an integrity check of the archive — asked once (per idempotency key), run by whichever runner the deployment
chose (threads in the service's own process, or Celery workers over RabbitMQ: both call `execute`), watched by
their progress, and safe to run again: a job whose worker died is run from the start, and its work skips what
is already done (a sitting signs only books whose next field is still the signer's)."""

from __future__ import annotations

import logging
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from asn1crypto import x509

from archive import ArchiveService, Job, JobStatus, SqlJobs
from records import HocbaError, validate_record
from signer import KeySource, SigningService
from templates import RenderOptions, render

from .archived_sitting import sign_archived_sitting
from .exporting import export_year
from .lifecycle import register_book
from .renewal import renew_due, report_json
from .sitting import BookDone, SittingEvent, SittingStarted

log = logging.getLogger("hocba.jobs")


class JobKind(StrEnum):
    RENDER = "render"
    """params: records (as intake accepted them). Each is rendered and registered in the archive; a record
    rendered before keeps its first book."""
    SITTING = "sitting"
    """params: school_year, signer_id, key (the remote key: {"kind": "csc"|"confirm", "account": …}), and
    documents (only these books of the year) when given."""
    EXPORT = "export"
    """params: school_year. The bag is written under the export folder, named by the job."""
    AUDIT = "audit"
    """params: sample (objects whose bytes are checked; none: every object)."""
    RENEWAL = "renewal"
    """params: within_years, dry_run. The school's sealed books whose archive timestamp ends within the window
    (or whose digest weakened) get a new one, from the configured TSA."""


@dataclass(frozen=True)
class JobTools:
    """What the work needs, built by the composition root in the process that runs it."""

    jobs: SqlJobs
    archive: Callable[[], ArchiveService]
    signing: Callable[[], AbstractContextManager[SigningService]]
    remote_key: Callable[[dict[str, Any], Callable[[str], None] | None], KeySource]
    """The key source a sitting's `key` parameter names (its secrets come from the runner's environment), and
    whom to tell how the signer answers on the phone."""
    trust_roots: Callable[[], list[x509.Certificate]]
    exports: Path
    report: Callable[[Any], dict[str, Any]]
    """A verification as the JSON written beside each exported book."""
    render_options: RenderOptions = field(default_factory=RenderOptions)


def _now() -> datetime:
    return datetime.now(UTC)


def new_job(
    kind: JobKind, account: str, school_code: str | None, params: dict[str, Any], idempotency_key: str | None = None
) -> Job:
    return Job(secrets.token_hex(16), kind.value, account, school_code, params, idempotency_key=idempotency_key)


def submit(jobs: SqlJobs, job: Job, run: Callable[[str], None]) -> tuple[Job, bool]:
    """Record the job and hand it to the runner; a job asked before with the same key is returned, not run."""
    stored, created = jobs.create(job, _now())
    if created:
        run(stored.id)
    return stored, created


def error_of(exc: HocbaError) -> dict[str, Any]:
    return {
        "code": exc.code,
        "retryable": exc.retryable,
        "message_vi": exc.message_vi,
        "message_en": exc.message_en,
    }


class RetryLaterError(Exception):
    """The job met an error a retry may cure (a TSA or a database that did not answer); its runner retries."""

    def __init__(self, error: HocbaError) -> None:
        super().__init__(error.code)
        self.error = error


def execute(job_id: str, tools: JobTools, may_retry: bool = False) -> Job:
    """Run the job (again, after a worker died). A retryable failure raises `RetryLaterError` when `may_retry`, and
    the job stays running for the runner's next attempt; any other failure finishes it as failed."""
    job = tools.jobs.start(job_id, _now())
    if job is None:
        return tools.jobs.get(job_id)
    watch = Watch(tools.jobs, job.id)
    try:
        result = _WORK[JobKind(job.kind)](job, tools, watch)
    except HocbaError as exc:
        if exc.retryable and may_retry:
            raise RetryLaterError(exc) from exc
        return tools.jobs.finish(job.id, JobStatus.FAILED, _now(), error=error_of(exc))
    except Exception as exc:
        log.exception("job %s (%s) failed", job.id, job.kind)
        error = {"code": "hocba.internal", "retryable": False, "message_vi": "Lỗi nội bộ", "message_en": repr(exc)}
        return tools.jobs.finish(job.id, JobStatus.FAILED, _now(), error=error)
    status = JobStatus.CANCELLED if watch.cancelled() else JobStatus.SUCCEEDED
    return tools.jobs.finish(job.id, status, _now(), result=result)


class Watch:
    """A running job's progress, written as it moves, and its cancellation, read at most once a second."""

    def __init__(self, jobs: SqlJobs, job_id: str) -> None:
        self.jobs, self.job_id = jobs, job_id
        self.done = 0
        self.total: int | None = None
        self._lock = threading.Lock()
        self._asked_at = 0.0
        self._cancelled = False

    def event(self, event: SittingEvent) -> None:
        with self._lock:
            if isinstance(event, SittingStarted):
                self.total = event.total
            elif isinstance(event, BookDone):
                self.done += 1
            self.jobs.progress(self.job_id, self.done, self.total)

    def answer(self, status: str) -> None:
        """The provider's answer to the signer's confirmation: the job waits for the phone while it is pending."""
        self.jobs.waiting(self.job_id, "confirm" if status == "pending" else None)

    def cancelled(self) -> bool:
        with self._lock:
            if not self._cancelled and time.monotonic() - self._asked_at >= 1.0:
                self._asked_at = time.monotonic()
                self._cancelled = self.jobs.cancel_requested(self.job_id)
            return self._cancelled


def _book(done: BookDone) -> dict[str, Any]:
    entry: dict[str, Any] = {"document_id": done.book, "outcome": done.outcome}
    if done.error is not None:
        entry["error"] = error_of(done.error)
    elif done.detail:
        entry["error"] = {"code": "hocba.internal", "message_en": done.detail}
    return entry


def _sitting(job: Job, tools: JobTools, watch: Watch) -> dict[str, Any]:
    params = job.params
    key = tools.remote_key(params["key"], watch.answer)
    archive = tools.archive()
    assert job.school_code is not None  # a sitting is always of one school
    with tools.signing() as service:
        service.connect(key)  # a remote key fetches its certificate once, on the service's session
        result = sign_archived_sitting(
            archive,
            job.school_code,
            params["school_year"],
            params["signer_id"],
            service,
            key,
            on_event=watch.event,
            stop=watch.cancelled,
            only=set(params["documents"]) if params.get("documents") else None,
        )
    return {"counts": result.counts(), "books": [_book(done) for done in result.books]}


def _render(job: Job, tools: JobTools, watch: Watch) -> dict[str, Any]:
    archive = tools.archive()
    raws: list[Any] = job.params["records"]
    books: list[dict[str, Any]] = []
    for index, raw in enumerate(raws):
        if watch.cancelled():
            break
        report = validate_record(raw, index)
        if report.record is None or report.record.school.code != job.school_code:
            code = "intake.invalid" if report.record is None else "auth.forbidden"
            books.append({"index": index, "outcome": "failed", "error": {"code": code}})
        else:
            try:
                registered = register_book(archive, report.record, render(report.record, tools.render_options).pdf)
            except HocbaError as exc:
                books.append({"index": index, "outcome": "failed", "error": error_of(exc)})
            else:
                outcome = "kept" if registered.earlier else "rendered"
                books.append({"index": index, "outcome": outcome, "document_id": registered.version.document_id})
        watch.jobs.progress(job.id, index + 1, len(raws))
    counts = {name: sum(1 for b in books if b["outcome"] == name) for name in ("rendered", "kept", "failed")}
    return {"counts": counts, "books": books}


def _export(job: Job, tools: JobTools, watch: Watch) -> dict[str, Any]:
    assert job.school_code is not None
    folder = tools.exports / job.id
    shutil.rmtree(folder, ignore_errors=True)  # a run that died halfway: the bag is written again from the start
    done = export_year(
        tools.archive(), job.school_code, job.params["school_year"], tools.trust_roots(), folder, tools.report
    )
    watch.jobs.progress(job.id, done.sealed + done.superseded, done.sealed + done.superseded)
    bag = job.id if done.sealed + done.superseded else None
    return {"sealed": done.sealed, "superseded": done.superseded, "failed": list(done.failed), "bag": bag}


def _audit(job: Job, tools: JobTools, watch: Watch) -> dict[str, Any]:
    archive = tools.archive()
    audit = archive.verify_audit()
    fixity = archive.fixity(sample=job.params.get("sample"), actor=job.account)
    watch.jobs.progress(job.id, fixity.checked, fixity.checked)
    return {
        "audit": {
            "intact": audit.intact,
            "events": audit.events,
            "anchors": audit.anchors,
            "problems": list(audit.problems),
        },
        "fixity": {
            "intact": fixity.intact,
            "checked": fixity.checked,
            "missing": list(fixity.missing),
            "corrupt": list(fixity.corrupt),
            "tampered": list(fixity.tampered),
        },
    }


def _renewal(job: Job, tools: JobTools, watch: Watch) -> dict[str, Any]:
    dry_run = bool(job.params.get("dry_run"))
    within = timedelta(days=round(365.25 * int(job.params["within_years"])))
    done = 0

    def on_book(name: str, renewed: bool) -> None:
        nonlocal done
        done += 1
        watch.jobs.progress(job.id, done, None)

    with tools.signing() as service:
        report = renew_due(
            tools.archive(), service, within, _now(), job.account, dry_run, on_book, school_code=job.school_code
        )
    watch.jobs.progress(job.id, done, len(report.due) if not dry_run else 0)
    return report_json(report, dry_run)


_WORK: dict[JobKind, Callable[[Job, JobTools, Watch], dict[str, Any]]] = {
    JobKind.RENDER: _render,
    JobKind.SITTING: _sitting,
    JobKind.EXPORT: _export,
    JobKind.AUDIT: _audit,
    JobKind.RENEWAL: _renewal,
}
