"""Evidence records (RFC 4998, `signer.evidence`) for the sealed books that cannot carry an archive timestamp
(PDF/A-1b: see `docs/retention.md`). The yearly renewal run gives each such version a record when it has none,
and renews the record before its last timestamp's TSA certificate ends; records are kept beside the book, locked
permanently, each an audit event. A book's record covers its SHA-256 as the archive knows it, so no book is read,
except when the digest of the record's chain has weakened: a new chain under a stronger digest (hash-tree
renewal) covers the book's new digest, read from the stored book once its SHA-256 is checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from archive import ArchiveService, DocumentVersion
from records import HocbaError
from signer import SigningService
from signer.evidence import STRONG, EvidenceRecord, chain_digest, digest_of, stamp_until
from signer.renewal import WEAK_DIGESTS

BATCH = 1000
"""Books under one timestamp: a hash tree of 1,000 leaves is ten levels, each record a few hundred bytes more."""


@dataclass(frozen=True)
class EvidenceDue:
    version: DocumentVersion
    action: str
    """``new`` (no record yet), ``renew`` (its last timestamp ends within the window) or ``rehash`` (the digest
    of its last chain has weakened: a new chain under a stronger one)."""
    record: EvidenceRecord | None = None
    valid_until: datetime | None = None
    """When the record's last timestamp's TSA certificate ends (``renew``)."""

    @property
    def name(self) -> str:
        return f"{self.version.document_id} v{self.version.version}"


def evidence_due(archive: ArchiveService, versions: list[DocumentVersion], horizon: datetime) -> list[EvidenceDue]:
    """What the versions without an archive timestamp need: a first record, or a renewed one."""
    due = []
    for version in versions:
        kept = archive.evidence(version)
        if kept is None:
            due.append(EvidenceDue(version, "new"))
            continue
        record = EvidenceRecord.load(kept)
        until = stamp_until(record)
        if chain_digest(record["archive_time_stamp_sequence"][-1]) in WEAK_DIGESTS:
            due.append(EvidenceDue(version, "rehash", record, until))
        elif until is None or until < horizon:
            due.append(EvidenceDue(version, "renew", record, until))
    return due


def _book_digests(archive: ArchiveService, versions: list[DocumentVersion]) -> list[bytes]:
    """Each sealed book's digest under the new chain's algorithm, read from the store: only the book whose
    SHA-256 is the one sealed (and proven by the chains before) is covered."""
    return [digest_of(archive.checked_sealed_bytes(version), STRONG) for version in versions]


def keep_evidence(
    archive: ArchiveService, signing: SigningService, due: list[EvidenceDue], actor: str
) -> tuple[list[str], dict[str, str]]:
    """Make and keep what `due` lists, a batch under one timestamp; returns what was kept, and what failed
    (name → error code: the batch's books all fail together, and the run goes on)."""
    kept: list[str] = []
    failed: dict[str, str] = {}
    for action in ("new", "renew", "rehash"):
        listed = [d for d in due if d.action == action]
        for start in range(0, len(listed), BATCH):
            batch = listed[start : start + BATCH]
            try:
                held = [d.record for d in batch if d.record is not None]
                if action == "new":
                    records = signing.new_evidence([bytes.fromhex(d.version.sealed_sha256 or "") for d in batch])
                elif action == "renew":
                    records = signing.renew_evidence(held)
                else:
                    records = signing.rehash_evidence(held, _book_digests(archive, [d.version for d in batch]))
                for d, record in zip(batch, records, strict=True):
                    stamps = sum(len(chain) for chain in record["archive_time_stamp_sequence"])
                    archive.keep_evidence(d.version, record.dump(), stamps, actor)
                    kept.append(d.name)
            except HocbaError as exc:
                failed.update({d.name: exc.code for d in batch if d.name not in kept})
    return kept, failed


def evidence_json(due: list[EvidenceDue]) -> list[dict[str, object]]:
    return [
        {
            "document_id": d.version.document_id,
            "version": d.version.version,
            "action": d.action,
            "valid_until": d.valid_until.isoformat() if d.valid_until else None,
        }
        for d in due
    ]
