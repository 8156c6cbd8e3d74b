"""The correction workflow (request → approval or refusal → witness → corrected book and minutes), composed from
the record rules, the renderer and the archive. Every step is audited by the archive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from archive import ArchiveService, BookFacts, Correction, DocumentKind, SqlCorrections, StaffFacts
from records import (
    Change,
    CorrectionRefusedError,
    Minutes,
    Record,
    apply_changes,
    check_people,
    check_principal,
    error,
    parse_bytes,
    plan_changes,
)
from templates import RenderedDocument, RenderOptions, render, render_minutes

from .lifecycle import book_facts


def _record(record_json: str) -> Record:
    (item,) = parse_bytes(record_json.encode(), "archive").records
    if item.record is None:
        raise CorrectionRefusedError(list(item.problems))
    return item.record


def _changes(correction: Correction) -> tuple[Change, ...]:
    return tuple(Change(c["path"], c["before"], c["after"]) for c in json.loads(correction.changes))


def request(
    corrections: SqlCorrections,
    document_id: str,
    assignments: list[tuple[str, object]],
    reason: str,
    by: str,
    witness: str,
    now: datetime,
) -> Correction:
    _, record_json = corrections.sealed_record(document_id)
    record = _record(record_json)
    problems = check_people(record, by, witness)
    changes, more = plan_changes(record, assignments)
    problems += more
    if not reason.strip():
        problems.append(error("field.empty", "reason"))
    if not problems:
        problems += list(apply_changes(record, changes).errors)
    if problems:
        raise CorrectionRefusedError(problems)
    text = json.dumps([c.as_dict() for c in changes], ensure_ascii=False, sort_keys=True)
    correction, _ = corrections.request(document_id, text, reason.strip(), by, witness, now)
    return correction


def decide(
    corrections: SqlCorrections, correction_id: str, by: str, approve: bool, refusal: str | None, now: datetime
) -> Correction:
    correction = corrections.get(correction_id)
    _, record_json = corrections.sealed_record(correction.document_id)
    problems = check_principal(_record(record_json), by)
    if not approve and not (refusal or "").strip():
        problems.append(error("field.empty", "reason"))
    if problems:
        raise CorrectionRefusedError(problems)
    return corrections.decide(correction_id, by, approve, refusal, now)


@dataclass(frozen=True)
class Witnessed:
    correction: Correction
    book: RenderedDocument
    """The corrected book, registered in the archive as the document's next version, ready for signing."""
    book_facts: BookFacts
    minutes: RenderedDocument
    """The minutes, registered as a document of kind ``correction_minutes``, ready for signing."""
    minutes_facts: BookFacts


def witness(
    archive: ArchiveService,
    corrections: SqlCorrections,
    correction_id: str,
    by: str,
    now: datetime,
    options: RenderOptions | None = None,
) -> Witnessed:
    current = corrections.get(correction_id)
    if by != current.witness_id:
        raise CorrectionRefusedError([error("correction.not_witness", "by", who=by, expected=current.witness_id)])
    _, record_json = corrections.sealed_record(current.document_id)
    report = apply_changes(_record(record_json), _changes(current))
    if report.record is None:  # the rules changed since the request: nothing is recorded
        raise CorrectionRefusedError(list(report.errors))
    corrected = report.record
    book = render(corrected, options)
    book_about = book_facts(corrected)
    done = corrections.witness(correction_id, by, book_about.record_json, now)
    archive.register(book_about, book.pdf, actor=by)
    minutes = Minutes(
        correction_id,
        current.document_id,
        current.version,
        corrected,
        _changes(current),
        current.reason,
        current.requester_id,
        current.witness_id,
        current.decided_at or now,
        now,
    )
    rendered = render_minutes(minutes, options)
    facts = BookFacts(
        document_id=rendered.document_id,
        kind=DocumentKind.CORRECTION_MINUTES,
        school_code=corrected.school.code,
        school_name=corrected.school.name,
        school_year=corrected.school_year,
        student_id=corrected.student.personal_id,
        student_name=corrected.student.full_name,
        content_hash=rendered.content_hash,
        record_json=json.dumps(minutes.content(), ensure_ascii=False, sort_keys=True),
        staff=tuple(StaffFacts(m.id, m.full_name, m.position) for m in corrected.staff),
        class_name=corrected.class_name,
        province=corrected.school.province,
    )
    archive.register(facts, rendered.pdf, actor=by)
    corrections.link_minutes(correction_id, rendered.document_id, now)
    return Witnessed(done, book, book_about, rendered, facts)
