"""Remote signing confirmed by the signer in a phone app, the service polling for the answer (the VNPT SmartCA
style): the hash goes to the provider as a transaction, the teacher sees it on the phone and confirms (or
refuses), and the service asks for the transaction's state until it has the signature.

The provider's HTTP API is met in three calls of `ConfirmAndPollApi` (certificate, submit, status), so that a
provider with other paths or field names is another small subclass; the signing itself (polling, deadline,
refusal, batching) is this module's. The wire format spoken by the base class, and by the development service
in `pki.confirm`:

- ``POST {url}/credentials/info`` ``{"user_id"}`` → ``{"certificate": b64 DER, "chain": [b64 DER, …]}``
- ``POST {url}/signatures/sign`` ``{"user_id", "hashes": [b64, …], "hash_algorithm", "description"}`` →
  ``{"transaction_id"}``
- ``GET {url}/signatures/{transaction_id}`` → ``{"status": "pending" | "confirmed" | "refused" | "expired",
  "signatures": [b64, …]}`` (signatures in the order of the hashes, once confirmed)

With `batch_size` > 1 the hashes of books signed at the same moment travel in one transaction: a principal
confirms once for a whole group of books instead of once per book.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
from asn1crypto import x509
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ..errors import KeySourceError, RemoteRefusedError, RemoteTimeoutError
from ..ports import KeyKind


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class ConfirmAndPollApi:
    """The provider's three calls (the wire format of the module docstring)."""

    def __init__(self, url: str, user_id: str, session: aiohttp.ClientSession, token: str | None = None) -> None:
        self.url, self.user_id, self.session = url.rstrip("/"), user_id, session
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def _json(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            async with self.session.request(method, self.url + path, json=body, headers=self.headers) as response:
                if response.status != 200:
                    raise KeySourceError(
                        "http_status",
                        status=response.status,
                        path=path,
                    )
                data: dict[str, Any] = await response.json()
                return data
        except aiohttp.ClientError as exc:
            raise RemoteTimeoutError("unreachable", exc=str(exc)) from exc

    async def certificate(self) -> tuple[x509.Certificate, list[x509.Certificate]]:
        data = await self._json("POST", "/credentials/info", {"user_id": self.user_id})
        chain = [x509.Certificate.load(base64.b64decode(c)) for c in data.get("chain", [])]
        return x509.Certificate.load(base64.b64decode(data["certificate"])), chain

    async def submit(self, hashes: list[bytes], hash_algorithm: str, description: str) -> str:
        body = {
            "user_id": self.user_id,
            "hashes": [_b64(h) for h in hashes],
            "hash_algorithm": hash_algorithm,
            "description": description,
        }
        return str((await self._json("POST", "/signatures/sign", body))["transaction_id"])

    async def status(self, transaction_id: str) -> tuple[str, list[bytes]]:
        data = await self._json("GET", f"/signatures/{transaction_id}")
        return str(data["status"]), [base64.b64decode(s) for s in data.get("signatures", [])]


@dataclass
class _Waiting:
    digest: bytes
    answer: asyncio.Future[bytes]


class _PollingSigner(Signer):
    def __init__(self, source: ConfirmAndPollKeySource, cert: x509.Certificate, chain: list[x509.Certificate]):
        super().__init__(signing_cert=cert, cert_registry=SimpleCertificateStore.from_certs(chain))
        self.source = source
        self._waiting: list[_Waiting] = []
        self._flush: asyncio.TimerHandle | None = None
        self._transactions: set[asyncio.Task[None]] = set()  # referenced until done (the loop keeps weak ones)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:  # size estimate only: a signature as long as the key
            return bytes(self.source.signature_size)
        waiting = _Waiting(hashlib.new(digest_algorithm, data).digest(), asyncio.get_running_loop().create_future())
        self._waiting.append(waiting)
        if len(self._waiting) >= self.source.batch_size:
            self._send(digest_algorithm)
        elif self._flush is None:  # wait a moment for the other books of the same sitting
            self._flush = asyncio.get_running_loop().call_later(
                self.source.batch_window.total_seconds(), self._send, digest_algorithm
            )
        return await waiting.answer

    def _send(self, digest_algorithm: str) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        batch, self._waiting = self._waiting, []
        if batch:
            task = asyncio.get_running_loop().create_task(self._transaction(batch, digest_algorithm))
            self._transactions.add(task)
            task.add_done_callback(self._transactions.discard)

    async def _transaction(self, batch: list[_Waiting], digest_algorithm: str) -> None:
        try:
            signatures = await self.source.confirmed([w.digest for w in batch], digest_algorithm)
            for waiting, signature in zip(batch, signatures, strict=True):
                waiting.answer.set_result(signature)
        except Exception as exc:  # every book of the transaction gets the same answer
            for waiting in batch:
                if not waiting.answer.done():
                    waiting.answer.set_exception(exc)


class ConfirmAndPollKeySource:
    """A person's remote key, each use confirmed on their phone. `connect` binds it to the signing service's
    HTTP session and fetches the certificate (call once)."""

    kind = KeyKind.REMOTE

    def __init__(
        self,
        service_url: str,
        user_id: str,
        *,
        token: str | None = None,
        poll_interval: timedelta = timedelta(seconds=2),
        deadline: timedelta = timedelta(minutes=5),
        batch_size: int = 1,
        batch_window: timedelta = timedelta(milliseconds=200),
        description: str = "Ký số học bạ",
        api: type[ConfirmAndPollApi] = ConfirmAndPollApi,
        on_status: Callable[[str], None] | None = None,
    ) -> None:
        self.service_url, self.user_id, self.token = service_url, user_id, token
        self.poll_interval, self.deadline = poll_interval, deadline
        self.batch_size, self.batch_window, self.description = max(1, batch_size), batch_window, description
        self._api_type = api
        self.on_status = on_status
        """Told the transaction's status as the provider answers it (``pending`` while the phone has not)."""
        self._api: ConfirmAndPollApi | None = None
        self._signer: _PollingSigner | None = None

    async def connect(self, session: aiohttp.ClientSession) -> ConfirmAndPollKeySource:
        self._api = self._api_type(self.service_url, self.user_id, session, self.token)
        cert, chain = await self._api.certificate()
        self._signer = _PollingSigner(self, cert, chain)
        return self

    def _connected(self) -> tuple[ConfirmAndPollApi, _PollingSigner]:
        if self._api is None or self._signer is None:
            raise KeySourceError("not_connected")
        return self._api, self._signer

    @property
    def signature_size(self) -> int:
        key = self.certificate.public_key
        return 72 if key.algorithm == "ec" else (key.bit_size + 7) // 8

    async def confirmed(self, digests: list[bytes], digest_algorithm: str) -> list[bytes]:
        """Submit the hashes as one transaction and wait for the person's answer."""
        api, _ = self._connected()
        transaction = await api.submit(digests, digest_algorithm, self.description)
        give_up = time.monotonic() + self.deadline.total_seconds()
        told = None
        while True:
            status, signatures = await api.status(transaction)
            if self.on_status is not None and status != told:
                told = status
                self.on_status(status)
            if status == "confirmed":
                if len(signatures) != len(digests):
                    raise KeySourceError(
                        "confirmed",
                        signatures=str(len(signatures)),
                        digests=str(len(digests)),
                    )
                return signatures
            if status == "refused":
                raise RemoteRefusedError(
                    transaction=transaction,
                )
            if status == "expired" or time.monotonic() >= give_up:
                raise RemoteTimeoutError(
                    "confirmed",
                    deadline=self.deadline,
                    transaction=transaction,
                )
            await asyncio.sleep(self.poll_interval.total_seconds())

    @property
    def certificate(self) -> x509.Certificate:
        cert = self._connected()[1].signing_cert
        assert cert is not None
        return cert

    def signer(self) -> _PollingSigner:
        return self._connected()[1]
