"""`hocba worker`: Celery over RabbitMQ. A job's message is acknowledged only when its work has ended, so a
worker killed mid-sitting leaves it to be delivered again (and the sitting, run again, skips what is signed);
a retryable failure is retried with backoff, a bounded number of times."""

from __future__ import annotations

import logging
import os

from celery import Celery, Task

from workflows.jobs import RetryLaterError, execute

from .. import wiring
from ..settings import Settings

log = logging.getLogger("hocba.jobs")

MAX_RETRIES = 5


class _ProcessServices:
    """The worker's services, one per process: a forked pool process builds its own (database connections are
    never shared across a fork)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._built: tuple[int, wiring.Services] | None = None

    def get(self) -> wiring.Services:
        if self._built is None or self._built[0] != os.getpid():
            wiring.start(self.settings)
            self._built = (os.getpid(), wiring.Services(self.settings))
        return self._built[1]

    def close(self) -> None:
        if self._built is not None and self._built[0] == os.getpid():
            self._built[1].close()
        self._built = None


def celery_app(settings: Settings) -> Celery:
    """The Celery application of these settings: it sends jobs (the service) and runs them (a worker)."""
    app = Celery("hocba", broker=settings.broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_default_queue=settings.queue,
        worker_hijack_root_logger=False,
    )
    app.hocba_services = _ProcessServices(settings)  # closed by whoever stops the worker
    app.task(name="hocba.run_job", bind=True, max_retries=MAX_RETRIES)(run_job)
    return app


def run_job(task: Task, job_id: str) -> None:
    """The one task: run the job on the services of the app it belongs to."""
    last = task.request.retries >= MAX_RETRIES
    try:
        execute(job_id, task.app.hocba_services.get().job_tools(), may_retry=not last)
    except RetryLaterError as exc:
        countdown = min(300, 5 * 2**task.request.retries)
        log.warning("job %s: %s, retrying in %d s", job_id, exc.error.code, countdown)
        raise task.retry(countdown=countdown) from exc


def run_worker(settings: Settings, concurrency: int) -> None:
    """Run a worker in this process until it is stopped (SIGTERM: warm shutdown, the job in hand finishes)."""
    app = celery_app(settings)
    argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=prefork", "-Q", settings.queue]
    app.worker_main(argv)
