"""Disposition of records whose retention period has ended (Luật Lưu trữ 2024: documents past their period are
destroyed only by a decision, with a record of what was destroyed). Today the only objects the archive keeps
for a fixed period are the working revisions of sealed books (policy `ban-ky-lam-viec`: five years from the
seal; the sealed book holds their every byte).

1. **Review** (the archivist, yearly): what reached its end, minus whatever a legal hold covers. A dry run.
2. **Proposal**: the list is recorded with the archivist's reason.
3. **Decision** (the principal, never the proposer): approve, or keep with a reason.
4. **Disposal**: each object is deleted only if no COMPLIANCE lock and no hold covers it now (the store refuses
   otherwise, and the item says why; the working revisions' GOVERNANCE lock gives way to the approved disposal);
   then the certificate of destruction — every object deleted, with its hash and policy, the proposal and the
   approval — is written as PDF/A, signed with the school's seal (B-LTA), locked permanently, and its hash goes
   into the audit trail, which is anchored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from archive import (
    ArchiveError,
    ArchiveService,
    Disposal,
    DisposalItem,
    DisposalStateError,
    DisposalStatus,
    SqlDisposals,
    SqlHolds,
)
from retention import policy_for
from signer import KeySource, SigningService
from templates import VIETNAM, render_disposal_certificate
from templates.disposal import SEAL_FIELD

_KIND = "revision"

Sealer = Callable[[bytes], bytes]
"""Signs a certificate of destruction with the school's seal."""


def school_sealer(signing: SigningService, seal: KeySource) -> Sealer:
    """The school's seal on a certificate (its one field): a PAdES signature closed like a book's (B-LTA)."""
    return lambda pdf: signing.sign(pdf, SEAL_FIELD, seal)


@dataclass(frozen=True)
class Review:
    items: tuple[DisposalItem, ...]
    held: int
    """Objects whose period ended but a legal hold keeps."""


def review(
    disposals: SqlDisposals, holds: SqlHolds, school_code: str, now: datetime, school_year: str | None = None
) -> Review:
    """What reached the end of its retention (of the school, or of one of its years) and may be proposed (nothing
    is changed)."""
    policy = policy_for(_KIND)
    years = int(policy.period)
    before = now - timedelta(days=round(365.25 * years))
    covered = {d for hold in holds.holds(school_code, active_only=True) for d in holds.documents_of(hold.target)}
    items, held = [], 0
    for key, sha256, document_id, version, sealed_at in disposals.revisions_sealed_before(
        school_code, before, school_year
    ):
        if document_id in covered:
            held += 1
            continue
        ended = policy.retain_until(sealed_at)
        items.append(DisposalItem(key, sha256, document_id, version, policy.id, ended))
    return Review(tuple(items), held)


def propose(
    disposals: SqlDisposals, holds: SqlHolds, school_code: str, reason: str, by: str, now: datetime
) -> Disposal:
    found = review(disposals, holds, school_code, now)
    if not found.items:
        raise DisposalStateError("empty")
    return disposals.propose(school_code, found.items, reason, by, now)


def decide(
    disposals: SqlDisposals, disposal_id: str, by: str, approve: bool, reason: str | None, now: datetime
) -> Disposal:
    return disposals.decide(disposal_id, by, approve, reason, now)


def carry_out(
    archive: ArchiveService,
    disposals: SqlDisposals,
    holds: SqlHolds,
    disposal_id: str,
    school_name: str,
    by: str,
    now: datetime,
    seal: Sealer,
) -> Disposal:
    """Delete what an approved disposal lists (each only if nothing holds it now), then keep its certificate,
    sealed by `seal`. A run that stopped (a seal that failed, say) is run again: what was deleted is skipped, and
    the certificate is made then."""
    disposal = disposals.get(disposal_id)
    if disposal.status is not DisposalStatus.APPROVED:
        raise DisposalStateError("run", disposal_id=disposal_id, status=disposal.status.value)
    for item in disposal.items:
        if item.deleted_at is not None:
            continue  # a run that stopped halfway: this one is gone already
        if holds.holding(item.document_id):
            disposals.deleted(disposal_id, item.object_key, None, "held")
            continue
        try:
            archive.dispose_object(item.object_key)
        except ArchiveError as exc:
            disposals.deleted(disposal_id, item.object_key, None, exc.code)
            continue
        disposals.deleted(disposal_id, item.object_key, now)
    done = disposals.get(disposal_id)
    pdf = seal(
        render_disposal_certificate(done.school_code, school_name, disposal_id, _facts(done, by, now), _rows(done))
    )
    stored = archive.keep_object(f"certificates/{disposal_id}.pdf", pdf, "disposal_certificate")
    finished = disposals.finish(disposal_id, stored.key, stored.sha256, by, now)
    archive.anchor()
    return finished


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(VIETNAM):%d/%m/%Y %H:%M}" if moment else ""


def _facts(disposal: Disposal, by: str, now: datetime) -> list[tuple[str, str]]:
    left = [f"{i.object_key} ({i.note})" for i in disposal.items if i.deleted_at is None]
    return [
        ("Lý do đề xuất / reason", disposal.reason),
        ("Người đề xuất / proposed by", f"{disposal.proposed_by}, {_when(disposal.proposed_at)}"),
        ("Người duyệt / approved by", f"{disposal.decided_by}, {_when(disposal.decided_at)}"),
        ("Thực hiện / carried out by", f"{by}, {_when(now)}"),
        ("Không hủy / not deleted", "; ".join(left) or "—"),
    ]


def _rows(disposal: Disposal) -> list[list[str]]:
    return [
        [
            i.document_id,
            str(i.version),
            i.object_key,
            i.sha256,
            i.policy_id,
            f"{i.ended_at.astimezone(VIETNAM):%d/%m/%Y}",
        ]
        for i in disposal.items
        if i.deleted_at is not None
    ]


def disposal_json(disposal: Disposal) -> dict[str, object]:
    """A disposal as the console and the API show it."""
    return {
        "id": disposal.id,
        "school_code": disposal.school_code,
        "status": disposal.status.value,
        "reason": disposal.reason,
        "proposed_by": disposal.proposed_by,
        "proposed_at": disposal.proposed_at.isoformat(),
        "decided_by": disposal.decided_by,
        "decision_reason": disposal.decision_reason,
        "done_at": disposal.done_at.isoformat() if disposal.done_at else None,
        "certificate_key": disposal.certificate_key,
        "certificate_sha256": disposal.certificate_sha256,
        "items": [item_json(i) for i in disposal.items],
    }


def item_json(item: DisposalItem) -> dict[str, object]:
    return {
        "object_key": item.object_key,
        "sha256": item.sha256,
        "document_id": item.document_id,
        "version": item.version,
        "policy": item.policy_id,
        "ended_at": item.ended_at.isoformat(),
        "deleted_at": item.deleted_at.isoformat() if item.deleted_at else None,
        "note": item.note,
    }
