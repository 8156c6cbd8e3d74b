"""Where a submitted job goes: a thread of this process, or a message to the Celery workers."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from records import HocbaError
from workflows.jobs import execute

from ..wiring import Services
from .celery import celery_app

log = logging.getLogger("hocba.jobs")


class JobRunner(Protocol):
    def submit(self, job_id: str) -> None: ...

    def close(self) -> None: ...


class ThreadRunner:
    """Jobs in threads of the service's own process. Jobs left unfinished by a stop are taken up again when it
    starts (their work is safe to run twice)."""

    def __init__(self, services: Services, threads: int) -> None:
        self.services = services
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="hocba-job")

    def resume(self) -> None:
        """Take up the jobs a stop left unfinished, in a job thread: the service starts (and says it is not
        ready) while its database is down, and a database that cannot be read now is only logged."""
        self._pool.submit(self._resume)

    def _resume(self) -> None:
        try:
            unfinished = self.services.jobs().unfinished()
        except HocbaError as exc:
            log.warning("unfinished jobs not taken up: %s", exc.code)
            return
        for job_id in unfinished:
            self.submit(job_id)

    def submit(self, job_id: str) -> None:
        self._pool.submit(self._run, job_id)

    def _run(self, job_id: str) -> None:
        try:
            execute(job_id, self.services.job_tools())
        except Exception:  # a thread's failure must reach the log, not vanish with its future
            log.exception("job %s could not run", job_id)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class CeleryRunner:
    """Jobs as messages to `hocba worker` processes over the broker."""

    def __init__(self, services: Services) -> None:
        self._app = celery_app(services.settings)

    def submit(self, job_id: str) -> None:
        self._app.send_task("hocba.run_job", args=(job_id,))

    def close(self) -> None:
        self._app.close()


def runner_for(services: Services) -> JobRunner:
    """The runner the settings choose: Celery when a broker is configured, else threads."""
    if services.settings.broker:
        return CeleryRunner(services)
    runner = ThreadRunner(services, services.settings.job_threads)
    runner.resume()
    return runner
