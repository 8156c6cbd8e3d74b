"""What the service tells its operators: Prometheus metrics (`GET /metrics`: request latency by route, verification
outcomes, jobs by kind and state, signatures kept and books sealed) and one structured JSON log line per request,
with its request id."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator

from fastapi import Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def request_id_of(headers: Headers) -> str:
    """The client's request id when it sends a sane one, else a new one."""
    given = headers.get("x-request-id", "")
    return given if given.isalnum() and len(given) <= 64 else uuid.uuid4().hex


class Observe:
    """Every answer timed, counted by route template (never the raw path: ids would explode the series), logged
    with its request id, and given the headers every answer carries. Plain ASGI: no second task per request."""

    def __init__(self, app: ASGIApp, metrics: Metrics, headers: dict[str, str]) -> None:
        self.app, self.metrics = app, metrics
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(Headers(scope=scope))
        start = time.perf_counter()
        status = 500

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                given = {name for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in given]
                message["headers"] = [*message.get("headers", []), *extra, (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            elapsed = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.latency.labels(route, scope["method"], str(status)).observe(elapsed)
            fields = {
                "request_id": request_id,
                "method": scope["method"],
                "route": route,
                "status": status,
                "ms": round(elapsed * 1000, 1),
            }
            log.info("request", extra={"fields": fields})
