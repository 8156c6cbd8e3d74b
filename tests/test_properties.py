"""Property tests: random valid records always render to PDF/A; random breakage is always caught with a path."""

from __future__ import annotations

import copy
import io
import re
from typing import Any

import pikepdf
import pikepdf.pdfa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from records import generate_sample, validate_record
from templates import Profile, RenderOptions, render

from .conftest import as_json

SAMPLES = {
    level: [as_json(r) for r in generate_sample(level, grade, 6, seed=99)]
    for level, grade in (("thcs", 9), ("thpt", 10), ("tieu_hoc", 5))
}
VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
    "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬBCDĐEÈÉẺẼẸÊỀẾỂỄỆGHIÌÍỈĨỊKLMNOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢPQRSTUÙÚỦŨỤƯỪỨỬỮỰVXYỲÝỶỸỴ"
)
names = st.text(alphabet=VIETNAMESE + " ", min_size=1, max_size=60).filter(lambda s: s.strip() != "")
prose = st.text(alphabet=VIETNAMESE + " ,.;:-–()\"'<>&/0123456789₫\n", min_size=1, max_size=2000).filter(
    lambda s: s.strip() != ""
)


@st.composite
def valid_records(draw: st.DrawFn) -> tuple[dict[str, Any], Profile]:
    level = draw(st.sampled_from(sorted(SAMPLES)))
    value = copy.deepcopy(draw(st.sampled_from(SAMPLES[level])))
    value["student"]["full_name"] = draw(names)
    value["student"]["address"] = draw(names)
    value["homeroom_comment"] = draw(prose)
    value["class_name"] = draw(st.text(alphabet="0123456789ABCĐ", min_size=1, max_size=20))
    for member in value["staff"]:
        member["full_name"] = draw(names)
    if draw(st.booleans()):
        value["student"].pop("photo", None)
    return value, draw(st.sampled_from(list(Profile)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_records())
def test_valid_records_render_to_pdfa(case: tuple[dict[str, Any], Profile]) -> None:
    value, profile = case
    report = validate_record(value)
    assert report.record is not None, [(p.path, p.code) for p in report.errors]
    document = render(report.record, RenderOptions(profile=profile))
    result = pikepdf.pdfa.validate_written(io.BytesIO(document.pdf), profile.flavour)
    assert list(result.violations) == []
    assert {f.rule for f in result.unsupported} <= {"pikepdf:schema-Catalog", "pikepdf:embedded-file"}
    with pikepdf.open(io.BytesIO(document.pdf)) as pdf:
        assert len(pdf.Root.AcroForm.Fields) >= 3


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _leaves(item, f"{path}[{i}]")
    else:
        out.append((path, value))
    return out


def _dicts(value: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(value, dict):
        out.append((path, value))
        for key, item in value.items():
            out += _dicts(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _dicts(item, f"{path}[{i}]")
    return out


def _locate(value: Any, path: str) -> tuple[Any, Any]:
    """The container holding `path` and the key (or index) of it there."""
    parts: list[Any] = [int(p) if p.isdigit() else p for p in re.split(r"\.|\[(\d+)\]", path) if p]
    target = value
    for part in parts[:-1]:
        target = target[part]
    return target, parts[-1]


REQUIRED = [
    "format",
    "level",
    "school_year",
    "grade",
    "class_name",
    "school.code",
    "school.name",
    "school.province",
    "student.personal_id",
    "student.student_code",
    "student.full_name",
    "student.date_of_birth",
    "student.gender",
    "student.ethnicity",
    "student.place_of_birth",
    "student.address",
    "student.register_number",
    "subjects[0].code",
    "subjects[0].name",
    "absences.term1",
    "absences.term2",
    "promotion",
    "homeroom_comment",
    "staff",
    "signers",
    "signers.principal",
    "signers.homeroom_teacher",
    "finalized_at",
    "staff[0].position",
]


@st.composite
def broken_records(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    level = draw(st.sampled_from(sorted(SAMPLES)))
    value = copy.deepcopy(draw(st.sampled_from(SAMPLES[level])))
    kind = draw(st.sampled_from(["unknown", "type", "delete"]))
    if kind == "unknown":
        path, target = draw(st.sampled_from(_dicts(value)))
        target["khong_co_trong_dinh_dang"] = draw(st.integers() | st.text(max_size=5))
        return value, f"{path}.khong_co_trong_dinh_dang" if path else "khong_co_trong_dinh_dang"
    if kind == "type":
        path, old = draw(st.sampled_from(_leaves(value)))
        new: Any = 12345 if isinstance(old, str) else "không phải số"
        container, key = _locate(value, path)
        container[key] = new
        return value, path
    path = draw(st.sampled_from(REQUIRED))
    container, key = _locate(value, path)
    del container[key]
    return value, path


@settings(max_examples=150, deadline=None)
@given(broken_records())
def test_broken_records_are_rejected_with_a_path(case: tuple[dict[str, Any], str]) -> None:
    value, path = case
    report = validate_record(value)
    assert not report.valid
    paths = [p.path for p in report.errors]
    assert any(p == path or p.startswith(path + ".") for p in paths), (path, paths)
    for problem in report.errors:
        assert problem.message_vi and problem.message_en
