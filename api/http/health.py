"""`/healthz` (the process answers) and `/readyz` (what it depends on answers: the database and the store)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from .. import wiring
from .access import allow, guarded_router

router = guarded_router(tags=["health"], dependencies=[allow("health")])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Every component the service needs answers; 503 naming the ones that do not."""
    checks: dict[str, Any] = wiring.readiness(request.app.state.settings)
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks}, status_code=200 if ready else 503
    )
