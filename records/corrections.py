"""Corrections of a finalized record: what changes, from what to what. Pure rules, no storage.

A change names a field with the paths problems use (``conduct.year``, ``subjects[3].term2``), where a list of
subjects may also be indexed by subject code (``subjects[toan].term2``). The corrected record must pass every
rule of the format again; the fields that make a book's identity (school, year, student) are never corrected
this way — that is a different book.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .export import record_data
from .model import Record
from .problems import Problem, error
from .service import RecordReport, validate_record

IDENTITY_PATHS = ("format", "level", "school_year", "school.code", "student.personal_id")
_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    """The value in the record being corrected (None when the field was absent)."""
    after: Any
    """The new value (None removes the field)."""

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


def parse_value(text: str) -> Any:
    """`6.5` → 6.5, `"tot"` or `tot` → "tot", `null` → None: what a teacher types on the command line."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _segments(path: str) -> list[str]:
    parts = [m.group(1) or m.group(2) for m in _SEGMENT.finditer(path)]
    if not parts:
        raise KeyError(path)
    return parts


def _step(node: Any, part: str) -> tuple[Any, str | int]:
    """The container and the key of `part` inside `node` (list items by index or by their `code`)."""
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return node, int(part)
        for index, item in enumerate(node):
            if isinstance(item, dict) and item.get("code") == part:
                return node, index
        raise KeyError(part)
    if isinstance(node, dict):
        return node, part
    raise KeyError(part)


def read_path(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in _segments(path):
        container, key = _step(node, part)
        if isinstance(container, dict) and key not in container:
            return None
        node = container[key]
    return node


def write_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = _segments(path)
    node: Any = data
    for part in parts[:-1]:
        container, key = _step(node, part)
        if isinstance(container, dict) and key not in container:
            container[key] = {}
        node = container[key]
    container, key = _step(node, parts[-1])
    if value is None and isinstance(container, dict):
        container.pop(key, None)
    else:
        container[key] = value


def plan_changes(record: Record, assignments: list[tuple[str, Any]]) -> tuple[tuple[Change, ...], list[Problem]]:
    """The changes asked for, with their current values; problems for paths that are unknown, protected or
    unchanged."""
    data = record_data(record)
    changes: list[Change] = []
    problems: list[Problem] = []
    for path, value in assignments:
        if path in IDENTITY_PATHS:
            problems.append(error("correction.identity_field", path))
            continue
        try:
            before = read_path(data, path)
        except KeyError:
            problems.append(error("correction.unknown_path", path))
            continue
        if before == value:
            problems.append(error("correction.unchanged", path, value=value))
            continue
        changes.append(Change(path, before, value))
    if not changes and not problems:
        problems.append(error("correction.empty", ""))
    return tuple(changes), problems


def apply_changes(record: Record, changes: tuple[Change, ...]) -> RecordReport:
    """The corrected record, validated by every rule of the format (its problems name the fields)."""
    data = record_data(record)
    for change in changes:
        write_path(data, change.path, change.after)
    return validate_record(json.loads(json.dumps(data)))


@dataclass(frozen=True)
class Minutes:
    """What the "Biên bản điều chỉnh kết quả" states."""

    correction_id: str
    document_id: str
    """The corrected book's id (the same for every version)."""
    corrected_version: int
    record: Record
    """The record after correction."""
    changes: tuple[Change, ...]
    reason: str
    requester_id: str
    witness_id: str
    approved_at: datetime
    witnessed_at: datetime

    def minutes_id(self) -> str:
        """The minutes' own document id: derived from the correction, never confused with a book's."""
        digest = hashlib.sha256(f"minutes|{self.correction_id}".encode()).digest()
        code = base64.b32encode(digest).decode()[:16]
        return "BB-" + "-".join(code[i : i + 4] for i in range(0, 16, 4))

    def content(self) -> dict[str, Any]:
        return {
            "format": "hocba-correction-minutes/1",
            "correction": self.correction_id,
            "document_id": self.document_id,
            "corrected_version": self.corrected_version,
            "changes": [c.as_dict() for c in self.changes],
            "reason": self.reason,
            "requester": self.requester_id,
            "witness": self.witness_id,
            "approved_at": self.approved_at.isoformat(),
            "witnessed_at": self.witnessed_at.isoformat(),
        }


def check_people(record: Record, requester_id: str, witness_id: str) -> list[Problem]:
    staff = record.staff_by_id()
    problems = [error("correction.not_staff", f, who=who) for f, who in (("by", requester_id), ("witness", witness_id))]
    problems = [p for p in problems if p.params["who"] not in staff]
    if requester_id == witness_id:
        problems.append(error("correction.same_person", "witness"))
    return problems


def check_principal(record: Record, staff_id: str) -> list[Problem]:
    allowed = {record.signers.principal, record.signers.principal_acting} - {None}
    return [] if staff_id in allowed else [error("correction.not_principal", "by", who=staff_id)]
