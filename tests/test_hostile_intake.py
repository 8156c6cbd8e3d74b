"""Hostile intake files: a zip bomb dressed as a workbook, a sheet of 100,000 rows, CSVs in other encodings,
malformed workbook XML, 100k-deep JSON, and names carrying control or bidi-override characters. Each ends in a
coded problem, quickly, with nothing written; `validate` and `render` agree on what is a valid record."""

from __future__ import annotations

import copy
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from records import validate_record
from records.adapters import read_csv, read_workbook
from records.limits import IntakeLimits

from .test_cli import _class_info, _sheet_content, _workbook, invoke, write_jsonl


def _thcs(raw_samples: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return _sheet_content([v for v in raw_samples["thcs"] if "principal_acting" not in v["signers"]][:2])


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked(tmp_path: Path, raw_samples: dict[str, Any]) -> None:
    sheet = tmp_path / "lop.xlsx"
    _workbook(sheet, _thcs(raw_samples))
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(sheet) as good, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in good.infolist():
            if item.filename != "xl/sharedStrings.xml":
                out.writestr(item, good.read(item))
        with out.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            chunk = b"A" * (1 << 20)
            for _ in range(2048):  # 2 GiB of one repeated letter: about 2 MB in the file
                part.write(chunk)
    assert bomb.stat().st_size < 10 << 20
    started = time.monotonic()
    result = invoke("import", str(bomb), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2 and "file.too_large" in result.output
    assert time.monotonic() - started < 5 and not (tmp_path / "out.jsonl").exists()


def test_a_sheet_of_100000_rows_is_refused_quickly(tmp_path: Path, raw_samples: dict[str, Any]) -> None:
    values = _thcs(raw_samples)
    main = tmp_path / "lop.csv"
    row = ",".join(["x"] * 5)
    main.write_text("personal_id,student_code,full_name,date_of_birth,gender\n" + (row + "\n") * 100_000)
    companions = []
    for name, text in (("info", "key,value\nlevel,thcs\n"), ("subjects", "code,name\n"), ("staff", "id,full_name\n")):
        path = tmp_path / f"{name}.csv"
        path.write_text(text)
        companions += [f"--{name}", str(path)]
    del values
    started = time.monotonic()
    result = invoke("import", str(main), *companions, "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2 and "sheet.too_many_rows" in result.output
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("encoding", ["cp1258", "latin-1"])
def test_csv_in_another_encoding_is_a_coded_problem(tmp_path: Path, encoding: str) -> None:
    main = tmp_path / "lop.csv"
    main.write_bytes("full_name\nNguyễn Văn Ấn\n".encode(encoding, errors="replace") + b"\xe9\xff\n")
    result = invoke(
        "import",
        str(main),
        "--info",
        str(main),
        "--subjects",
        str(main),
        "--staff",
        str(main),
        "-o",
        str(tmp_path / "o.jsonl"),
    )
    assert result.exit_code == 2 and "file.encoding" in result.output and "UTF-8" in result.output


def test_utf16_csv_with_its_bom_is_read(tmp_path: Path, raw_samples: dict[str, Any]) -> None:
    value = _sheet_content([v for v in raw_samples["tieu_hoc"] if "principal_acting" not in v["signers"]][:1])[0]
    info = tmp_path / "info.csv"
    lines = ["key,value", *(f"{k},{v if v is not None else ''}" for k, v in _class_info(value).items())]
    info.write_bytes(("\n".join(lines) + "\n").encode("utf-16"))
    rows, problems = read_csv(info)
    assert not problems and dict((r["key"], r["value"]) for _, r in rows)["school_name"] == value["school"]["name"]


def test_malformed_workbook_xml_is_unreadable_not_a_crash(tmp_path: Path, raw_samples: dict[str, Any]) -> None:
    sheet = tmp_path / "lop.xlsx"
    _workbook(sheet, _thcs(raw_samples))
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(sheet) as good, zipfile.ZipFile(broken, "w") as out:
        for item in good.infolist():
            data = good.read(item)
            out.writestr(item, data[: len(data) // 2] if item.filename.startswith("xl/worksheets/") else data)
    result = invoke("import", str(broken), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2 and "file.unreadable" in result.output


def test_json_nested_100000_deep_is_a_coded_problem(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = invoke("validate", str(path), "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["errors"][0]["code"] == "file.too_deep"


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\u202e", "\u2066", "\u200f", "\x85"])
def test_control_and_bidi_characters_are_refused_by_validate_and_render(
    tmp_path: Path, raw_samples: dict[str, Any], char: str
) -> None:
    value = copy.deepcopy(raw_samples["tieu_hoc"][0])
    value["student"]["full_name"] = f"Nguyễn{char}Văn An"
    report = validate_record(value)
    assert report.record is None and [(p.code, p.path) for p in report.errors] == [
        ("text.control", "student.full_name")
    ]
    path = write_jsonl(tmp_path / "lop.jsonl", [value])
    assert invoke("validate", str(path)).exit_code == 2
    rendered = invoke("render", str(path), "--out-dir", str(tmp_path / "books"))
    assert rendered.exit_code == 2 and not list((tmp_path / "books").glob("*.pdf"))


def test_line_breaks_stay_allowed_in_comments(raw_samples: dict[str, Any]) -> None:
    value = copy.deepcopy(raw_samples["tieu_hoc"][0])
    value["homeroom_comment"] = "Chăm ngoan.\nCần cố gắng thêm môn Toán."
    assert validate_record(value).record is not None


def test_a_workbook_sheet_over_the_row_limit_is_refused(tmp_path: Path, raw_samples: dict[str, Any]) -> None:
    sheet = tmp_path / "lop.xlsx"
    _workbook(sheet, _thcs(raw_samples))  # two students: over a limit of one row
    sheets, problems = read_workbook(sheet, IntakeLimits(max_rows=1))
    assert sheets["hoc_sinh"] == []  # nothing of an oversized sheet is kept
    assert [(p.code, p.params["sheet"]) for p in problems if p.code == "sheet.too_many_rows"]
    assert read_workbook(sheet)[1] == []
