"""Jobs (pure): long work started by someone, run by a worker, watched by its progress. The work itself (what a
kind of job does) is in `workflows.jobs`; the archive keeps what was asked, where it stands and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    """A worker has it (or had it and died: the job is run again, and its work is safe to run twice)."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    account: str
    """Who started it (the account's username): they, and whoever may see its school's jobs, may watch it."""
    school_code: str | None
    params: dict[str, Any]
    status: JobStatus = JobStatus.QUEUED
    done: int = 0
    total: int | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    """The error's code, retryable and messages when the job failed as a whole."""
    cancel_requested: bool = False
    attempts: int = 0
    idempotency_key: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    waiting: str | None = None
    """What the running job waits for outside: `confirm` while the signer has not yet answered on the phone."""
