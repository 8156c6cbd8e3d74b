"""The `hocba-record/1` input format as frozen value objects.

Structure, types, ranges and single-field formats are checked here; rules that relate several fields
(averages, awards, promotion, references to staff, what a level requires) live in `rules.py`, so every
problem can be reported with its own path instead of stopping at the first.

Validators raise `PydanticCustomError` whose type is a code of `problems.CATALOGUE`: the conversion to
`Problem` then needs no guessing.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from PIL import Image, UnidentifiedImageError
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

FORMAT = "hocba-record/1"
PHOTO_MAX_BYTES = 512 * 1024

Level = Literal["tieu_hoc", "thcs", "thpt"]
Rating = Literal["tot", "kha", "dat", "chua_dat"]
Mark = Literal["dat", "chua_dat"]
Quality = Literal["tot", "dat", "can_co_gang"]
Position = Literal["giao_vien", "hieu_truong", "pho_hieu_truong"]
Promotion = Literal["len_lop", "khong_len_lop", "kiem_tra_lai", "ren_luyen_he", "hoan_thanh_chuong_trinh"]
Award = Literal["hoc_sinh_xuat_sac", "hoc_sinh_gioi", "hoc_sinh_tieu_bieu"]
EducationResult = Literal["hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh", "chua_hoan_thanh"]
PrimaryLevel = Literal["hoan_thanh_tot", "hoan_thanh", "chua_hoan_thanh"]

GRADES: dict[str, tuple[int, int]] = {"tieu_hoc": (1, 5), "thcs": (6, 9), "thpt": (10, 12)}


def _pattern(regex: str, code: str, expected_vi: str, expected_en: str) -> Any:
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError(code, expected_en, {"expected_vi": expected_vi, "expected_en": expected_en})
        return value

    return AfterValidator(check)


def _date(value: Any) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("field.date", "invalid date", {"value": value})
    try:
        return date.fromisoformat(value)
    except ValueError:  # 2025-02-30 and friends
        raise PydanticCustomError("field.date", "invalid date", {"value": value}) from None


def _timestamp(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or "T" not in value:
        raise PydanticCustomError("field.timestamp", "invalid timestamp", {"value": value})
    return parsed


def _result(value: Any) -> Decimal | str:
    """A term result: a score 0–10 with one decimal, or the comment marks `dat` / `chua_dat`."""
    if isinstance(value, str):
        if value in ("dat", "chua_dat"):
            return value
        raise PydanticCustomError("field.enum", "bad mark", {"value": value, "allowed": "0–10, dat, chua_dat"})
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError(
            "field.type",
            "bad result",
            {"expected_vi": "điểm hoặc dat/chua_dat", "expected_en": "a score or dat/chua_dat"},
        )
    score = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not Decimal(0) <= score <= Decimal(10):
        raise PydanticCustomError("field.range", "score out of range", {"value": value, "low": 0, "high": 10})
    if score != score.quantize(Decimal("0.1")):
        raise PydanticCustomError("subject.score_decimals", "too many decimals", {"value": value})
    return score.quantize(Decimal("0.1"))


def _photo(value: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise PydanticCustomError("photo.base64", "not base64") from None
    if len(raw) > PHOTO_MAX_BYTES:
        raise PydanticCustomError("photo.too_large", "too large", {"size": len(raw)})
    if not (raw.startswith(b"\xff\xd8\xff") or raw.startswith(b"\x89PNG\r\n\x1a\n")):
        raise PydanticCustomError("photo.not_image", "not an image")
    try:
        with Image.open(io.BytesIO(raw)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PydanticCustomError("photo.not_image", "not an image") from None
    return value


# Text of bounded length; surrounding white space is dropped, an empty string is missing text.
Text20 = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=20)]
Text100 = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=100)]
Text200 = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]
Text500 = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=500)]
Text1000 = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=1000)]
Text2000 = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=2000)]
Int = Annotated[int, Field(strict=True)]
NonNegative = Annotated[int, Field(strict=True, ge=0)]
Date = Annotated[date, BeforeValidator(_date)]
Timestamp = Annotated[datetime, BeforeValidator(_timestamp)]
Result = Annotated[
    Decimal | str,
    BeforeValidator(_result),
    # Scores go back out as JSON numbers, as they came in (pydantic would write Decimal as a string).
    PlainSerializer(lambda v: float(v) if isinstance(v, Decimal) else v, return_type=float | str, when_used="json"),
]
SchoolYear = Annotated[
    str,
    StringConstraints(strict=True),
    _pattern(r"\d{4}-\d{4}", "field.pattern", "YYYY-YYYY", "YYYY-YYYY"),
]
StaffId = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=50),
    _pattern(r"[A-Za-z0-9._-]+", "field.pattern", "chữ, số, '.', '_' hoặc '-'", "letters, digits, '.', '_' or '-'"),
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class School(_Frozen):
    code: Annotated[
        str,
        StringConstraints(strict=True),
        _pattern(r"\d{8,10}", "field.pattern", "8–10 chữ số", "8–10 digits"),
    ]
    """The school's ministry code."""
    name: Text200
    commune: Text200 | None = None
    district: Text200 | None = None
    province: Text200


