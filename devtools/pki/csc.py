"""The development CSC v1 remote-signing service (certomancer-csc-dummy) on loopback, in a thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from csc_dummy.csc_dummy_server import CSCWithCertomancer, DummyServiceParams

from ._serving import serve_app
from .service import DevPki


@dataclass
class CscService:
    url: str
    sign_hash_calls: list[int] = field(default_factory=list)
    """Number of hashes in each signHash request, to see batching at work."""


@contextmanager
def serve_csc(folder: Path, port: int, hash_pinning: bool = True) -> Iterator[CscService]:
    """SCAL 2 by default: every authorisation names the hashes it covers."""
    pki = DevPki.load(folder)
    assert pki.config is not None
    service = CscService(f"http://127.0.0.1:{port}")

    @web.middleware
    async def count(request: web.Request, handler: object) -> web.StreamResponse:
        if request.path.endswith("/signatures/signHash"):
            body = await request.json()
            service.sign_hash_calls.append(len(body.get("hash", [])))
        response: web.StreamResponse = await handler(request)  # type: ignore[operator]
        return response

    csc = CSCWithCertomancer(pki.config, service_params=DummyServiceParams(hash_pinning_required=hash_pinning))
    csc.register_routes()
    csc.app.middlewares.append(count)
    with serve_app(csc.app, port, "hocba-dev-csc"):
        yield service
