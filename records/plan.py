"""The signing plan a record implies: who signs which field, in which order group.

THCS/THPT: every non-exempt subject row's teacher (any order among them) → homeroom teacher → principal (or
the acting deputy) → the school's organisation seal. Tiểu học: homeroom teacher → principal → seal.
Field names are stable and part of the product's interface: ``gvbm.<subject code>``, ``gvcn``,
``hieu_truong``, ``dau_truong``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from .model import Record

PLAN_VERSION = 1
SEAL_FIELD = "dau_truong"
PRINCIPAL_FIELD = "hieu_truong"
HOMEROOM_FIELD = "gvcn"
SUBJECT_FIELD_PREFIX = "gvbm."
REQUESTER_FIELD = "nguoi_de_nghi"
WITNESS_FIELD = "nguoi_chung_kien"
ARCHIVE_TIMESTAMP_FIELD = "luu_tru"
"""Not a signer's field: the document timestamp field created when the seal closes the book (B-LTA). It is
created then, not at render time: after the seal's "no changes" lock only a new timestamp field may appear;
filling a field that already existed would count as a forbidden form change."""


class Role(StrEnum):
    SUBJECT_TEACHER = "subject_teacher"
    HOMEROOM_TEACHER = "homeroom_teacher"
    PRINCIPAL = "principal"
    ACTING_PRINCIPAL = "acting_principal"
    SCHOOL_SEAL = "school_seal"
    CORRECTION_REQUESTER = "correction_requester"
    CORRECTION_WITNESS = "correction_witness"
    COPY_SIGNER = "copy_signer"
    """Whom the principal designated to sign certified copies."""


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One signature field of the plan."""

    field: str
    """The PDF signature field's fully qualified name."""
    role: Role
    group: int
    """Order group, from 1: every field of a group must be signed before any field of the next."""
    signer_id: str
    """The staff id, or ``school:<code>`` for the organisation seal."""
    signer_name: str
    """Full name as the record gives it (the school's name for the seal)."""
    label: str
    """The role as printed in Vietnamese, e.g. "Giáo viên bộ môn Toán"."""
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class SigningPlan:
    entries: tuple[PlanEntry, ...]

    def fields(self) -> list[str]:
        return [e.field for e in self.entries]

    def entry(self, field: str) -> PlanEntry:
        for e in self.entries:
            if e.field == field:
                return e
        raise KeyError(field)

    def to_json(self) -> str:
        data = {"version": PLAN_VERSION, "entries": [asdict(e) for e in self.entries]}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> SigningPlan:
        data: dict[str, Any] = json.loads(text)
        if data.get("version") != PLAN_VERSION:
            raise ValueError(f"unsupported signing plan version {data.get('version')!r}")
        return cls(tuple(PlanEntry(**{**e, "role": Role(e["role"])}) for e in data["entries"]))


def signing_plan(record: Record) -> SigningPlan:
    staff = record.staff_by_id()
    entries: list[PlanEntry] = []
    group = 1
    if record.level != "tieu_hoc":
        for s in record.subjects:
            if s.exempt or s.teacher_id is None:
                continue
            teacher = staff[s.teacher_id]
            entries.append(
                PlanEntry(
                    f"{SUBJECT_FIELD_PREFIX}{s.code}",
                    Role.SUBJECT_TEACHER,
                    group,
                    teacher.id,
                    teacher.full_name,
                    f"Giáo viên bộ môn {s.name}",
                    s.code,
                )
            )
        group += 1
    homeroom = staff[record.signers.homeroom_teacher]
    entries.append(
        PlanEntry(
            HOMEROOM_FIELD,
            Role.HOMEROOM_TEACHER,
            group,
            homeroom.id,
            homeroom.full_name,
            "Giáo viên chủ nhiệm",
        )
    )
    acting = record.signers.principal_acting
    if acting:
        deputy = staff[acting]
        principal = PlanEntry(
            PRINCIPAL_FIELD,
            Role.ACTING_PRINCIPAL,
            group + 1,
            deputy.id,
            deputy.full_name,
            "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG",
        )
    else:
        head = staff[record.signers.principal]
        principal = PlanEntry(PRINCIPAL_FIELD, Role.PRINCIPAL, group + 1, head.id, head.full_name, "HIỆU TRƯỞNG")
    entries.append(principal)
    entries.append(
        PlanEntry(
            SEAL_FIELD,
            Role.SCHOOL_SEAL,
            group + 2,
            f"school:{record.school.code}",
            record.school.name,
            "Dấu của nhà trường",
        )
    )
    return SigningPlan(tuple(entries))


def minutes_plan(record: Record, requester_id: str, witness_id: str) -> SigningPlan:
    """The plan of the minutes of a correction ("Biên bản điều chỉnh kết quả"): requester → witness →
    principal (or the acting deputy) → the school's seal, which closes it for the long term like a book."""
    staff = record.staff_by_id()
    requester, witness = staff[requester_id], staff[witness_id]
    book = signing_plan(record)
    principal, seal = book.entry(PRINCIPAL_FIELD), book.entry(SEAL_FIELD)
    return SigningPlan(
        (
            PlanEntry(
                REQUESTER_FIELD,
                Role.CORRECTION_REQUESTER,
                1,
                requester.id,
                requester.full_name,
                "Người đề nghị điều chỉnh",
            ),
            PlanEntry(WITNESS_FIELD, Role.CORRECTION_WITNESS, 2, witness.id, witness.full_name, "Người chứng kiến"),
            replace(principal, group=3),
            replace(seal, group=4),
        )
    )
