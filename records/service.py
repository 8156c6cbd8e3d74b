"""Record intake: bytes in, validated records and every problem out.

A file holds one record, a JSON array of records, or JSON Lines. Floats are read as `Decimal` so that a
score of 8.25 is seen as written, and all text is normalised to NFC before anything looks at it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import rules
from ._convert import problems_from
from .limits import DEFAULT_LIMITS, IntakeLimits
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


# C0 and C1 controls but the line break (multi-line comments), and the characters that reorder text on screen
# (bidi embeddings, overrides and isolates, direction marks): a name must look the same in every viewer and in
# the book, and a printed book cannot hold them.
_HIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _hidden_characters(value: Any, path: str = "") -> list[Problem]:
    if isinstance(value, str):
        found = _HIDDEN.search(value)
        return [error("text.control", path, char=f"U+{ord(found.group()):04X}")] if found else []
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _hidden_characters(v, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _hidden_characters(v, f"{path}.{k}" if path else str(k))]
    return []


def validate_record(raw: Any, index: int = 0) -> RecordReport:
    """Validate one decoded JSON value against `hocba-record/1`."""
    if not isinstance(raw, dict):
        return RecordReport(index, None, (error("record.not_object", ""),))
    raw = nfc(raw)
    hidden = _hidden_characters(raw)
    if hidden:
        return RecordReport(index, None, tuple(hidden))
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


def _depth(value: Any, limit: int) -> int:
    """How deep `value` nests, counting no further than `limit` + 1."""
    if limit < 0 or not isinstance(value, (list, dict)):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)


def split_values(text: str, limits: IntakeLimits = DEFAULT_LIMITS) -> tuple[list[Any], list[Problem]]:
    """Decode a whole-file JSON value or JSON Lines into a list of record candidates."""
    if not text.strip():
        return [], [error("file.empty", "")]
    try:
        values, problems = _split(text)
    except RecursionError:  # the parser's own recursion: deeper than any record by far
        return [], [error("file.too_deep", "", limit=limits.max_depth)]
    if any(_depth(v, limits.max_depth) > limits.max_depth for v in values):
        return [], [error("file.too_deep", "", limit=limits.max_depth)]
    return values, problems


def _split(text: str) -> tuple[list[Any], list[Problem]]:
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


def decode_text(data: bytes) -> str:
    """Text of a file in an accepted encoding: UTF-8 (with or without a BOM), or UTF-16 with its BOM (what
    spreadsheet programs write as "Unicode text"). Anything else (CP1258, Latin-1 …) raises `UnicodeDecodeError`:
    guessing would put wrong letters into a book."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def parse_bytes(data: bytes, name: str, limits: IntakeLimits = DEFAULT_LIMITS) -> FileReport:
    """Validate every record of a file's content."""
    if len(data) > limits.max_file_bytes:
        problem = error("file.too_large", "", reason=f"{len(data)} bytes", limit=f"{limits.max_file_bytes} bytes")
        return FileReport(name, (), (problem,))
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        return FileReport(name, (), (error("file.encoding", "", reason=str(exc)),))
    values, problems = split_values(text, limits)
    reports = tuple(validate_record(v, i) for i, v in enumerate(values))
    return FileReport(name, reports, tuple(problems))


def load_file(path: Path, limits: IntakeLimits = DEFAULT_LIMITS) -> FileReport:
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:  # refused before it is read into memory
            problem = error("file.too_large", "", reason=f"{size} bytes", limit=f"{limits.max_file_bytes} bytes")
            return FileReport(str(path), (), (problem,))
        data = path.read_bytes()
    except OSError as exc:
        return FileReport(str(path), (), (error("file.unreadable", "", reason=exc.strerror or str(exc)),))
    return parse_bytes(data, str(path), limits)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of `hocba-record/1` (structure; the cross-field rules are in the contract)."""
    schema = Record.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://hocba.vn/schema/hocba-record-1.json"
    schema["title"] = "hocba-record/1"
    return schema
