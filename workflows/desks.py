"""What the signing pages show, read from the archive: the books waiting for a signer and those they signed; a
class's progress per signer (the homeroom teacher's view); a school's progress per class and per step (the
principal's). A signer's own books are read from their PDFs (every kind of document, exactly); the counts over
a class or a school from the index: each book's plan from its record, the fields signed from its revisions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache

from archive import (
    ArchiveService,
    BookEntry,
    BookQuery,
    DocumentKind,
    SchoolCounts,
    SignedFields,
    SqlBookIndex,
    VersionStatus,
)
from records import Record, Role, SigningPlan, signing_plan

from .books import FieldState, FieldStatus, field_states, states_of


class Step(StrEnum):
    """Where a record book stands in its signing order."""

    SUBJECTS = "subject_teachers"
    HOMEROOM = "homeroom"
    PRINCIPAL = "principal"
    SEAL = "seal"
    SEALED = "sealed"


_STEPS = {
    Role.SUBJECT_TEACHER: Step.SUBJECTS,
    Role.HOMEROOM_TEACHER: Step.HOMEROOM,
    Role.PRINCIPAL: Step.PRINCIPAL,
    Role.ACTING_PRINCIPAL: Step.PRINCIPAL,
    Role.SCHOOL_SEAL: Step.SEAL,
}


@dataclass(frozen=True)
class SignerBook:
    """One of a signer's books: every field of its plan, and theirs."""

    book: BookEntry
    fields: tuple[FieldState, ...]
    mine: tuple[FieldState, ...]

    @property
    def waiting_field(self) -> str | None:
        """The signer's field that may be signed now, if any."""
        return next((s.field for s in self.mine if s.status is FieldStatus.WAITING), None)


@dataclass(frozen=True)
class SignerDesk:
    waiting: tuple[SignerBook, ...]
    """Books with a field of the signer's that may be signed now."""
    later: tuple[SignerBook, ...]
    """Books where the signer's turn has not come."""
    signed: tuple[SignerBook, ...]
    """Books where every field of the signer's is signed."""

    def by_class(self) -> dict[str, list[SignerBook]]:
        """The waiting books by class, classes in order."""
        grouped: dict[str, list[SignerBook]] = defaultdict(list)
        for entry in self.waiting:
            grouped[entry.book.class_name or ""].append(entry)
        return dict(sorted(grouped.items()))


def signer_desk(index: SqlBookIndex, archive: ArchiveService, query: BookQuery, staff_id: str) -> SignerDesk:
    """The books `query` finds that name `staff_id`, sorted by where the signer's turn stands. Record books are
    read from the index (their plan from their record, the fields signed from their revisions); other documents
    (correction minutes) from their PDF."""
    books = [b for b in index.books(query) if b.version.status is not VersionStatus.SUPERSEDED]
    indexed = _indexed_states(index, books)
    waiting, later, signed = [], [], []
    for book in books:
        document_id = book.version.document_id
        states = indexed.get(document_id) or tuple(field_states(archive.latest(document_id)))
        mine = tuple(s for s in states if s.signer_id == staff_id)
        if not mine:
            continue
        entry = SignerBook(book, states, mine)
        if entry.waiting_field is not None:
            waiting.append(entry)
        elif all(s.status is FieldStatus.SIGNED for s in mine):
            signed.append(entry)
        else:
            later.append(entry)
    return SignerDesk(tuple(waiting), tuple(later), tuple(signed))


def _indexed_states(index: SqlBookIndex, books: list[BookEntry]) -> dict[str, tuple[FieldState, ...]]:
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for book in books:
        if book.kind is DocumentKind.HOC_BA:
            wanted[(book.school_code, book.school_year)].add(book.version.document_id)
    found = {}
    for (school_code, school_year), ids in wanted.items():
        for row in index.signed_fields(school_code, school_year, document_ids=ids):
            plan = _record_plan(row.record_json)
            if row.fields <= set(plan.fields()):  # else a plan of another time: its PDF says what it holds
                found[row.document_id] = tuple(states_of(plan, row.fields))
    return found


@dataclass
class SignerProgress:
    """One field of a class's plan (a subject row, the homeroom's, the principal's) over the class's books."""

    field: str
    label: str
    signer_id: str
    signer_name: str
    step: Step
    signed: int = 0
    waiting: int = 0
    later: int = 0


@dataclass
class SchoolProgress:
    """A school's record books per class and per step."""

    classes: dict[str, dict[Step, int]] = field(default_factory=dict)

    def total(self, step: Step) -> int:
        return sum(counts.get(step, 0) for counts in self.classes.values())


@lru_cache(maxsize=2048)
def _record_plan(record_json: str) -> SigningPlan:
    """The plan a stored record implies. Kept for a while: one page reads a class's plans more than once (the
    homeroom teacher's books, then their class per signer), and a record version never changes."""
    return signing_plan(Record.model_validate_json(record_json))


def _plan_of(book: SignedFields) -> list[tuple[str, str, str, str, Step, int]]:
    plan = _record_plan(book.record_json)
    return [(e.field, e.label, e.signer_id, e.signer_name, _STEPS[e.role], e.group) for e in plan.entries]


def _step(book: SignedFields, plan: list[tuple[str, str, str, str, Step, int]]) -> Step:
    if book.status in (VersionStatus.SEALED, VersionStatus.SEALING):
        return Step.SEALED if book.status is VersionStatus.SEALED else Step.SEAL
    open_steps = [(group, step) for name, _, _, _, step, group in plan if name not in book.fields]
    return min(open_steps)[1] if open_steps else Step.SEAL


def class_progress(index: SqlBookIndex, school_code: str, school_year: str, class_name: str) -> list[SignerProgress]:
    """Every field of the class's plans, in plan order, with how many of the class's books have it signed,
    waiting for its signer, or not yet their turn."""
    rows: dict[str, SignerProgress] = {}
    for book in index.signed_fields(school_code, school_year, class_name):
        plan = _plan_of(book)
        current = min((group for name, *_, group in plan if name not in book.fields), default=None)
        for name, label, signer_id, signer_name, step, group in plan:
            row = rows.setdefault(name, SignerProgress(name, label, signer_id, signer_name, step))
            if name in book.fields:
                row.signed += 1
            elif group == current:
                row.waiting += 1
            else:
                row.later += 1
    return list(rows.values())


def school_progress(index: SqlBookIndex, school_code: str, school_year: str | None = None) -> SchoolProgress:
    """The school's record books per class and per step (each book counted at the step it waits for)."""
    progress = SchoolProgress()
    for book in index.signed_fields(school_code, school_year):
        if book.status is VersionStatus.SUPERSEDED:
            continue
        step = _step(book, _plan_of(book))
        counts = progress.classes.setdefault(book.class_name or "", {})
        counts[step] = counts.get(step, 0) + 1
    progress.classes = dict(sorted(progress.classes.items()))
    return progress


def deadline_of(school_year: str, month_day: str) -> date:
    """The day a school year's books should be sealed by: `month_day` (MM-DD) of the year the school year ends."""
    month, day = (int(part) for part in month_day.split("-"))
    return date(int(school_year[-4:]), month, day)


def late_schools(counts: list[SchoolCounts], school_year: str, month_day: str, today: date) -> list[SchoolCounts]:
    """The schools with books of `school_year` still being signed or sealed after its deadline."""
    if today <= deadline_of(school_year, month_day):
        return []
    unfinished = (VersionStatus.SIGNING.value, VersionStatus.SEALING.value)
    return [school for school in counts if any(school.counts.get(status, 0) for status in unfinished)]
