"""`hocba worker`: Celery over RabbitMQ. A job's message is acknowledged only when its work has ended, so a
worker killed mid-sitting leaves it to be delivered again (and the sitting, run again, skips what is signed);
a retryable failure is retried with backoff, a bounded number of times."""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init

from workflows.jobs import RetryLaterError, execute

from .. import wiring
from ..settings import Settings

log = logging.getLogger("hocba.jobs")

MAX_RETRIES = 5

_PROCESS: dict[str, wiring.Services] = {}
"""This worker process's services: one engine, built on first use."""


def _worker_services() -> wiring.Services:
    if "services" not in _PROCESS:
        settings = wiring.settings()
        wiring.start(settings)
        _PROCESS["services"] = wiring.Services(settings)
    return _PROCESS["services"]


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _forget_parent_engine(**_: Any) -> None:
    """A forked worker process must not share its parent's database connections."""
    _PROCESS.clear()


def celery_app(settings: Settings) -> Celery:
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

    @app.task(name="hocba.run_job", bind=True, max_retries=MAX_RETRIES)  # type: ignore[untyped-decorator]
    def run_job(self: Task, job_id: str) -> None:
        last = self.request.retries >= MAX_RETRIES
        try:
            execute(job_id, _worker_services().job_tools(), may_retry=not last)
        except RetryLaterError as exc:
            countdown = min(300, 5 * 2**self.request.retries)
            log.warning("job %s: %s, retrying in %d s", job_id, exc.error.code, countdown)
            raise self.retry(countdown=countdown) from exc

    return app


def run_worker(settings: Settings, concurrency: int) -> None:
    """Run a worker in this process until it is stopped (SIGTERM: warm shutdown, the job in hand finishes)."""
    app = celery_app(settings)
    app.worker_main(
        ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=prefork", "-Q", settings.queue]
    )