class Student(_Frozen):
    personal_id: Annotated[
        str,
        StringConstraints(strict=True),
        _pattern(r"\d{12}", "student.personal_id", "12 chữ số", "12 digits"),
    ]
    """Số định danh cá nhân: 12 digits; without it nothing can be signed."""
    student_code: Text20
    full_name: Text100
    date_of_birth: Date
    gender: Literal["nam", "nu"]
    ethnicity: Text100
    place_of_birth: Text200
    hometown: Text200 | None = None
    address: Text500
    father_name: Text100 | None = None
    mother_name: Text100 | None = None
    guardian_name: Text100 | None = None
    register_number: Text20
    """Số đăng bộ."""
    photo: Annotated[str, StringConstraints(strict=True), AfterValidator(_photo)] | None = None
    """Base64 JPEG or PNG, at most 512 KiB decoded."""

    def photo_bytes(self) -> bytes | None:
        return base64.b64decode(self.photo) if self.photo else None


class StudyYear(_Frozen):
    school_year: SchoolYear
    class_name: Text20
    school_name: Text200
    register_number: Text20 | None = None


class Exemption(_Frozen):
    reason: Text500


class Subject(_Frozen):
    code: Annotated[
        str,
        StringConstraints(strict=True),
        _pattern(
            r"[a-z][a-z0-9_]{0,39}",
            "field.pattern",
            "chữ thường, số và '_'",
            "lower-case letters, digits, '_'",
        ),
    ]
    name: Text100
    assessment: Literal["score", "comment"] | None = None
    term1: Result | None = None
    term2: Result | None = None
    year: Result | None = None
    reassessment: Result | None = None
    level: PrimaryLevel | None = None
    """Tiểu học: mức đạt được (T/H/C)."""
    test_score: Annotated[int, Field(strict=True, ge=0, le=10)] | None = None
    """Tiểu học: the periodic end-of-year test score, where the subject has one."""
    comment: Text1000 | None = None
    exempt: Exemption | None = None
    teacher_id: StaffId | None = None


class Conduct(_Frozen):
    term1: Rating
    term2: Rating
    year: Rating
    after_summer: Rating | None = None


class Learning(_Frozen):
    term1: Rating
    term2: Rating
    year: Rating
    after_reassessment: Rating | None = None


class Absences(_Frozen):
    term1: NonNegative
    term2: NonNegative


class Qualities(_Frozen):
    yeu_nuoc: Quality
    nhan_ai: Quality
    cham_chi: Quality
    trung_thuc: Quality
    trach_nhiem: Quality


class Competences(_Frozen):
    tu_chu_tu_hoc: Quality
    giao_tiep_hop_tac: Quality
    giai_quyet_van_de: Quality
    ngon_ngu: Quality
    tinh_toan: Quality
    khoa_hoc: Quality
    cong_nghe: Quality
    tin_hoc: Quality
    tham_mi: Quality
    the_chat: Quality


class StaffMember(_Frozen):
    id: StaffId
    full_name: Text100
    position: Position


class Signers(_Frozen):
    homeroom_teacher: StaffId
    principal: StaffId
    principal_acting: StaffId | None = None
    """A deputy who signs as "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG"."""


class Record(_Frozen):
    """One student's finalized school-year result, as the gradebook hands it over."""

    format: Literal["hocba-record/1"]
    level: Level
    school_year: SchoolYear
    grade: Int
    class_name: Text20
    school: School
    student: Student
    study_history: tuple[StudyYear, ...] = ()
    subjects: Annotated[tuple[Subject, ...], Field(min_length=1)]
    conduct: Conduct | None = None
    learning: Learning | None = None
    absences: Absences
    qualities: Qualities | None = None
    competences: Competences | None = None
    education_result: EducationResult | None = None
    promotion: Promotion
    award: Award | None = None
    homeroom_comment: Text2000
    staff: Annotated[tuple[StaffMember, ...], Field(min_length=1)]
    signers: Signers
    finalized_at: Timestamp

    def staff_by_id(self) -> dict[str, StaffMember]:
        return {member.id: member for member in self.staff}

    @property
    def year_start(self) -> int:
        return int(self.school_year[:4])
