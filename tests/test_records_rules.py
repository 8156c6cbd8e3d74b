"""Every rule and error path of the hocba-record/1 contract."""

from __future__ import annotations

import base64
import io
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

from records import CATALOGUE, derive_learning, signing_plan, validate_record, year_average
from records.model import Subject

from .conftest import codes, to_record

Raw = Callable[..., dict[str, Any]]


@pytest.mark.parametrize("level", ["thcs", "thpt", "tieu_hoc"])
def test_samples_are_valid(raw_samples: dict[str, list[dict[str, Any]]], level: str) -> None:
    for value in raw_samples[level]:
        report = validate_record(value)
        assert report.valid, [(p.path, p.code) for p in report.problems]
        assert report.warnings == []


def test_missing_personal_id(raw: Raw) -> None:
    value = raw()
    del value["student"]["personal_id"]
    assert codes(value) == {("student.personal_id", "student.personal_id")}
    report = validate_record(value)
    assert "cannot be signed" in report.errors[0].message_en
    assert "không thể ký" in report.errors[0].message_vi


def test_eleven_digit_personal_id(raw: Raw) -> None:
    value = raw()
    value["student"]["personal_id"] = "03121300456"
    assert codes(value) == {("student.personal_id", "student.personal_id")}


def test_score_above_ten(raw: Raw) -> None:
    value = raw()
    value["subjects"][0]["term1"] = 10.5
    assert ("subjects[0].term1", "field.range") in codes(value)


def test_score_with_two_decimals(raw: Raw) -> None:
    value = raw()
    value["subjects"][0]["term2"] = 8.25
    assert ("subjects[0].term2", "subject.score_decimals") in codes(value)


def test_year_average_must_match(raw: Raw) -> None:
    value = raw()
    s = value["subjects"][0]
    s.update(term1=8.0, term2=8.6, year=8.5)
    assert codes(value) == {("subjects[0].year", "subject.year_average")}
    s["year"] = 8.4
    assert codes(value) == set()


def test_year_average_rounds_half_up() -> None:
    assert year_average(Decimal("8.0"), Decimal("8.6")) == Decimal("8.4")
    assert year_average(Decimal("6.5"), Decimal("7.0")) == Decimal("6.8")
    assert year_average(Decimal("5.0"), Decimal("5.1")) == Decimal("5.1")  # 5.0666… -> 5.1
    assert year_average(Decimal("9.9"), Decimal("10")) == Decimal("10.0")


@pytest.mark.parametrize("tag", ["hocba-record/2", "", 1])
def test_wrong_format_tag(raw: Raw, tag: Any) -> None:
    value = raw()
    value["format"] = tag
    assert codes(value) == {("format", "record.format")}


def test_missing_format_tag(raw: Raw) -> None:
    value = raw()
    del value["format"]
    assert codes(value) == {("format", "field.required")}


def test_unknown_teacher(raw: Raw) -> None:
    value = raw()
    value["subjects"][0]["teacher_id"] = "gv-khong-co"
    assert codes(value) == {("subjects[0].teacher_id", "staff.unknown")}


@pytest.mark.parametrize(("level", "grade"), [("thcs", 10), ("thcs", 5), ("thpt", 9), ("tieu_hoc", 6)])
def test_grade_level_mismatch(raw: Raw, level: str, grade: int) -> None:
    value = raw(level)
    value["grade"] = grade
    assert ("grade", "grade.level_mismatch") in codes(value)


def test_missing_term_result(raw: Raw) -> None:
    value = raw()
    del value["subjects"][0]["term2"]
    assert codes(value) == {("subjects[0].term2", "subject.missing_result")}


def test_thirtieth_of_february(raw: Raw) -> None:
    value = raw()
    value["student"]["date_of_birth"] = "2013-02-30"
    assert codes(value) == {("student.date_of_birth", "field.date")}


def test_nfd_input_is_normalised(raw: Raw) -> None:
    value = raw()
    name = "Nguyễn Thị Ngọc Ánh"
    value["student"]["full_name"] = unicodedata.normalize("NFD", name)
    value["homeroom_comment"] = unicodedata.normalize("NFD", "Em chăm ngoan, tiến bộ.")
    assert value["student"]["full_name"] != name
    record = to_record(value)
    assert record.student.full_name == name
    assert unicodedata.is_normalized("NFC", record.homeroom_comment)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_photo_that_is_not_an_image(raw: Raw) -> None:
    value = raw()
    value["student"]["photo"] = _b64(b"%PDF-1.7 not a photo")
    assert codes(value) == {("student.photo", "photo.not_image")}
    value["student"]["photo"] = _b64(b"\xff\xd8\xff" + b"garbage" * 10)  # JPEG magic, broken body
    assert codes(value) == {("student.photo", "photo.not_image")}


