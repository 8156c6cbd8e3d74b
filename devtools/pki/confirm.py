"""A development confirm-in-app remote signing service (the SmartCA style) on loopback, in a thread.

It holds the development PKI's keys and answers the wire format of `signer.adapters.confirm_poll`. Instead of a
phone, `ConfirmService.answers` says what each person does with a request: confirm it (after a number of polls,
as someone picking up the phone), refuse it, or leave it until it expires.
"""

from __future__ import annotations

import base64
import uuid
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


@dataclass
class Answer:
    action: str = "confirm"
    """``confirm``, ``refuse``, ``ignore`` (the request expires unanswered) or ``short`` (a faulty provider:
    confirmed with one signature too few)."""
    after_polls: int = 1
    """Polls answered ``pending`` before the person acts."""


@dataclass
class ConfirmService:
    url: str
    answers: dict[str, Answer] = field(default_factory=dict)
    """What each user does with a request; everyone else confirms at the first poll."""
    transactions: list[tuple[str, int]] = field(default_factory=list)
    """(user, number of hashes) of every transaction, to see batching at work."""
    expire_after_polls: int = 50


@dataclass
class _Transaction:
    user: str
    hashes: list[bytes]
    algorithm: str
    polls: int = 0


def _app(pki: DevPki, service: ConfirmService) -> web.Application:
    pending: dict[str, _Transaction] = {}
    chain = [base64.b64encode(pki.arch.get_cert(CertLabel("school-ca")).dump()).decode()]

    async def info(request: web.Request) -> web.Response:
        user = str((await request.json())["user_id"])
        cert = pki.cert_of(user)
        return web.json_response({"certificate": base64.b64encode(cert.dump()).decode(), "chain": chain})

    async def sign(request: web.Request) -> web.Response:
        body = await request.json()
        transaction = uuid.uuid4().hex
        hashes_ = [base64.b64decode(h) for h in body["hashes"]]
        pending[transaction] = _Transaction(str(body["user_id"]), hashes_, str(body["hash_algorithm"]))
        service.transactions.append((str(body["user_id"]), len(hashes_)))
        return web.json_response({"transaction_id": transaction})

    async def status(request: web.Request) -> web.Response:
        found = pending.get(request.match_info["transaction"])
        if found is None:
            return web.json_response({"error": "unknown transaction"}, status=404)
        found.polls += 1
        answer = service.answers.get(found.user, Answer())
        if found.polls > service.expire_after_polls:
            return web.json_response({"status": "expired"})
        if answer.action == "ignore" or found.polls <= answer.after_polls:
            return web.json_response({"status": "pending"})
        if answer.action == "refuse":
            return web.json_response({"status": "refused"})
        key = serialization.load_pem_private_key(pki.key_path(found.user).read_bytes(), password=None)
        signatures = []
        for digest in found.hashes:
            made = raw_signature(key, digest, found.algorithm, prehashed=True)
            assert made is not None  # the development keys are RSA or ECDSA
            signatures.append(base64.b64encode(made).decode())
        if answer.action == "short":
            signatures = signatures[:-1]
        return web.json_response({"status": "confirmed", "signatures": signatures})

    app = web.Application()
    app.router.add_post("/credentials/info", info)
    app.router.add_post("/signatures/sign", sign)
    app.router.add_get("/signatures/{transaction}", status)
    return app


@contextmanager
def serve_confirm(folder: Path, port: int) -> Iterator[ConfirmService]:
    service = ConfirmService(f"http://127.0.0.1:{port}")
    with serve_app(_app(DevPki.load(folder), service), port, "hocba-dev-confirm"):
        yield service
