"""Two-phase signing for keys the service never holds (a USB token driven from the signer's browser): `prepare`
checks that the book waits for the caller, lays out their signature and answers what the token must sign;
`complete` takes the signature value, finishes the signature (timestamp, validation data) and keeps the new
revision in the archive through its compare-and-set. Any process sharing the database may complete."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

from asn1crypto import x509
from fastapi import Request
from pydantic import BaseModel, Field

from archive import DocumentStateError
from records import HocbaError, register_wording
from signer import ExternalSigning, next_field_for
from workflows import sign_into_archive

from .access import Caller, allow, guarded_router, services

router = guarded_router(prefix="/v1/books/{document_id}/signatures", tags=["signing"])

register_wording(
    {
        "request.bad_certificate": (
            "Chứng thư số gửi lên không đọc được (cần DER, base64)",
            "The certificate sent cannot be read (DER, base64 expected)",
        ),
        "request.bad_signature_value": (
            "Giá trị chữ ký gửi lên không đọc được (cần base64)",
            "The signature value sent cannot be read (base64 expected)",
        ),
    }
)


class BadCertificateError(HocbaError):
    code = "request.bad_certificate"


class BadSignatureValueError(HocbaError):
    code = "request.bad_signature_value"


class PrepareBody(BaseModel):
    certificate: str = Field(max_length=20_000, description="The signer's certificate, DER, base64")
    chain: list[str] = Field(default_factory=list, max_length=8, description="Its issuers, DER, base64")


class Prepared(BaseModel):
    session_id: str
    field: str
    data_to_sign: str = Field(description="DER signed attributes, base64: sign with SHA-256 (RSA PKCS#1 v1.5 or ECDSA)")
    sha256: str = Field(description="SHA-256 of data_to_sign, hex, for tokens that sign a precomputed hash")
    expires_at: datetime


class CompleteBody(BaseModel):
    session_id: str = Field(max_length=64)
    signature: str = Field(max_length=4_000, description="The token's signature value, base64")


class Completed(BaseModel):
    document_id: str
    version: int
    revision_count: int
    status: str = Field(description="signing, or sealed when this signature was the seal's")


def _certificate(text: str) -> x509.Certificate:
    try:
        certificate = x509.Certificate.load(base64.b64decode(text, validate=True))
        certificate.native  # noqa: B018  parse it all now: asn1crypto parses lazily
    except (binascii.Error, ValueError, TypeError):
        raise BadCertificateError() from None
    return certificate


@router.post("/prepare")
def prepare_signature(
    request: Request, document_id: str, body: PrepareBody, caller: Annotated[Caller, allow("signing.external")]
) -> Prepared:
    """Lay out the caller's signature on the field that waits for them now; what their token must sign."""
    found = services(request)
    current = found.archive().latest(document_id)
    staff_id = caller.account.staff_id or ""
    field = next_field_for(current, staff_id)
    if field is None:
        raise DocumentStateError("not_your_turn", document_id=document_id, signer=staff_id)
    cert, chain = _certificate(body.certificate), [_certificate(c) for c in body.chain]
    prepared = ExternalSigning(found.signing(), found.sessions()).prepare(current, field, cert, chain)
    return Prepared(
        session_id=prepared.session_id,
        field=field,
        data_to_sign=base64.b64encode(prepared.data_to_sign).decode(),
        sha256=prepared.digest,
        expires_at=prepared.expires_at,
    )


@router.post("/complete")
def complete_signature(
    request: Request, document_id: str, body: CompleteBody, caller: Annotated[Caller, allow("signing.external")]
) -> Completed:
    """Finish the prepared signature with the token's value and keep it in the archive (refused when the book
    changed since `prepare`: prepare again)."""
    try:
        value = base64.b64decode(body.signature, validate=True)
    except (binascii.Error, ValueError):
        raise BadSignatureValueError() from None
    found = services(request)
    archive = found.archive()
    current = archive.latest(document_id)
    external = ExternalSigning(found.signing(), found.sessions())
    sign_into_archive(archive, current, lambda: external.complete(body.session_id, value, current))
    version = archive.version(document_id)
    return Completed(
        document_id=document_id,
        version=version.version,
        revision_count=version.revision_count,
        status=version.status.value,
    )