def test_photo_too_large(raw: Raw) -> None:
    img = Image.effect_noise((600, 600), 90).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    assert len(buf.getvalue()) > 512 * 1024
    value = raw()
    value["student"]["photo"] = _b64(buf.getvalue())
    assert codes(value) == {("student.photo", "photo.too_large")}


def test_photo_not_base64(raw: Raw) -> None:
    value = raw()
    value["student"]["photo"] = "không phải base64!"
    assert codes(value) == {("student.photo", "photo.base64")}


def test_unknown_field_is_rejected_with_its_path(raw: Raw) -> None:
    value = raw()
    value["subjects"][2]["diem_cong"] = 1
    value["nickname"] = "x"
    assert codes(value) == {("subjects[2].diem_cong", "field.unknown"), ("nickname", "field.unknown")}


def test_school_year_sequence(raw: Raw) -> None:
    value = raw()
    value["school_year"] = "2024-2026"
    assert ("school_year", "school_year.sequence") in codes(value)
    value["school_year"] = "2024/2025"
    assert ("school_year", "field.pattern") in codes(value)


def test_award_needs_tot_conduct(raw: Raw) -> None:
    value = raw()
    value["award"] = "hoc_sinh_gioi"
    value["learning"]["year"] = "tot"
    value["conduct"]["year"] = "kha"
    assert ("award", "award.requirements") in codes(value)


def test_excellent_award_needs_six_nines(raw: Raw) -> None:
    value = raw()
    for s in value["subjects"]:
        if s["assessment"] == "score":
            s.update(term1=8.5, term2=8.5, year=8.5)
        elif "exempt" not in s:
            s.update(term1="dat", term2="dat", year="dat")
    value["learning"]["year"] = value["conduct"]["year"] = "tot"
    value["award"] = "hoc_sinh_xuat_sac"
    assert codes(value) == {("award", "award.requirements")}
    value["award"] = "hoc_sinh_gioi"
    assert codes(value) == set()


def test_award_of_another_level(raw: Raw) -> None:
    value = raw("tieu_hoc")
    value["award"] = "hoc_sinh_gioi"
    assert codes(value) == {("award", "award.level")}


def test_promotion_needs_attendance(raw: Raw) -> None:
    value = raw()
    value["promotion"] = "len_lop"
    value["absences"] = {"term1": 30, "term2": 16}
    assert ("promotion", "promotion.requirements") in codes(value)
    value["absences"] = {"term1": 30, "term2": 15}
    assert ("promotion", "promotion.requirements") not in codes(value)


def test_promotion_needs_dat_learning(raw: Raw) -> None:
    value = raw()
    value["promotion"] = "len_lop"
    value["conduct"]["year"] = "chua_dat"
    value.pop("award", None)
    assert codes(value) == {("promotion", "promotion.requirements")}


def test_learning_disagreement_is_a_warning(raw: Raw) -> None:
    value = raw()
    value.pop("award", None)
    derived = derive_learning(to_record(value).subjects)
    value["learning"]["year"] = "dat" if derived != "dat" else "kha"
    report = validate_record(value)
    assert report.valid
    assert [(w.path, w.code) for w in report.warnings] == [("learning.year", "learning.derived_mismatch")]
    assert derived in report.warnings[0].message_en


def _subjects(scores: list[float], marks: list[str]) -> list[Subject]:
    out = [Subject(code=f"s{i}", name="x", assessment="score", year=Decimal(str(v))) for i, v in enumerate(scores)]
    out += [Subject(code=f"c{i}", name="x", assessment="comment", year=m) for i, m in enumerate(marks)]
    return out


@pytest.mark.parametrize(
    ("scores", "marks", "expected"),
    [
        ([8, 8, 8, 8, 8, 8, 6.5], ["dat"], "tot"),
        ([8, 8, 8, 8, 8, 8, 6.4], ["dat"], "kha"),
        ([8, 8, 8, 8, 8, 8, 9], ["chua_dat"], "dat"),
        ([6.5] * 6 + [5.0], ["dat"], "kha"),
        ([5.0] * 6 + [3.5], ["dat", "chua_dat"], "dat"),
        ([5.0] * 6 + [3.4], ["dat"], "chua_dat"),
        ([9] * 8, ["chua_dat", "chua_dat"], "chua_dat"),
    ],
)
def test_derive_learning(scores: list[float], marks: list[str], expected: str) -> None:
    assert derive_learning(_subjects(scores, marks)) == expected


