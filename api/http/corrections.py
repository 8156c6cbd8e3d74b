"""Corrections of sealed books: a teacher requests one (the changes, the reason, a witness), the principal (or
the deputy acting for them) approves or refuses it, the witness confirms; the corrected book and the minutes
then wait in the archive for their signatures, and sealing the corrected book supersedes the old one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Request
from pydantic import BaseModel, Field

from archive import Correction, CorrectionStatus, SqlCorrections
from workflows import corrections as correcting

from .access import Caller, allow, guarded_router, services

router = guarded_router(prefix="/v1", tags=["corrections"])


class ChangeBody(BaseModel):
    path: str = Field(max_length=200, examples=["subjects[toan].term2"])
    value: Any = Field(description="The new value (a number, a text, or null)")


class CorrectionRequest(BaseModel):
    changes: list[ChangeBody] = Field(min_length=1, max_length=50)
    reason: str = Field(min_length=1, max_length=2000)
    witness: str = Field(max_length=64, description="The staff id of the designated witness")


class Decision(BaseModel):
    reason: str | None = Field(default=None, max_length=2000, description="Why a request is refused (required)")


class CorrectionView(BaseModel):
    id: str
    document_id: str
    version: int
    status: CorrectionStatus
    changes: list[dict[str, Any]]
    reason: str
    requester_id: str
    witness_id: str
    principal_id: str | None
    refusal: str | None
    minutes_document_id: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, correction: Correction) -> CorrectionView:
        fields = {k: v for k, v in correction.__dict__.items() if k in cls.model_fields and k != "changes"}
        return cls(**fields, changes=json.loads(correction.changes))


def _ledger(request: Request) -> SqlCorrections:
    return SqlCorrections(services(request).engine)


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("/books/{document_id}/corrections", status_code=201)
def request_correction(
    request: Request, document_id: str, body: CorrectionRequest, caller: Annotated[Caller, allow("corrections.request")]
) -> CorrectionView:
    """Ask for a correction of a sealed book (the caller is the requester)."""
    assignments = [(change.path, change.value) for change in body.changes]
    by = caller.account.staff_id or ""
    made = correcting.request(_ledger(request), document_id, assignments, body.reason, by, body.witness, _now())
    return CorrectionView.of(made)


@router.get("/corrections")
def list_corrections(
    request: Request,
    caller: Annotated[Caller, allow("corrections.read")],
    document_id: str | None = None,
    status: CorrectionStatus | None = None,
) -> list[CorrectionView]:
    """The corrections of the books the caller may see, oldest first."""
    books = services(request).books()
    seen: dict[str, bool] = {}
    found = []
    for correction in _ledger(request).list(document_id, status):
        if correction.document_id not in seen:
            seen[correction.document_id] = caller.sees_book(books.book(correction.document_id))
        if seen[correction.document_id]:
            found.append(CorrectionView.of(correction))
    return found


@router.post("/corrections/{correction_id}/approve")
def approve_correction(
    request: Request, correction_id: str, caller: Annotated[Caller, allow("corrections.decide")]
) -> CorrectionView:
    """Approve a request (the principal, or the deputy acting for them)."""
    by = caller.account.staff_id or ""
    return CorrectionView.of(correcting.decide(_ledger(request), correction_id, by, True, None, _now()))


@router.post("/corrections/{correction_id}/refuse")
def refuse_correction(
    request: Request, correction_id: str, body: Decision, caller: Annotated[Caller, allow("corrections.decide")]
) -> CorrectionView:
    """Refuse a request, saying why."""
    by = caller.account.staff_id or ""
    return CorrectionView.of(correcting.decide(_ledger(request), correction_id, by, False, body.reason, _now()))


@router.post("/corrections/{correction_id}/witness")
def witness_correction(
    request: Request, correction_id: str, caller: Annotated[Caller, allow("corrections.witness")]
) -> CorrectionView:
    """Confirm as the designated witness: the corrected book and the minutes are rendered and kept in the
    archive, waiting for their signatures."""
    options = services(request).render_options()
    by = caller.account.staff_id or ""
    ledger = _ledger(request)
    correcting.witness(services(request).archive(), ledger, correction_id, by, _now(), options)
    return CorrectionView.of(ledger.get(correction_id))  # with the minutes it now links to
