"""Certified copies of a sealed book ("cấp bản sao từ sổ gốc"). Pure rules, no storage: who may ask
(NĐ 23/2015/NĐ-CP, Đ.16), the forms and their numbers (NĐ 30/2020/NĐ-CP, Đ.25–27, Phụ lục I), what a copy states
and its signing plan (the person the principal designated to sign copies → the school's seal).

No Ministry text yet defines a học bạ số copy: the wording and the number's prefix are kept here, in one place.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from .model import Record
from .plan import SEAL_FIELD, PlanEntry, Role, SigningPlan, signing_plan

COPY_SIGNER_FIELD = "nguoi_ky_sao"


class CopyForm(StrEnum):
    SAO_Y = "sao_y"
    """The whole book."""
    TRICH_SAO = "trich_sao"
    """An extract: chosen pages, with a note of what was extracted."""

    @property
    def heading(self) -> str:
        return "SAO Y" if self is CopyForm.SAO_Y else "TRÍCH SAO"

    @property
    def prefix(self) -> str:
        """The number's form mark: `12/SY-…`, `13/TrS-…` (one running number across both forms)."""
        return "SY" if self is CopyForm.SAO_Y else "TrS"


class Requester(StrEnum):
    """Who asks (NĐ 23/2015/NĐ-CP, Đ.16): the person the record belongs to, a parent or legal guardian, a
    representative with an authorisation, or a close relative (parent, child, spouse, sibling, heir) when the
    student has died."""

    STUDENT = "student"
    GUARDIAN = "guardian"
    REPRESENTATIVE = "representative"
    RELATIVE = "relative"


@dataclass(frozen=True)
class Asker:
    """Who asked, as the clerk records it: their name, how they stand to the student, and the identity document
    the clerk checked (with the authorisation or proof of relationship when not the student)."""

    kind: Requester
    full_name: str
    relationship: str = ""
    """A guardian's or relative's relationship ("mẹ", "bố", "anh trai"…); a representative's authorisation."""
    identity_document: str = ""
    """The document checked at the counter (kind and number), empty until the clerk has checked it."""
    student_deceased: bool = False
    """A relative may ask only when the student has died (the clerk records that they saw the proof)."""


def asker_problem(asker: Asker) -> str | None:
    """The catalogue variant of why this person may not ask, or None when they may."""
    if not asker.full_name.strip():
        return "name"
    if asker.kind is not Requester.STUDENT and not asker.relationship.strip():
        return "relationship"
    if asker.kind is Requester.RELATIVE and not asker.student_deceased:
        return "relative"
    return None


@dataclass(frozen=True)
class CopySigner:
    """The person the principal designated to sign copies (Đ.27): often the office (văn thư) or a deputy, who
    need not be named in the book itself."""

    staff_id: str
    full_name: str
    title: str
    """As printed above the signature, e.g. "TL. HIỆU TRƯỞNG / CHÁNH VĂN PHÒNG" or "KT. HIỆU TRƯỞNG"."""


CUTOFF_HOUR = 15
"""A request received after 15:00 is answered the next working day (NĐ 23/2015/NĐ-CP, Đ.7)."""


def due_on(received: datetime) -> date:
    """The day a copy is due: the same working day, or the next one when received after 15:00 or on a day off
    (Saturday, Sunday; public holidays are the school's to add). `received` in the school's local time."""
    day = received.date()
    if received.hour >= CUTOFF_HOUR or day.weekday() >= 5:
        day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def copy_number(number: int, form: CopyForm, school_abbreviation: str) -> str:
    """The number printed on the copy, e.g. `07/SY-THCSNT`."""
    return f"{number:02d}/{form.prefix}-{school_abbreviation}"


@dataclass(frozen=True)
class Copy:
    """What a certified copy states. Its document id is derived from the book and the number, so the same issue
    always gives the same id (an issue tried again after a failure makes the same copy)."""

    original_id: str
    original_version: int
    original_sha256: str
    """The sealed version copied, as the archive keeps it (embedded in the copy, byte for byte)."""
    record: Record
    form: CopyForm
    number: int
    number_year: int
    school_abbreviation: str
    reissue: int
    """Lần cấp lại thứ N: the copies of this book issued before, plus one."""
    asker: Asker
    signer: CopySigner
    issued_at: datetime
    place: str
    pages: tuple[int, ...] = field(default=())
    """For an extract, the original's pages (from 1) it reproduces; empty for SAO Y."""
    printable: bool = False
    """To be printed: the cross-page seal (dấu giáp lai) is drawn on the sheets' right edges. The electronic
    copy carries the school's organisation signature instead (NĐ 30/2020/NĐ-CP, Đ.33)."""

    def copy_id(self) -> str:
        seed = f"copy|{self.original_id}|{self.record.school.code}|{self.number_year}|{self.number}"
        code = base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode()[:16]
        return "BS-" + "-".join(code[i : i + 4] for i in range(0, 16, 4))

    def number_text(self) -> str:
        return copy_number(self.number, self.form, self.school_abbreviation)

    def content(self) -> dict[str, Any]:
        """The copy's facts as embedded in it (hocba-copy/1) and hashed into its QR code."""
        return {
            "format": "hocba-copy/1",
            "copy_id": self.copy_id(),
            "form": self.form.value,
            "number": self.number_text(),
            "reissue": self.reissue,
            "original": {"document_id": self.original_id, "version": self.original_version},
            "original_sha256": self.original_sha256,
            "pages": list(self.pages),
            "variant": "printable" if self.printable else "electronic",
            "school": {"code": self.record.school.code, "name": self.record.school.name},
            "school_year": self.record.school_year,
            "student": {"full_name": self.record.student.full_name},
            "requester": {"kind": self.asker.kind.value, "full_name": self.asker.full_name},
            "signer": {"staff_id": self.signer.staff_id, "full_name": self.signer.full_name},
            "issued_at": self.issued_at.isoformat(),
            "place": self.place,
        }


def copy_plan(record: Record, signer: CopySigner) -> SigningPlan:
    """The designated signer, then the school's seal, which closes the copy for the long term like a book."""
    seal = signing_plan(record).entry(SEAL_FIELD)
    return SigningPlan(
        (
            PlanEntry(COPY_SIGNER_FIELD, Role.COPY_SIGNER, 1, signer.staff_id, signer.full_name, signer.title),
            PlanEntry(SEAL_FIELD, Role.SCHOOL_SEAL, 2, seal.signer_id, seal.signer_name, seal.label),
        )
    )
