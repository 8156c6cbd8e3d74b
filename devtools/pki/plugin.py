"""A development stand-in for the local signing plug-in of a USB token: the small program a signer installs
beside their browser, which the pages hand a hash to and which answers the token's signature. It listens on
loopback and holds one person's development key instead of a token; `PluginService.plugged` is whether the
token is in (unplugged, it answers 409 as a real plug-in does).

The wire format the pages speak (`api/http/static/usb.js`):
- ``GET {url}/certificate`` → ``{"certificate": b64 DER, "chain": [b64 DER, …]}``
- ``POST {url}/sign`` ``{"sha256": hex, "data_to_sign": b64}`` → ``{"signature": b64}`` (RSA PKCS#1 v1.5 or
  ECDSA with SHA-256 over the signed attributes)
Both answer browsers of any origin (CORS): the page that calls is this service's, on another port or host.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from certomancer.registry import CertLabel
from cryptography.hazmat.primitives import serialization

from signer import raw_signature

from ._serving import serve_app
from .service import DevPki

_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Allow-Private-Network": "true",
}


@dataclass
class PluginService:
    url: str
    holder: str
    """Whose key is in the token (a staff id of the development PKI)."""
    plugged: bool = True
    signed: list[str] = field(default_factory=list)
    """The SHA-256 (hex) of every data the token signed."""


def _app(pki: DevPki, service: PluginService) -> web.Application:
    chain = [base64.b64encode(pki.arch.get_cert(CertLabel("school-ca")).dump()).decode()]

    def answer(body: object, status: int = 200) -> web.Response:
        return web.json_response(body, status=status, headers=_CORS)

    async def preflight(request: web.Request) -> web.Response:
        return web.Response(status=204, headers=_CORS)

    async def certificate(request: web.Request) -> web.Response:
        if not service.plugged:
            return answer({"error": "no_token"}, 409)
        cert = pki.cert_of(service.holder)
        return answer({"certificate": base64.b64encode(cert.dump()).decode(), "chain": chain})

    async def sign(request: web.Request) -> web.Response:
        if not service.plugged:
            return answer({"error": "no_token"}, 409)
        body = await request.json()
        data = base64.b64decode(str(body["data_to_sign"]))
        if hashlib.sha256(data).hexdigest() != str(body.get("sha256", "")).lower():
            return answer({"error": "hash_mismatch"}, 400)  # the token signs what the page shows, or nothing
        key = serialization.load_pem_private_key(pki.key_path(service.holder).read_bytes(), password=None)
        made = raw_signature(key, data, "sha256")
        assert made is not None  # the development keys are RSA or ECDSA
        service.signed.append(hashlib.sha256(data).hexdigest())
        return answer({"signature": base64.b64encode(made).decode()})

    app = web.Application(client_max_size=256 * 1024)
    app.router.add_get("/certificate", certificate)
    app.router.add_post("/sign", sign)
    app.router.add_route("OPTIONS", "/{tail:.*}", preflight)
    return app


@contextmanager
def serve_plugin(folder: Path, port: int, holder: str) -> Iterator[PluginService]:
    """The plug-in with `holder`'s development key in its token, on loopback `port`."""
    service = PluginService(f"http://127.0.0.1:{port}", holder)
    with serve_app(_app(DevPki.load(folder), service), port, "hocba-dev-plugin"):
        yield service
