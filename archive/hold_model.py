"""Legal holds (pure): an archivist stops the disposal of a school's records while an inspection or a dispute
needs them — one book, one student's books, a class of a school year, or a whole school year. A hold is placed
by one person and released by two: one asks, with a reason, and another approves. While a hold is active every
stored object of the documents it covers carries the storage's legal hold, and nothing covered is disposed of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class HoldScope(StrEnum):
    BOOK = "book"
    """One document (its every version)."""
    STUDENT = "student"
    """Every document of one student at the school."""
    CLASS = "class"
    """Every document of a class in a school year."""
    YEAR = "year"
    """Every document of the school's year."""


class HoldStatus(StrEnum):
    ACTIVE = "active"
    RELEASE_ASKED = "release_asked"
    """Someone asked for the release; the hold stays until another person approves."""
    RELEASED = "released"


@dataclass(frozen=True)
class HoldTarget:
    """What a hold covers, within one school."""

    scope: HoldScope
    school_code: str
    document_id: str | None = None
    student_id: str | None = None
    school_year: str | None = None
    class_name: str | None = None

    @property
    def label(self) -> str:
        match self.scope:
            case HoldScope.BOOK:
                return f"book {self.document_id}"
            case HoldScope.STUDENT:
                return f"student {self.student_id}"
            case HoldScope.CLASS:
                return f"class {self.class_name} {self.school_year}"
            case HoldScope.YEAR:
                return f"year {self.school_year}"


@dataclass(frozen=True)
class Hold:
    id: str
    target: HoldTarget
    reason: str
    reference: str
    """What the hold answers to: the inspection's decision, the court's case number, the complaint's file."""
    placed_by: str
    placed_at: datetime
    status: HoldStatus = HoldStatus.ACTIVE
    release_reason: str | None = None
    release_asked_by: str | None = None
    release_asked_at: datetime | None = None
    released_by: str | None = None
    """The second person, who approved the release."""
    released_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status is not HoldStatus.RELEASED
