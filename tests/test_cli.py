"""The command line as a school uses it: exit codes, files written (or not), messages."""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from api.cli import app
from records import canonical_json, dumps_jsonl, load_file, standard_subjects
from records.adapters import INFO, STAFF, STUDENTS, SUBJECTS, student_columns, write_workbook

from .conftest import to_record

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def write_jsonl(path: Path, values: list[dict[str, Any]]) -> Path:
    path.write_text(dumps_jsonl(values), encoding="utf-8")
    return path


def test_validate_exit_codes_and_json(tmp_path: Path, raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", raw_samples["thcs"][:2])
    assert invoke("validate", str(good)).exit_code == 0
    bad_value = dict(raw_samples["thcs"][0], grade=10)
    bad = write_jsonl(tmp_path / "bad.jsonl", [raw_samples["thcs"][1], bad_value])
    result = invoke("validate", str(bad), "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["valid"] is False and [r["valid"] for r in data["records"]] == [True, False]
    assert data["errors"][0]["record"] == 1 and data["errors"][0]["path"] == "grade"
    assert data["errors"][0]["code"] == "grade.level_mismatch"
    assert data["errors"][0]["message_vi"] and data["errors"][0]["message_en"]


def test_validate_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"format": "hocba-record/1",\n  "level": "thcs",\n  "grade": ', encoding="utf-8")
    result = invoke("validate", str(path), "--json")
    assert result.exit_code == 2
    (problem,) = json.loads(result.stdout)["errors"]
    assert problem["code"] == "json.syntax" and "line 3" in problem["message_en"]


def test_render_one(tmp_path: Path, raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    source = write_jsonl(tmp_path / "hs.json", raw_samples["thpt"][:1])
    out = tmp_path / "hs.pdf"
    result = invoke("render", str(source), "-o", str(out), "--profile", "pdfa-2b", "--now", "2025-06-01T08:00:00")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_render_bad_record_leaves_no_file(tmp_path: Path, raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    value = dict(raw_samples["thcs"][0])
    value["student"] = dict(value["student"], personal_id="123")
    source = write_jsonl(tmp_path / "bad.json", [value])
    out = tmp_path / "bad.pdf"
    result = invoke("render", str(source), "-o", str(out))
    assert result.exit_code == 2
    assert "student.personal_id" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [source]


def test_render_many_skips_bad_records(tmp_path: Path, raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    values = [raw_samples["thcs"][0], dict(raw_samples["thcs"][1], grade=3), raw_samples["thcs"][2]]
    source = write_jsonl(tmp_path / "lop6a1.jsonl", values)
    single = write_jsonl(tmp_path / "mot.json", raw_samples["tieu_hoc"][:1])
    out_dir = tmp_path / "out"
    result = invoke("render", str(source), str(single), "--out-dir", str(out_dir), "--jobs", "2")
    assert result.exit_code == 2
    assert sorted(p.name for p in out_dir.iterdir()) == ["lop6a1-1.pdf", "lop6a1-3.pdf", "mot.pdf"]
    assert "grade.level_mismatch" in result.output


def test_jobs_do_not_change_the_bytes(tmp_path: Path, raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    source = write_jsonl(tmp_path / "c.jsonl", raw_samples["thpt"][:4])
    assert invoke("render", str(source), "--out-dir", str(tmp_path / "a"), "--jobs", "1").exit_code == 0
    assert invoke("render", str(source), "--out-dir", str(tmp_path / "b"), "--jobs", "2").exit_code == 0
    for i in range(1, 5):
        assert (tmp_path / "a" / f"c-{i}.pdf").read_bytes() == (tmp_path / "b" / f"c-{i}.pdf").read_bytes()


def test_render_needs_one_destination(tmp_path: Path, raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    source = write_jsonl(tmp_path / "c.jsonl", raw_samples["thcs"][:1])
    assert invoke("render", str(source)).exit_code == 2
    assert invoke("render", str(source), "-o", "x.pdf", "--now", "not a time").exit_code == 2


MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323", "\u0306", "\u0302", "\u031b"}  # 5 tones, ă, â/ê/ô, ơ/ư


@pytest.mark.parametrize(("level", "grade"), [("thcs", 8), ("thpt", 12), ("tieu_hoc", 1)])
def test_sample_is_valid_and_varied(tmp_path: Path, level: str, grade: int) -> None:
    out = tmp_path / "s.jsonl"
    assert (
        invoke(
            "sample", "--level", level, "--grade", str(grade), "--students", "40", "--seed", "3", "-o", str(out)
        ).exit_code
        == 0
    )
    report = load_file(out)
    assert report.valid and len(report.records) == 40
    records = [r.record for r in report.records if r.record]
    names = " ".join(r.student.full_name for r in records)
    assert set(unicodedata.normalize("NFD", names)) >= MARKS and "Đ" in names
    assert any(s.exempt for r in records for s in r.subjects)
    assert any(r.signers.principal_acting for r in records)
    assert any(r.student.photo for r in records)
    assert len({r.student.personal_id for r in records}) == 40


def test_sample_rejects_a_grade_outside_the_level(tmp_path: Path) -> None:
    assert invoke("sample", "--level", "thcs", "--grade", "11", "-o", str(tmp_path / "x.jsonl")).exit_code == 2


def test_schema() -> None:
    result = invoke("schema")
    schema = json.loads(result.stdout)
    assert schema["title"] == "hocba-record/1" and schema["additionalProperties"] is False
    assert "personal_id" in schema["$defs"]["Student"]["properties"]


def test_template_workbook(tmp_path: Path) -> None:
    out = tmp_path / "mau.xlsx"
    assert invoke("sample", "--xlsx", "--level", "thcs", "-o", str(out)).exit_code == 0
    book = load_workbook(out)
    assert {INFO, SUBJECTS, STAFF, STUDENTS} <= set(book.sheetnames)
    header = [c.value for c in book[STUDENTS][1]]
    assert "toan.term1" in header and "conduct.year" in header and "personal_id" in header


def _flatten(value: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = dict(value["student"])
    for s in value["subjects"]:
        for key, v in s.items():
            if key not in ("code", "name", "assessment", "teacher_id"):
                row[f"{s['code']}.{key}"] = v["reason"] if key == "exempt" else v
    for group in ("conduct", "learning", "absences", "qualities", "competences"):
        for key, v in value.get(group, {}).items():
            row[f"{group}.{key}"] = v
    for key in ("promotion", "award", "homeroom_comment", "education_result"):
        row[key] = value.get(key)
    return row


def _class_info(value: dict[str, Any]) -> dict[str, Any]:
    info = {k: value[k] for k in ("level", "school_year", "grade", "class_name", "finalized_at")}
    info.update(school_code=value["school"]["code"], school_name=value["school"]["name"])
    info.update({k: value["school"].get(k) for k in ("commune", "district", "province")})
    info.update(value["signers"])
    return info


def _sheet_content(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a class sheet can carry: photos and the study history are not spreadsheet columns."""
    out = []
    for value in values:
        kept = {k: x for k, x in value.items() if k != "study_history"}
        kept["student"] = {k: x for k, x in value["student"].items() if k != "photo"}
        out.append(kept)
    return out


def _workbook(path: Path, values: list[dict[str, Any]]) -> None:
    first = values[0]
    subjects = [{k: s.get(k) for k in ("code", "name", "assessment", "teacher_id")} for s in first["subjects"]]
    write_workbook(path, first["level"], subjects, _class_info(first), first["staff"], [_flatten(v) for v in values])


def test_import_workbook_round_trip(tmp_path: Path, raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    values = _sheet_content([v for v in raw_samples["thcs"] if "principal_acting" not in v["signers"]][:5])
    sheet, out = tmp_path / "lop.xlsx", tmp_path / "lop.jsonl"
    _workbook(sheet, values)
    result = invoke("import", str(sheet), "-o", str(out))
    assert result.exit_code == 0, result.output
    imported = load_file(out)
    assert imported.valid
    originals = [canonical_json(to_record(v)) for v in values]
    assert [canonical_json(r.record) for r in imported.records if r.record] == originals


def test_import_reports_sheet_row_and_column(tmp_path: Path, raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    values = [v for v in raw_samples["thcs"] if "principal_acting" not in v["signers"]][:3]
    sheet, out = tmp_path / "lop.xlsx", tmp_path / "lop.jsonl"
    _workbook(sheet, values)
    book = load_workbook(sheet)
    ws = book[STUDENTS]
    header = [c.value for c in ws[1]]
    ws.cell(row=3, column=header.index("toan.term1") + 1, value=11.5)
    ws.cell(row=4, column=header.index("absences.term1") + 1, value="ba")
    book.save(sheet)
    result = invoke("import", str(sheet), "-o", str(out))
    assert result.exit_code == 2
    toan = f"hoc_sinh!{chr(ord('A') + header.index('toan.term1'))}3 (toan.term1)"
    assert toan in result.output and "subjects[0].term1" in result.output
    assert "(absences.term1)" in result.output and "hoc_sinh!" in result.output
    assert not out.exists()


def test_import_csv_with_companion_files(tmp_path: Path, raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    values = _sheet_content([v for v in raw_samples["tieu_hoc"] if "principal_acting" not in v["signers"]][:3])
    first = values[0]
    columns = student_columns("tieu_hoc", [s["code"] for s in first["subjects"]])

    def write(name: str, header: list[str], rows: list[dict[str, Any]]) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, header, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        return path

    main = write("lop.csv", columns, [_flatten(v) for v in values])
    info = write("info.csv", ["key", "value"], [{"key": k, "value": v} for k, v in _class_info(first).items()])
    subjects = write("mon.csv", ["code", "name"], [{"code": s["code"], "name": s["name"]} for s in first["subjects"]])
    staff = write("gv.csv", ["id", "full_name", "position"], first["staff"])
    out = tmp_path / "lop.jsonl"
    result = invoke(
        "import", str(main), "--info", str(info), "--subjects", str(subjects), "--staff", str(staff), "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    assert [canonical_json(r.record) for r in load_file(out).records if r.record] == [
        canonical_json(to_record(v)) for v in values
    ]
    assert invoke("import", str(main), "-o", str(out)).exit_code == 2  # companions missing


def test_standard_subjects_match_the_sample() -> None:
    assert [s["code"] for s in standard_subjects("thcs")][:3] == ["toan", "ngu_van", "ngoai_ngu_1"]


def test_demo(tmp_path: Path) -> None:
    result = invoke("demo", "--out", str(tmp_path), "--students", "3", "--jobs", "1", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    assert summary["rendered"] == 3 and summary["failed"] == []
    assert all(Path(p).is_file() for p in summary["books"])