def test_exempt_subject_carries_no_results(raw: Raw) -> None:
    value = raw()
    value["subjects"][8]["exempt"] = {"reason": "Khuyết tật"}
    assert codes(value) == {
        ("subjects[8].term1", "subject.exempt_with_results"),
        ("subjects[8].term2", "subject.exempt_with_results"),
        ("subjects[8].year", "subject.exempt_with_results"),
    }


def test_exempt_subject_is_accepted_and_left_out_of_the_plan(raw: Raw) -> None:
    value = raw("thcs", 2)
    exempt = [s for s in value["subjects"] if "exempt" in s]
    assert exempt, "sample 2 of a class is exempt from a subject"
    plan = signing_plan(to_record(value))
    assert f"gvbm.{exempt[0]['code']}" not in plan.fields()


def test_comment_subject_with_a_score(raw: Raw) -> None:
    value = raw()
    gdtc = next(i for i, s in enumerate(value["subjects"]) if s["code"] == "nghe_thuat")
    value["subjects"][gdtc]["term1"] = 7.0
    assert codes(value) == {(f"subjects[{gdtc}].term1", "subject.result_kind")}


def test_level_specific_fields(raw: Raw) -> None:
    value = raw("tieu_hoc")
    value["conduct"] = {"term1": "tot", "term2": "tot", "year": "tot"}
    del value["qualities"]
    assert codes(value) == {("conduct", "field.not_applicable"), ("qualities", "field.required")}
    value = raw("thcs")
    del value["learning"]
    assert ("learning", "field.required") in codes(value)


def test_primary_subject_needs_a_level(raw: Raw) -> None:
    value = raw("tieu_hoc")
    del value["subjects"][0]["level"]
    value["subjects"][1]["term1"] = 9.0
    assert codes(value) == {("subjects[0].level", "field.required"), ("subjects[1].term1", "field.not_applicable")}


def test_duplicates(raw: Raw) -> None:
    value = raw()
    value["subjects"].append(dict(value["subjects"][0]))
    value["staff"].append(dict(value["staff"][0]))
    found = codes(value)
    assert (f"subjects[{len(value['subjects']) - 1}].code", "subject.duplicate_code") in found
    assert (f"staff[{len(value['staff']) - 1}].id", "staff.duplicate_id") in found


def test_signer_positions(raw: Raw) -> None:
    value = raw()
    value["signers"]["principal"] = "gvcn"
    value["signers"]["principal_acting"] = "ht"
    assert codes(value) == {("signers.principal", "signers.position"), ("signers.principal_acting", "signers.position")}
    value["signers"] = {"homeroom_teacher": "nobody", "principal": "ht"}
    assert codes(value) == {("signers.homeroom_teacher", "staff.unknown")}


def test_timestamps_need_an_offset(raw: Raw) -> None:
    value = raw()
    value["finalized_at"] = "2025-05-31T10:00:00"
    assert codes(value) == {("finalized_at", "field.timestamp")}
    value["finalized_at"] = "2025-05-31"
    assert codes(value) == {("finalized_at", "field.timestamp")}


def test_birth_date_rules(raw: Raw) -> None:
    value = raw()
    value["student"]["date_of_birth"] = "2026-01-01"
    assert codes(value) == {("student.date_of_birth", "student.birth_after_finalized")}
    value["student"]["date_of_birth"] = "1990-01-01"
    assert codes(value) == {("student.date_of_birth", "student.age")}


def test_types_and_lengths(raw: Raw) -> None:
    value = raw()
    value["grade"] = "6"
    value["class_name"] = "6A" * 11
    value["absences"]["term1"] = -1
    value["student"]["gender"] = "male"
    value["subjects"] = []
    assert codes(value) == {
        ("grade", "field.type"),
        ("class_name", "field.too_long"),
        ("absences.term1", "field.range"),
        ("student.gender", "field.enum"),
        ("subjects", "field.empty"),
    }


def test_homeroom_comment_limit(raw: Raw) -> None:
    value = raw()
    value["homeroom_comment"] = "ạ" * 2000
    assert codes(value) == set()
    value["homeroom_comment"] = "ạ" * 2001
    assert codes(value) == {("homeroom_comment", "field.too_long")}


def test_not_an_object() -> None:
    assert codes([1, 2]) == {("", "record.not_object")}


def test_every_problem_is_bilingual(raw: Raw) -> None:
    value = raw()
    value["grade"] = 13
    value["student"]["personal_id"] = "x"
    value["subjects"][0]["term1"] = 11
    for problem in validate_record(value).errors:
        assert problem.message_vi and problem.message_en and problem.message_vi != problem.message_en
        assert "{" not in problem.message_vi + problem.message_en, problem


def test_catalogue_is_complete() -> None:
    for code, (vi, en) in CATALOGUE.items():
        assert vi.strip() and en.strip() and vi != en, code
        assert code == code.lower() and "." in code
