"""The job face: runners that call `workflows.jobs.execute` — threads in the service's own process (the embedded
default), or Celery workers over RabbitMQ (`hocba worker`). Both run the same function on the same job rows."""

from .celery import celery_app, run_worker
from .runners import CeleryRunner, JobRunner, ThreadRunner, runner_for

__all__ = ["CeleryRunner", "JobRunner", "ThreadRunner", "celery_app", "run_worker", "runner_for"]
