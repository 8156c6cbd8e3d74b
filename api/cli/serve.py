"""`hocba serve`: the HTTP service (uvicorn) on the settings of this process."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from .. import wiring
from ..http import create_app
from ..http.observing import log_as_json


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback unless asked)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
) -> None:
    """Serve the API (`/v1`, its OpenAPI at `/v1/openapi.json`), `/healthz` and `/readyz` until interrupted."""
    log_as_json()
    uvicorn.run(create_app(wiring.settings()), host=host, port=port, log_level="warning", server_header=False)
