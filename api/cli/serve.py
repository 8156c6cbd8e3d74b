"""`hocba serve`: the HTTP service (uvicorn) on the settings of this process."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from .. import wiring
from ..http import create_app
from ..http.observing import log_as_json
from ..settings import SettingsError
from ..worker import run_worker


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback unless asked)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
) -> None:
    """Serve the API (`/v1`, its OpenAPI at `/v1/openapi.json`), `/healthz` and `/readyz` until interrupted."""
    log_as_json()
    uvicorn.run(create_app(wiring.settings()), host=host, port=port, log_level="warning", server_header=False)


def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs run at once by this worker")] = 2,
) -> None:
    """Run jobs from the broker (`HOCBA_BROKER`, RabbitMQ) until stopped: the same work the service runs in its
    own threads when it has no broker. SIGTERM lets the job in hand finish; a worker killed outright leaves its job
    to be delivered again."""
    settings = wiring.settings()
    if not settings.broker:
        raise SettingsError("broker", variable="HOCBA_BROKER")
    log_as_json()
    wiring.start(settings)
    run_worker(settings, concurrency)
