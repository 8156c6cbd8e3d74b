"""Rules that relate several fields of a record (TT 22/2021, TT 27/2020 and the contract's own).

Each rule is a function `Record -> Iterable[Problem]`; `check` runs them all so a school sees every problem
of a record at once. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal

from .model import GRADES, Record, Subject
from .problems import Problem, error, warning

RATING_ORDER = {"chua_dat": 0, "dat": 1, "kha": 2, "tot": 3}
SECONDARY = ("thcs", "thpt")
AWARDS_BY_LEVEL = {
    "tieu_hoc": ("hoc_sinh_xuat_sac", "hoc_sinh_tieu_bieu"),
    "thcs": ("hoc_sinh_xuat_sac", "hoc_sinh_gioi"),
    "thpt": ("hoc_sinh_xuat_sac", "hoc_sinh_gioi"),
}
_ONE_DECIMAL = Decimal("0.1")


def year_average(term1: Decimal, term2: Decimal) -> Decimal:
    """ĐTB môn cả năm = (HK I + 2 × HK II) / 3, rounded half up to one decimal."""
    return ((term1 + 2 * term2) / 3).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def derive_learning(subjects: Iterable[Subject]) -> str:
    """The year learning result TT 22/2021 derives from the subject results (exempt subjects left out)."""
    counted = [s for s in subjects if not s.exempt]
    scores = [s.year for s in counted if isinstance(s.year, Decimal)]
    marks = [s.year for s in counted if isinstance(s.year, str)]
    all_dat = all(m == "dat" for m in marks)
    if all_dat and all(x >= Decimal("6.5") for x in scores) and sum(x >= 8 for x in scores) >= 6:
        return "tot"
    if all_dat and all(x >= 5 for x in scores) and sum(x >= Decimal("6.5") for x in scores) >= 6:
        return "kha"
    if marks.count("chua_dat") <= 1 and sum(x >= 5 for x in scores) >= 6 and all(x >= Decimal("3.5") for x in scores):
        return "dat"
    return "chua_dat"


def _school_years(r: Record) -> Iterator[Problem]:
    years = [("school_year", r.school_year)]
    years += [(f"study_history[{i}].school_year", row.school_year) for i, row in enumerate(r.study_history)]
    for path, value in years:
        first, second = value.split("-")
        if int(second) != int(first) + 1:
            yield error("school_year.sequence", path, value=value)


def _grade(r: Record) -> Iterator[Problem]:
    low, high = GRADES[r.level]
    if not low <= r.grade <= high:
        yield error("grade.level_mismatch", "grade", grade=r.grade, level=r.level, low=low, high=high)


def _student(r: Record) -> Iterator[Problem]:
    born, closed = r.student.date_of_birth, r.finalized_at.date()
    if born >= closed:
        yield error("student.birth_after_finalized", "student.date_of_birth")
        return
    age = closed.year - born.year - ((closed.month, closed.day) < (born.month, born.day))
    if not 5 <= age <= 25:
        yield error("student.age", "student.date_of_birth", age=age)


def _level_fields(r: Record) -> Iterator[Problem]:
    secondary = r.level in SECONDARY
    own = ("conduct", "learning") if secondary else ("qualities", "competences", "education_result")
    other = ("qualities", "competences", "education_result") if secondary else ("conduct", "learning")
    for name in own:
        if getattr(r, name) is None:
            yield error("field.required", name)
    for name in other:
        if getattr(r, name) is not None:
            yield error("field.not_applicable", name, level=r.level)


def _subject_codes(r: Record) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, s in enumerate(r.subjects):
        if s.code in seen:
            yield error("subject.duplicate_code", f"subjects[{i}].code", value=s.code)
        seen.add(s.code)


_RESULT_FIELDS = ("term1", "term2", "year", "reassessment")
_PRIMARY_FIELDS = ("level", "test_score")


def _subject(r: Record, i: int, s: Subject) -> Iterator[Problem]:
    at = f"subjects[{i}]"
    secondary = r.level in SECONDARY
    if s.exempt:
        for name in (*_RESULT_FIELDS, *_PRIMARY_FIELDS):
            if getattr(s, name) is not None:
                yield error("subject.exempt_with_results", f"{at}.{name}")
    not_here = _PRIMARY_FIELDS if secondary else ("assessment", *_RESULT_FIELDS)
    for name in not_here:
        if getattr(s, name) is not None and not s.exempt:
            yield error("field.not_applicable", f"{at}.{name}", level=r.level)
    if s.exempt:
        return
    if secondary:
        yield from _secondary_subject(at, s)
    elif s.level is None:
        yield error("field.required", f"{at}.level")


def _secondary_subject(at: str, s: Subject) -> Iterator[Problem]:
    if s.assessment is None:
        yield error("field.required", f"{at}.assessment")
        return
    if s.teacher_id is None:
        yield error("field.required", f"{at}.teacher_id")
    want = Decimal if s.assessment == "score" else str
    expected = ("điểm 0–10", "a score 0–10") if want is Decimal else ("dat/chua_dat", "dat/chua_dat")
    for name in _RESULT_FIELDS:
        value = getattr(s, name)
        if value is None:
            if name != "reassessment":
                yield error("subject.missing_result", f"{at}.{name}", term=name)
        elif not isinstance(value, want):
            yield error(
                "subject.result_kind",
                f"{at}.{name}",
                assessment=s.assessment,
                expected_vi=expected[0],
                expected_en=expected[1],
            )
    t1, t2, year = s.term1, s.term2, s.year
    if isinstance(t1, Decimal) and isinstance(t2, Decimal) and isinstance(year, Decimal):
        expected_year = year_average(t1, t2)
        if year != expected_year:
            yield error("subject.year_average", f"{at}.year", value=year, expected=expected_year)


def _subjects(r: Record) -> Iterator[Problem]:
    for i, s in enumerate(r.subjects):
        yield from _subject(r, i, s)


def _staff(r: Record) -> Iterator[Problem]:
    counts = Counter(m.id for m in r.staff)
    for i, m in enumerate(r.staff):
        if counts[m.id] > 1:
            yield error("staff.duplicate_id", f"staff[{i}].id", value=m.id)
    staff = r.staff_by_id()
    for i, s in enumerate(r.subjects):
        if s.teacher_id is not None and s.teacher_id not in staff:
            yield error("staff.unknown", f"subjects[{i}].teacher_id", value=s.teacher_id)
    roles = (
        ("homeroom_teacher", r.signers.homeroom_teacher, None),
        ("principal", r.signers.principal, "hieu_truong"),
        ("principal_acting", r.signers.principal_acting, "pho_hieu_truong"),
    )
    for role, staff_id, position in roles:
        if staff_id is None:
            continue
        member = staff.get(staff_id)
        if member is None:
            yield error("staff.unknown", f"signers.{role}", value=staff_id)
        elif position is not None and member.position != position:
            yield error(
                "signers.position",
                f"signers.{role}",
                value=staff_id,
                actual=member.position,
                expected=position,
            )


def _award(r: Record) -> Iterator[Problem]:
    if r.award is None:
        return
    if r.award not in AWARDS_BY_LEVEL[r.level]:
        yield error("award.level", "award", value=r.award, level=r.level)
        return
    if r.level not in SECONDARY or r.learning is None or r.conduct is None:
        return
    if r.learning.year != "tot" or r.conduct.year != "tot":
        yield error(
            "award.requirements",
            "award",
            value=r.award,
            reason_vi="cần học tập và rèn luyện cả năm đều Tốt",
            reason_en="learning and conduct for the year must both be tot",
        )
    elif r.award == "hoc_sinh_xuat_sac":
        nines = sum(1 for s in r.subjects if isinstance(s.year, Decimal) and s.year >= 9 and not s.exempt)
        if nines < 6:
            yield error(
                "award.requirements",
                "award",
                value=r.award,
                reason_vi=f"cần ít nhất 6 môn có điểm cả năm từ 9,0 (có {nines})",
                reason_en=f"at least 6 scored subjects need a year score of 9.0 or more ({nines} do)",
            )


def _promotion(r: Record) -> Iterator[Problem]:
    if r.promotion != "len_lop" or r.level not in SECONDARY or r.learning is None or r.conduct is None:
        return
    dat = RATING_ORDER["dat"]
    if RATING_ORDER[r.learning.year] < dat or RATING_ORDER[r.conduct.year] < dat:
        yield error(
            "promotion.requirements",
            "promotion",
            reason_vi="học tập và rèn luyện cả năm phải từ mức Đạt",
            reason_en="year learning and conduct must be dat or better",
        )
    absent = r.absences.term1 + r.absences.term2
    if absent > 45:
        yield error(
            "promotion.requirements",
            "promotion",
            reason_vi=f"nghỉ {absent} buổi, quá 45 buổi",
            reason_en=f"{absent} sessions absent, more than 45",
        )


def _learning(r: Record) -> Iterator[Problem]:
    if r.level not in SECONDARY or r.learning is None:
        return
    if any(s.year is None and not s.exempt for s in r.subjects):
        return  # the missing results are already errors; a derived level would be noise
    derived = derive_learning(r.subjects)
    if derived != r.learning.year:
        yield warning("learning.derived_mismatch", "learning.year", value=r.learning.year, expected=derived)


RULES: tuple[Callable[[Record], Iterable[Problem]], ...] = (
    _school_years,
    _grade,
    _student,
    _level_fields,
    _subject_codes,
    _subjects,
    _staff,
    _award,
    _promotion,
    _learning,
)


def check(record: Record) -> list[Problem]:
    """Every cross-field problem of a structurally valid record, errors and warnings together."""
    return [problem for rule in RULES for problem in rule(record)]
