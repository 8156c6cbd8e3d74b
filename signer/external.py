"""Two-phase signing for keys the service cannot touch: a USB token driven by a browser plugin, a phone app.

`prepare` runs every check, lays the signature field's update out and returns what the key must sign (the DER
signed attributes, and their SHA-256 for hash-only tokens) with a session id; the state is persisted with an
expiry. `complete` takes the signature value — possibly in another process, minutes later — fetches the
signature timestamp and finishes the document. A book that gained a signature in between is refused as a
stale revision (retryable: prepare again on the latest revision).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, cast

from asn1crypto import cms, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import ExternalSigner
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from records import StaleRevisionError

from . import _attrs, errors
from .service import SigningService
from .stages import RESERVED

SessionExpiredError = errors.SessionExpiredError
UnknownSessionError = errors.UnknownSessionError


class SessionStore(Protocol):
    """Where prepared signatures wait: files on one host, or the metadata database every host shares."""

    def save(self, session_id: str, state: dict[str, Any], blobs: dict[str, bytes]) -> None: ...

    def load(self, session_id: str) -> tuple[dict[str, Any], dict[str, bytes]]:
        """The session, or `KeyError` (or `signer.unknown_session`) when there is none."""
        ...

    def delete(self, session_id: str) -> None: ...


class FileSessionStore:
    """Sessions as files in a folder shared by the processes that prepare and complete."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, session_id: str) -> Path:
        if not session_id.isalnum():
            raise UnknownSessionError("path", session_id=session_id)
        return self.folder / f"{session_id}.json"

    def save(self, session_id: str, state: dict[str, Any], blobs: dict[str, bytes]) -> None:
        data = {"state": state, "blobs": {k: base64.b64encode(v).decode() for k, v in blobs.items()}}
        path = self._path(session_id)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)

    def load(self, session_id: str) -> tuple[dict[str, Any], dict[str, bytes]]:
        try:
            data = json.loads(self._path(session_id).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UnknownSessionError("load", session_id=session_id) from None
        return data["state"], {k: base64.b64decode(v) for k, v in data["blobs"].items()}

    def delete(self, session_id: str) -> None:
        self._path(session_id).unlink(missing_ok=True)


@dataclass(frozen=True)
class PreparedSignature:
    session_id: str
    data_to_sign: bytes
    """DER signed attributes: sign these with SHA-256 (RSA PKCS#1 v1.5 or ECDSA)."""
    digest: str
    """SHA-256 of `data_to_sign`, hex, for tokens that sign a precomputed hash."""
    expires_at: datetime


class ExternalSigning:
    def __init__(self, service: SigningService, store: SessionStore, ttl: timedelta = timedelta(minutes=15)) -> None:
        self.service, self.store, self.ttl = service, store, ttl

    def prepare(
        self,
        pdf: bytes,
        field: str,
        cert: x509.Certificate,
        chain: list[x509.Certificate],
        acting_as: str | None = None,
    ) -> PreparedSignature:
        return self.service.run(self._prepare(pdf, field, cert, chain, acting_as))

    async def _prepare(
        self, pdf: bytes, field: str, cert: x509.Certificate, chain: list[x509.Certificate], acting_as: str | None
    ) -> PreparedSignature:
        prepared = await self.service.prepare(pdf, field, cert, chain, acting_as)
        placeholder = ExternalSigner(cert, SimpleCertificateStore.from_certs(chain), signature_value=512)
        _attrs.install(placeholder)
        digest, _tbs, output = await prepared.pdf_signer(placeholder).async_digest_doc_for_signing(
            prepared.writer, appearance_text_params=prepared.appearance_text(datetime.now(UTC)), bytes_reserved=RESERVED
        )
        attrs = await placeholder.signed_attrs(digest.document_digest, "sha256", use_pades=True)
        session_id = uuid.uuid4().hex
        expires = datetime.now(UTC) + self.ttl
        state = {
            "field": field,
            "seal": prepared.seal,
            "part": prepared.part,
            "expires_at": expires.isoformat(),
            "base_sha256": hashlib.sha256(pdf).hexdigest(),
            "region": [digest.reserved_region_start, digest.reserved_region_end],
        }
        blobs = {
            "document": cast(io.BytesIO, output).getvalue(),
            "digest": digest.document_digest,
            "attrs": attrs.dump(),
            "cert": cert.dump(),
            "chain": b"".join(len(c.dump()).to_bytes(4, "big") + c.dump() for c in chain),
        }
        self.store.save(session_id, state, blobs)
        data = attrs.dump()
        return PreparedSignature(session_id, data, hashlib.sha256(data).hexdigest(), expires)

    def complete(self, session_id: str, signature: bytes, current_pdf: bytes | None = None) -> bytes:
        return self.service.run(self._complete(session_id, signature, current_pdf))

    async def _complete(self, session_id: str, signature: bytes, current_pdf: bytes | None) -> bytes:
        try:
            state, blobs = self.store.load(session_id)
        except KeyError:
            raise UnknownSessionError("complete", session_id=session_id) from None
        if datetime.fromisoformat(state["expires_at"]) < datetime.now(UTC):
            self.store.delete(session_id)
            raise SessionExpiredError()
        if current_pdf is not None and hashlib.sha256(current_pdf).hexdigest() != state["base_sha256"]:
            raise StaleRevisionError(
                "complete",
            )
        chain, rest = [], blobs["chain"]
        while rest:
            size = int.from_bytes(rest[:4], "big")
            chain.append(x509.Certificate.load(rest[4 : 4 + size]))
            rest = rest[4 + size :]
        cert = x509.Certificate.load(blobs["cert"])
        signer = ExternalSigner(cert, SimpleCertificateStore.from_certs(chain), signature_value=signature)
        attrs = cms.CMSAttributes.load(blobs["attrs"])
        timestamper = self.service.timestamper()
        signed_cms = await signer.async_sign_prescribed_attributes(
            "sha256", signed_attrs=attrs, timestamper=timestamper
        )
        output = io.BytesIO(blobs["document"])
        start, end = state["region"]
        digest = PreparedByteRangeDigest(blobs["digest"], start, end)
        await PdfTBSDocument.async_finish_signing(output, digest, signed_cms)
        signed = output.getvalue()
        await self._check_signature(signed, state["field"])
        signed = await self.service.finish(signed, state["seal"], state["part"], cert, chain)
        self.store.delete(session_id)
        return signed

    async def _check_signature(self, pdf: bytes, field: str) -> None:
        """A wrong signature value must not produce a document: check it cryptographically now."""
        context = ValidationContext(trust_roots=list(self.service.policy.trust_roots), allow_fetching=False)
        for sig in PdfFileReader(io.BytesIO(pdf)).embedded_signatures:
            if sig.field_name == field:
                status = await async_validate_pdf_signature(sig, signer_validation_context=context)
                if not (status.intact and status.valid):
                    raise errors.KeySourceError(
                        "check_signature",
                    )
