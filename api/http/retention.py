"""Legal holds over HTTP, for the school's archivist: place one on a book, a student, a class or a school year
(or see first what it would cover), ask for its release, and — another person, the archivist's colleague or
the principal — approve the release. The same workflow as `hocba retention hold|release|holds`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

from archive import DisposalStateError, DocumentStateError, Hold, HoldScope, HoldTarget, SqlDisposals, SqlHolds
from workflows import disposition
from workflows import holds as holding
from workflows.jobs import JobKind
from workflows.retention_report import as_csv, as_json, retention_report

from .access import Caller, allow, guarded_router, services
from .downloads import attachment
from .jobs import IdempotencyKey, JobView, started

router = guarded_router(prefix="/v1/retention", tags=["retention"])


class HoldBody(BaseModel):
    scope: Literal["book", "student", "class", "year"]
    document_id: str | None = Field(default=None, max_length=32, description="scope book")
    student_id: str | None = Field(default=None, max_length=64, description="scope student")
    school_year: str | None = Field(default=None, pattern=r"^\d{4}-\d{4}$", description="scopes class and year")
    class_name: str | None = Field(default=None, max_length=32, description="scope class")
    reason: str = Field(min_length=1, max_length=2000)
    reference: str = Field(min_length=1, max_length=500, description="What it answers to: a decision, a case")


class ReleaseBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class HoldView(BaseModel):
    id: str
    status: str = Field(description="active, release_asked or released")
    scope: str
    school_code: str
    document_id: str | None
    student_id: str | None
    school_year: str | None
    class_name: str | None
    reason: str
    reference: str
    placed_by: str
    placed_at: datetime
    release_reason: str | None
    release_asked_by: str | None
    released_by: str | None
    released_at: datetime | None

    @classmethod
    def of(cls, hold: Hold) -> HoldView:
        target = hold.target
        return cls(
            id=hold.id,
            status=hold.status.value,
            scope=target.scope.value,
            school_code=target.school_code,
            document_id=target.document_id,
            student_id=target.student_id,
            school_year=target.school_year,
            class_name=target.class_name,
            reason=hold.reason,
            reference=hold.reference,
            placed_by=hold.placed_by,
            placed_at=hold.placed_at,
            release_reason=hold.release_reason,
            release_asked_by=hold.release_asked_by,
            released_by=hold.released_by,
            released_at=hold.released_at,
        )


class HoldOutcomeView(BaseModel):
    hold: HoldView | None = Field(description="The hold (none on a dry run)")
    documents: list[str] | int = Field(description="The documents covered (their ids on a dry run)")
    objects: int = Field(description="Stored objects whose legal hold was put on or lifted (covered, on a dry run)")


def target_of(caller: Caller, body: HoldBody) -> HoldTarget:
    """The hold's target within the caller's school (a scope's missing field is refused by the workflow)."""
    return HoldTarget(
        HoldScope(body.scope),
        caller.account.school_code or "",
        document_id=body.document_id if body.scope == "book" else None,
        student_id=body.student_id if body.scope == "student" else None,
        school_year=body.school_year if body.scope in ("class", "year") else None,
        class_name=body.class_name if body.scope == "class" else None,
    )


def _holds(request: Request) -> SqlHolds:
    return SqlHolds(services(request).engine)


@router.get("/holds")
def list_holds(
    request: Request,
    caller: Annotated[Caller, allow("retention.read")],
    active: Annotated[bool, Query(description="Only those not released")] = False,
) -> list[HoldView]:
    """The school's legal holds, oldest first."""
    return [HoldView.of(h) for h in _holds(request).holds(caller.account.school_code, active_only=active)]


@router.post("/holds", status_code=201)
def place_hold(
    request: Request,
    response: Response,
    body: HoldBody,
    caller: Annotated[Caller, allow("retention.hold")],
    dry_run: Annotated[bool, Query(alias="dry_run", description="Say what it would cover; change nothing")] = False,
) -> HoldOutcomeView:
    """Hold back from disposal a book, a student's books, a class or a school year of the caller's school."""
    holds, target = _holds(request), target_of(caller, body)
    if dry_run:
        documents = holds.documents_of(target)
        response.status_code = 200
        return HoldOutcomeView(hold=None, documents=documents, objects=len(holds.object_keys(documents)))
    by = caller.account.username
    placed = holding.place(services(request).archive(), holds, target, body.reason, body.reference, by, _now())
    return HoldOutcomeView(hold=HoldView.of(placed.hold), documents=placed.documents, objects=placed.objects)


@router.post("/holds/{hold_id}/release")
def ask_release(
    request: Request,
    hold_id: str,
    body: ReleaseBody,
    caller: Annotated[Caller, allow("retention.hold")],
    dry_run: Annotated[bool, Query(description="Check it may be asked; change nothing")] = False,
) -> HoldView:
    """Ask for the hold's release, saying why; it stays until another person approves."""
    by = caller.account.username
    if dry_run:
        return HoldView.of(_holds(request).releasable(hold_id, by, approve=False))
    return HoldView.of(holding.ask_release(_holds(request), hold_id, by, body.reason, _now()))


@router.post("/holds/{hold_id}/approve")
def approve_release(
    request: Request,
    hold_id: str,
    caller: Annotated[Caller, allow("retention.release")],
    dry_run: Annotated[
        bool, Query(description="Check it may be approved; say what it covers and would free; change nothing")
    ] = False,
) -> HoldOutcomeView:
    """Approve a release someone else asked for: the hold ends, and the objects no other hold covers lose their
    legal hold."""
    if dry_run:
        seen = holding.release_preview(_holds(request), hold_id, caller.account.username, approve=True)
        return HoldOutcomeView(hold=HoldView.of(seen.hold), documents=seen.documents, objects=seen.objects)
    archive, by = services(request).archive(), caller.account.username
    done = holding.approve_release(archive, _holds(request), hold_id, by, _now())
    return HoldOutcomeView(hold=HoldView.of(done.hold), documents=done.documents, objects=done.objects)


class RenewalBody(BaseModel):
    within_years: int = Field(default=5, ge=1, le=50, description="Renew archive timestamps ending within N years")
    dry_run: bool = Field(default=False, description="List what is due; change nothing")


@router.post("/renewals", status_code=202)
def start_renewal(
    request: Request,
    response: Response,
    body: RenewalBody,
    caller: Annotated[Caller, allow("retention.renew")],
    idempotency_key: IdempotencyKey = None,
) -> JobView:
    """Renew the archive timestamps of the school's sealed books that end within the window (a job; its result
    lists what was due, renewed or failed)."""
    params = {"within_years": body.within_years, "dry_run": body.dry_run}
    return started(request, response, JobKind.RENEWAL, caller, params, idempotency_key)


@router.get(
    "/report",
    responses={200: {"content": {"text/csv": {}}, "description": "with format=csv: one row per hold and renewal"}},
)
def read_report(
    request: Request,
    caller: Annotated[Caller, allow("retention.read")],
    year: Annotated[str | None, Query(pattern=r"^\d{4}-\d{4}$")] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """The school's retention report: legal holds, renewals of archive timestamps, locks per policy."""
    school = caller.account.school_code or ""
    found = retention_report(services(request).archive(), _holds(request), _disposals(request), school, year)
    if format == "csv":
        name = f"luu-tru-{school}-{year or 'tat-ca'}.csv"
        return attachment(as_csv(found), "text/csv; charset=utf-8", name)
    return as_json(found)


class ProposalBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class DecisionBody(BaseModel):
    approve: bool
    reason: str | None = Field(default=None, max_length=2000, description="Why the objects are kept (required)")


def _disposals(request: Request) -> SqlDisposals:
    return SqlDisposals(services(request).engine)


@router.get("/review")
def read_review(request: Request, caller: Annotated[Caller, allow("retention.read")]) -> dict[str, Any]:
    """What reached the end of its retention and may be proposed for disposal (nothing is changed)."""
    found = disposition.review(_disposals(request), _holds(request), caller.account.school_code or "", _now())
    return {"items": [disposition.item_json(i) for i in found.items], "held": found.held}


@router.get("/disposals")
def list_disposals(request: Request, caller: Annotated[Caller, allow("retention.read")]) -> list[dict[str, Any]]:
    """The school's disposals, oldest first."""
    return [disposition.disposal_json(d) for d in _disposals(request).disposals(caller.account.school_code)]


@router.post("/disposals", status_code=201)
def propose_disposal(
    request: Request, body: ProposalBody, caller: Annotated[Caller, allow("retention.hold")]
) -> dict[str, Any]:
    """Propose for disposal what the review lists (the archivist); the principal decides."""
    school = caller.account.school_code or ""
    made = disposition.propose(
        _disposals(request), _holds(request), school, body.reason, caller.account.username, _now()
    )
    return disposition.disposal_json(made)


@router.post("/disposals/{disposal_id}/decide")
def decide_disposal(
    request: Request, disposal_id: str, body: DecisionBody, caller: Annotated[Caller, allow("retention.decide")]
) -> dict[str, Any]:
    """Approve a disposal, or keep the objects with a reason (the principal; never whoever proposed it)."""
    by = caller.account.username
    done = disposition.decide(_disposals(request), disposal_id, by, body.approve, body.reason, _now())
    return disposition.disposal_json(done)


@router.post("/disposals/{disposal_id}/run")
def run_disposal(
    request: Request, disposal_id: str, caller: Annotated[Caller, allow("retention.hold")]
) -> dict[str, Any]:
    """Carry out an approved disposal: each object deleted only if nothing holds it, then the certificate kept."""
    disposals = _disposals(request)
    school = disposals.school_name(caller.account.school_code or "")
    built, by = services(request), caller.account.username
    seal = built.school_seal()
    done = disposition.carry_out(built.archive(), disposals, _holds(request), disposal_id, school, by, _now(), seal)
    return disposition.disposal_json(done)


def _now() -> datetime:
    return datetime.now(UTC)


@router.get(
    "/disposals/{disposal_id}/certificate",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The certificate of destruction"}},
)
def disposal_certificate(
    request: Request, disposal_id: str, caller: Annotated[Caller, allow("retention.read")]
) -> Response:
    """The certificate of destruction of a disposal carried out (PDF/A-3b)."""
    found = _disposals(request).get(disposal_id)
    if not found.certificate_key:
        raise DisposalStateError("certificate", disposal_id=disposal_id, status=found.status.value)
    data = services(request).archive().kept_object(found.certificate_key)
    name = f"{disposal_id}.pdf"
    return attachment(data, "application/pdf", name)


@router.get(
    "/evidence/{document_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The evidence record (RFC 4998)"}},
)
def evidence_record(
    request: Request,
    document_id: str,
    caller: Annotated[Caller, allow("retention.read")],
    version: Annotated[int | None, Query(ge=1, description="The version (default: the latest)")] = None,
) -> Response:
    """A sealed PDF/A-1b book's evidence record (RFC 4998), the long-term proof kept beside a book that cannot
    carry an archive timestamp; `hocba verify BOOK --evidence FILE` checks the two."""
    archive = services(request).archive()
    found = archive.version(document_id, version)
    record = archive.evidence(found)
    if record is None:
        raise DocumentStateError("no_evidence", document_id=document_id, version=found.version)
    name = f"{document_id}-v{found.version}.ers"
    return attachment(record, "application/octet-stream", name)
