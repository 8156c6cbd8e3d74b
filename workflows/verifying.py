"""Verifying a book or a copy, with what the archive knows of exactly these bytes (sealed, or superseded by a
correction)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import x509

from archive import DocumentVersion, sha256_hex
from signer import DocumentCheck, VerifyPolicy, verify
from signer.evidence import MAX_RECORD_BYTES, EvidenceCheck, check_record

KnownSealed = Callable[[str], DocumentVersion | None]
"""What the archive knows of the sealed book whose bytes have this sha256 (`ArchiveService.known_sealed`)."""


@dataclass(frozen=True)
class Verification:
    check: DocumentCheck
    """The verdict on the file itself: signatures, timestamps, plan, changes, state."""
    archived: DocumentVersion | None = None
    """The archive's version of exactly these bytes (None: not in the archive, or the archive was not asked)."""
    asked_archive: bool = False


def read_bounded(path: Path, policy: VerifyPolicy) -> bytes:
    """The file's bytes, refused by its size before it is read into memory (`signer.too_large`)."""
    policy.check_size(path.stat().st_size)
    return path.read_bytes()


def verify_with_archive(
    data: bytes,
    roots: list[x509.Certificate],
    offline: bool,
    policy: VerifyPolicy,
    known: KnownSealed | None = None,
) -> Verification:
    """Verify the file; with `known`, also say what the archive knows of it (a superseded book still verifies:
    only the archive can tell that a correction replaced it)."""
    check = verify(data, roots, offline, policy=policy)
    if known is None:
        return Verification(check)
    return Verification(check, known(sha256_hex(data)), asked_archive=True)


def check_evidence(path: Path, document: bytes, roots: list[x509.Certificate]) -> EvidenceCheck:
    """The evidence record (RFC 4998) in `path`, checked against the document's bytes; a file larger than any
    record is refused by its size before it is read."""
    if path.stat().st_size > MAX_RECORD_BYTES:
        return EvidenceCheck("unchecked", problems=(f"the record is larger than {MAX_RECORD_BYTES} bytes",))
    return asyncio.run(check_record(path.read_bytes(), document, roots))


def evidence_check_json(check: EvidenceCheck) -> dict[str, Any]:
    return {
        "outcome": check.outcome,
        "existed_at": check.existed_at.isoformat() if check.existed_at else None,
        "timestamps": [t.isoformat() for t in check.times],
        "problems": list(check.problems),
    }
