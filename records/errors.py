"""Errors of the records package. Each carries a stable code and the problems behind it."""

from __future__ import annotations

from .problems import Problem


class RecordsError(Exception):
    """Root of this package's errors."""

    code = "records.error"


class InvalidRecordError(RecordsError):
    """A record that breaks `hocba-record/1`; `problems` names every field at fault."""

    code = "records.invalid"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0] if problems else None
        detail = f"{first.path}: {first.message_en}" if first else "invalid record"
        super().__init__(f"{len(problems)} problem(s); first: {detail}")
