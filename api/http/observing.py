"""What the service tells its operators: Prometheus metrics (`GET /metrics`: request latency by route, verification
outcomes, jobs by kind and state, signatures kept and books sealed) and one structured JSON log line per request,
with its request id."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator

from fastapi import Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from records import HocbaError

from ..wiring import Services
from .access import allow, guarded_router

log = logging.getLogger("hocba.http")
router = guarded_router(tags=["health"])


class ArchiveCollector(Collector):
    """Counts read from the database when Prometheus scrapes: jobs by kind and state, signatures kept and books
    sealed — the work of every process (workers included), not only this one's. Nothing when it cannot be read
    (`/readyz` says why)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[Metric]:
        try:
            jobs = self.services.jobs().counts()
            signatures, sealed = self.services.books().work_done()
        except HocbaError as exc:
            log.warning("metrics from the database unavailable: %s", exc.code)
            return
        by_state = GaugeMetricFamily("hocba_jobs", "Jobs by kind and state", labels=["kind", "state"])
        for (kind, state), count in sorted(jobs.items()):
            by_state.add_metric([kind, state], count)
        yield by_state
        yield CounterMetricFamily("hocba_signatures", "Signatures kept in the archive", value=signatures)
        yield CounterMetricFamily("hocba_seals", "Books sealed into the archive", value=sealed)


class Metrics:
    """The service's metrics, in a registry of the application's own (never the process-wide default)."""

    def __init__(self, services: Services) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(ArchiveCollector(services))
        self.latency = Histogram(
            "hocba_http_request_seconds",
            "Time to answer a request, by route template, method and status",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.verifications = Counter(
            "hocba_verifications_total",
            "Books checked through the API, by verdict",
            ("verdict",),
            registry=self.registry,
        )


@router.get("/metrics", include_in_schema=False, dependencies=[allow("health")])
def metrics(request: Request) -> Response:
    """The Prometheus exposition of the service's metrics."""
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, ensure_ascii=False)


def log_as_json() -> None:
    """Send the service's log lines to stderr as JSON (what `hocba serve` does)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False


def request_id_of(request: Request) -> str:
    """The client's request id when it sends a sane one, else a new one."""
    given = request.headers.get("x-request-id", "")
    return given if given.isalnum() and len(given) <= 64 else uuid.uuid4().hex


async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Time the request, count it by route template (never the raw path: ids would explode the series) and log it."""
    request_id = request_id_of(request)
    request.state.request_id = request_id
    start = time.perf_counter()
    response = await call_next(request)
    elapsed = time.perf_counter() - start
    route = getattr(request.scope.get("route"), "path", "unmatched")
    request.app.state.metrics.latency.labels(route, request.method, str(response.status_code)).observe(elapsed)
    response.headers["X-Request-ID"] = request_id
    fields = {
        "request_id": request_id,
        "method": request.method,
        "route": route,
        "status": response.status_code,
        "ms": round(elapsed * 1000, 1),
    }
    log.info("request", extra={"fields": fields})
    return response
