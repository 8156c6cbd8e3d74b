"""Jobs in the metadata database: asked once per idempotency key, claimed by a worker (again after a worker
died), advanced by progress, finished once; a cancellation is a request the work reads between books."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update

from ..clock import as_utc
from ..errors import IdempotencyKeyReusedError, UnknownJobError
from ..job_model import Job, JobStatus
from ._sql import SqlBase
from .tables import jobs

_OPEN = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class SqlJobs(SqlBase):
    def create(self, job: Job, at: datetime) -> tuple[Job, bool]:
        """The job as stored, and whether it is new: a job asked again with the same idempotency key by the same
        account is the first one (`archive.idempotency_key_reused` when the request differs)."""
        with self._tx() as conn:
            if job.idempotency_key is not None:
                row = conn.execute(
                    select(jobs).where(jobs.c.account == job.account, jobs.c.idempotency_key == job.idempotency_key)
                ).first()
                if row is not None:
                    earlier = _job(row)
                    if (earlier.kind, earlier.params) != (job.kind, job.params):
                        raise IdempotencyKeyReusedError(key=job.idempotency_key)
                    return earlier, False
            conn.execute(
                insert(jobs).values(
                    id=job.id,
                    kind=job.kind,
                    account=job.account,
                    school_code=job.school_code,
                    params=json.dumps(job.params, sort_keys=True, ensure_ascii=False),
                    status=JobStatus.QUEUED.value,
                    done=0,
                    cancel_requested=False,
                    attempts=0,
                    idempotency_key=job.idempotency_key,
                    created_at=at,
                )
            )
        return self.get(job.id), True

    def get(self, job_id: str) -> Job:
        with self._read() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
        if row is None:
            raise UnknownJobError(job_id=job_id)
        return _job(row)

    def jobs(
        self, account: str | None = None, school_code: str | None = None, after: str | None = None, limit: int = 50
    ) -> list[Job]:
        query = select(jobs).order_by(jobs.c.id).limit(limit)
        if account is not None:
            query = query.where(jobs.c.account == account)
        if school_code is not None:
            query = query.where(jobs.c.school_code == school_code)
        if after is not None:
            query = query.where(jobs.c.id > after)
        with self._read() as conn:
            return [_job(row) for row in conn.execute(query)]

    def counts(self) -> dict[tuple[str, str], int]:
        """How many jobs of each (kind, status) there are."""
        query = select(jobs.c.kind, jobs.c.status, func.count()).group_by(jobs.c.kind, jobs.c.status)
        with self._read() as conn:
            return {(kind, status): int(n) for kind, status, n in conn.execute(query)}

    def unfinished(self) -> list[str]:
        """Jobs queued or running, oldest first (an in-process runner takes them up again when it starts)."""
        with self._read() as conn:
            return list(
                conn.scalars(select(jobs.c.id).where(jobs.c.status.in_(_OPEN)).order_by(jobs.c.created_at, jobs.c.id))
            )

    def start(self, job_id: str, at: datetime) -> Job | None:
        """Claim the job for a run (a first run, or again after a worker died); None when it has finished, or was
        cancelled before it started."""
        with self._tx() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id).with_for_update()).first()
            if row is None:
                raise UnknownJobError(job_id=job_id)
            if row.status not in _OPEN:
                return None
            if row.cancel_requested:
                conn.execute(
                    update(jobs).where(jobs.c.id == job_id).values(status=JobStatus.CANCELLED.value, finished_at=at)
                )
                return None
            conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values(status=JobStatus.RUNNING.value, attempts=row.attempts + 1, started_at=at)
            )
        return self.get(job_id)

    def progress(self, job_id: str, done: int, total: int | None) -> None:
        with self._tx() as conn:
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(done=done, total=total))

    def waiting(self, job_id: str, what: str | None) -> None:
        """What the running job waits for now outside (None: nothing)."""
        with self._tx() as conn:
            conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status.in_(_OPEN)).values(waiting=what))

    def finish(
        self,
        job_id: str,
        status: JobStatus,
        at: datetime,
        result: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
    ) -> Job:
        with self._tx() as conn:
            conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status.in_(_OPEN))
                .values(
                    status=status.value,
                    finished_at=at,
                    waiting=None,
                    result=None if result is None else json.dumps(result, ensure_ascii=False),
                    error=None if error is None else json.dumps(error, ensure_ascii=False),
                )
            )
        return self.get(job_id)

    def cancel(self, job_id: str, at: datetime) -> Job:
        """Cancel a queued job at once; ask a running one to stop after the books in hand."""
        with self._tx() as conn:
            conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == JobStatus.QUEUED.value)
                .values(status=JobStatus.CANCELLED.value, cancel_requested=True, finished_at=at)
            )
            conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == JobStatus.RUNNING.value)
                .values(cancel_requested=True)
            )
        return self.get(job_id)

    def cancel_requested(self, job_id: str) -> bool:
        with self._read() as conn:
            return bool(conn.scalar(select(jobs.c.cancel_requested).where(jobs.c.id == job_id)))


def _job(row: Row[Any]) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        account=row.account,
        school_code=row.school_code,
        params=json.loads(row.params),
        status=JobStatus(row.status),
        done=int(row.done),
        total=row.total,
        result=None if row.result is None else json.loads(row.result),
        error=None if row.error is None else json.loads(row.error),
        cancel_requested=bool(row.cancel_requested),
        attempts=int(row.attempts),
        idempotency_key=row.idempotency_key,
        created_at=as_utc(row.created_at),
        started_at=as_utc(row.started_at) if row.started_at else None,
        finished_at=as_utc(row.finished_at) if row.finished_at else None,
        waiting=row.waiting,
    )
