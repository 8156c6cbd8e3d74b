"""The verification report as data, the same for every face: the command line's `--json` and the HTTP API."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from signer import DocumentCheck


def _messages(pairs: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"message_vi": vi, "message_en": en} for vi, en in pairs]


def _fields(value: Any) -> dict[str, Any]:
    """A frozen dataclass's fields, one level, without `asdict`'s deep copies."""
    return {f.name: getattr(value, f.name) for f in fields(value)}


def check_as_json(result: DocumentCheck) -> dict[str, Any]:
    data = _fields(result)
    data["signatures"] = [
        _fields(s) | {"ok": s.ok, "problems": _messages(s.problems), "notes": _messages(s.notes)}
        for s in result.signatures
    ]
    data["ok"] = result.ok
    data["verdict"] = result.verdict
    data["indication"] = result.indication
    data["problems"] = _messages(result.problems)
    data["remaining"] = list(result.remaining)
    return data
