"""Signing policy: what a signature must satisfy, fixed at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from asn1crypto import x509

from records import ARCHIVE_TIMESTAMP_FIELD

from .errors import TooLargeError

__all__ = [
    "ARCHIVE_TIMESTAMP_FIELD",
    "SigningPolicy",
    "VerifyPolicy",
    "archive_timestamp_field",
    "is_archive_timestamp",
]


def archive_timestamp_field(number: int) -> str:
    """The field of a book's `number`-th archive timestamp: the seal's is the first, each renewal adds one."""
    return ARCHIVE_TIMESTAMP_FIELD if number == 1 else f"{ARCHIVE_TIMESTAMP_FIELD}_{number}"


def is_archive_timestamp(field_name: str) -> bool:
    head, _, number = field_name.partition(f"{ARCHIVE_TIMESTAMP_FIELD}_")
    return field_name == ARCHIVE_TIMESTAMP_FIELD or (head == "" and number.isdigit() and int(number) >= 2)


@dataclass(frozen=True)
class SigningPolicy:
    trust_roots: tuple[x509.Certificate, ...]
    """Certificates a signer's chain must end in."""
    tsa_url: str | None
    """RFC 3161 TSA for every signature's timestamp (B-T) and the archive timestamp."""
    allow_bb: bool = False
    """Sign without a timestamp (B-B). Only for offline development, and only when configuration says so."""
    bindings: dict[str, str] = field(default_factory=dict)
    """Signer id (staff id or ``school:<code>``) -> sha256 fingerprint (hex) of the certificate it must use.
    Without a binding the certificate's common name must equal the signer's name (NFC, case-folded)."""
    location: str = ""
    """Place written into each signature (the school's province)."""
    status_reuse: timedelta = timedelta(seconds=60)
    """How long a certificate's good status (OCSP or CRL) is reused for further signatures with it. Zero checks
    before every signature. A revoked or unknown status is never reused."""
    network_timeout: float = 10.0
    """Seconds for one request to the TSA or an OCSP/CRL responder."""
    network_attempts: int = 3
    """Tries of a request that failed for want of an answer (a timeout, a refused connection), not a refusal."""
    network_backoff: float = 0.2
    """Seconds before the second try; doubled before each further one."""
    check_pdfa_every_signature: bool = False
    """Validate the whole book against its PDF/A part after every signature (the largest part of an approval
    signature's cost). Off, the finished book is validated in full when the seal closes it, and before each
    approval the stamp's text is checked against the stamp font: a character the font lacks is the one way the
    content of an approval signature can break PDF/A (an undefined glyph); its structure is the same for every
    book and is checked step by step in the tests."""


MiB = 1024 * 1024


@dataclass(frozen=True)
class VerifyPolicy:
    """Bounds on what verification reads from a file it did not make (an upload, a copy from anyone): a limit
    hit is a coded refusal before the work it would have cost. The defaults leave a học bạ (≈ 0.5 MB, about 20
    revisions) far inside every bound."""

    max_bytes: int = 30 * MiB
    """Largest file read at all."""
    max_revisions: int = 64
    """Incremental updates (a book: its rendering, one per signature, the seal's validation data)."""
    max_signatures: int = 40
    """Signatures and document timestamps (each is compared with every later revision)."""
    max_stream_bytes: int = 16 * MiB
    """Decompressed size of any one stream."""
    max_decoded_bytes: int = 64 * MiB
    """Decompressed bytes for the whole verification (earlier revisions are decoded again)."""
    max_seconds: float = 8.0
    """Wall time after which no further signature is examined (the file is refused as too complex)."""
    fetch_timeout: float = 3.0
    """Seconds for one OCSP, CRL or certificate request (online verification)."""

    def check_size(self, size: int) -> None:
        """Refuse (`signer.too_large`) a file over `max_bytes`: before it is read, when the caller knows its size."""
        if size > self.max_bytes:
            raise TooLargeError(
                "check_size",
                value=str(size // 1024),
                value2=str(self.max_bytes // 1024),
            )
