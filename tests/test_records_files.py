"""Reading record files: one object, an array, JSON Lines, and every way a file can be broken."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from records import load_file, parse_bytes


def test_one_object_array_and_json_lines(raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    values = raw_samples["thcs"][:3]
    single = parse_bytes(json.dumps(values[0], ensure_ascii=False, indent=2).encode(), "one.json")
    array = parse_bytes(json.dumps(values, ensure_ascii=False).encode(), "many.json")
    lines = parse_bytes("\n".join(json.dumps(v, ensure_ascii=False) for v in values).encode(), "many.jsonl")
    assert (single.valid, len(single.records)) == (True, 1)
    assert (array.valid, len(array.records)) == (True, 3)
    assert (lines.valid, len(lines.records)) == (True, 3)
    assert lines.records[2].record == array.records[2].record


def test_truncated_json_reports_line_and_column(raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    text = json.dumps(raw_samples["thcs"][0], ensure_ascii=False, indent=2)
    cut = text[: len(text) // 2]
    report = parse_bytes(cut.encode(), "cut.json")
    assert not report.valid and report.records == ()
    (problem,) = report.file_problems
    assert problem.code == "json.syntax"
    assert problem.params["line"] == cut.count("\n") + 1
    assert f"dòng {problem.params['line']}" in problem.message_vi
    assert f"line {problem.params['line']}" in problem.message_en


def test_json_lines_with_one_broken_line(raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    good = [json.dumps(v, ensure_ascii=False) for v in raw_samples["thcs"][:2]]
    text = "\n".join([good[0], good[1][:-10], good[1]])
    report = parse_bytes(text.encode(), "x.jsonl")
    assert [p.params["line"] for p in report.file_problems] == [2]
    assert len(report.records) == 2 and not report.valid


def test_empty_file_and_bad_encoding(tmp_path: Path) -> None:
    assert [p.code for p in parse_bytes(b"  \n", "e.json").file_problems] == ["file.empty"]
    assert [p.code for p in parse_bytes(b"[]", "e.json").file_problems] == ["file.empty"]
    assert [p.code for p in parse_bytes(b'{"a": "\xff"}', "e.json").file_problems] == ["file.encoding"]
    missing = load_file(tmp_path / "nope.json")
    assert [p.code for p in missing.file_problems] == ["file.unreadable"]


def test_report_shape(raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    bad = dict(raw_samples["thcs"][0], grade=3)
    data = parse_bytes(json.dumps([raw_samples["thcs"][1], bad], ensure_ascii=False).encode(), "f.json").as_dict()
    assert data["file"] == "f.json" and data["valid"] is False
    assert [r["valid"] for r in data["records"]] == [True, False]
    assert data["errors"] == [
        {
            "record": 1,
            "path": "grade",
            "code": "grade.level_mismatch",
            "message_vi": data["records"][1]["errors"][0]["message_vi"],
            "message_en": data["records"][1]["errors"][0]["message_en"],
        }
    ]
