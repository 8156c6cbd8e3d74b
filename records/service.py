"""Record intake: bytes in, validated records and every problem out.

A file holds one record, a JSON array of records, or JSON Lines. Floats are read as `Decimal` so that a
score of 8.25 is seen as written, and all text is normalised to NFC before anything looks at it.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import rules
from ._convert import problems_from
from .model import FORMAT, Record
from .problems import Problem, Severity, error


@dataclass(frozen=True)
class RecordReport:
    """What intake made of one record of a file."""

    index: int
    record: Record | None
    """The record when it has no errors (warnings allowed), else None."""
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def valid(self) -> bool:
        return self.record is not None


@dataclass(frozen=True)
class FileReport:
    """What intake made of one file."""

    file: str
    records: tuple[RecordReport, ...] = ()
    file_problems: tuple[Problem, ...] = field(default=())
    """Problems of the file itself (unreadable, JSON syntax), not of one record."""

    @property
    def valid(self) -> bool:
        return not self.file_problems and all(r.valid for r in self.records)

    def as_dict(self) -> dict[str, Any]:
        records = [
            {
                "index": r.index,
                "valid": r.valid,
                "errors": [p.as_dict() for p in r.errors],
                "warnings": [p.as_dict() for p in r.warnings],
            }
            for r in self.records
        ]
        flat = [p.as_dict(record=None) for p in self.file_problems]
        flat += [p.as_dict(record=r.index) for r in self.records for p in r.errors]
        return {"file": self.file, "valid": self.valid, "records": records, "errors": flat}


def nfc(value: Any) -> Any:
    """Normalise every string (keys too) of a JSON value to NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    return value


def validate_record(raw: Any, index: int = 0) -> RecordReport:
    """Validate one decoded JSON value against `hocba-record/1`."""
    if not isinstance(raw, dict):
        return RecordReport(index, None, (error("record.not_object", ""),))
    raw = nfc(raw)
    if raw.get("format") != FORMAT:
        # Another format's fields would only produce noise: say the one thing that matters.
        problem = (
            error("field.required", "format")
            if "format" not in raw
            else error("record.format", "format", value=raw["format"])
        )
        return RecordReport(index, None, (problem,))
    try:
        record = Record.model_validate(raw)
    except ValidationError as exc:
        return RecordReport(index, None, tuple(problems_from(exc)))
    problems = tuple(rules.check(record))
    has_errors = any(p.severity is Severity.ERROR for p in problems)
    return RecordReport(index, None if has_errors else record, problems)


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def _decode_error(exc: json.JSONDecodeError, line_offset: int = 0) -> Problem:
    return error("json.syntax", "", line=exc.lineno + line_offset, column=exc.colno, reason=exc.msg)


def split_values(text: str) -> tuple[list[Any], list[Problem]]:
    """Decode a whole-file JSON value or JSON Lines into a list of record candidates."""
    if not text.strip():
        return [], [error("file.empty", "")]
    try:
        whole = _loads(text)  # not stripped: line and column must point into the file as it is
    except json.JSONDecodeError as whole_exc:
        lines = text.splitlines()
        first = next((i for i, line in enumerate(lines) if line.strip()), 0)
        try:
            _loads(lines[first])
        except json.JSONDecodeError:
            # Not JSON Lines either: report where the single document broke.
            return [], [_decode_error(whole_exc)]
        return _json_lines(lines)
    values = whole if isinstance(whole, list) else [whole]
    if not values:
        return [], [error("file.empty", "")]
    return values, []


def _json_lines(lines: list[str]) -> tuple[list[Any], list[Problem]]:
    values: list[Any] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            values.append(_loads(line))
        except json.JSONDecodeError as exc:
            problems.append(_decode_error(exc, number))
    return values, problems


def parse_bytes(data: bytes, name: str) -> FileReport:
    """Validate every record of a file's content."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return FileReport(name, (), (error("file.encoding", "", reason=str(exc)),))
    values, problems = split_values(text)
    reports = tuple(validate_record(v, i) for i, v in enumerate(values))
    return FileReport(name, reports, tuple(problems))


def load_file(path: Path) -> FileReport:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileReport(str(path), (), (error("file.unreadable", "", reason=exc.strerror or str(exc)),))
    return parse_bytes(data, str(path))


def json_schema() -> dict[str, Any]:
    """The JSON Schema of `hocba-record/1` (structure; the cross-field rules are in the contract)."""
    schema = Record.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://hocba.vn/schema/hocba-record-1.json"
    schema["title"] = "hocba-record/1"
    return schema
