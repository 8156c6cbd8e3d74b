"""A class spreadsheet (a workbook, or CSV files) to records: every sheet read within its bounds, every record
checked, each problem traced back to the cell it came from. Nothing is kept unless every row is valid."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from records import Problem, Severity, error, validate_record
from records.adapters import INFO, STAFF, STUDENTS, SUBJECTS, build_records, read_csv, read_workbook


@dataclass(frozen=True)
class ClassImport:
    records: list[dict[str, Any]] = field(default_factory=list)
    """The records, when no problem is an error (warnings allowed)."""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)


def _sheets(sheet: Path, companions: dict[str, Path | None]) -> tuple[dict[str, Any], dict[str, str], list[Problem]]:
    if sheet.suffix.lower() == ".xlsx":
        sheets, refused = read_workbook(sheet)
        return sheets, {INFO: INFO, SUBJECTS: SUBJECTS, STAFF: STAFF, STUDENTS: STUDENTS}, refused
    found: dict[str, Any] = {}
    names = {STUDENTS: sheet.name}
    problems: list[Problem] = []
    if not sheet.is_file():
        problems.append(error("file.unreadable", str(sheet), reason="not found"))
    else:
        found[STUDENTS], read = read_csv(sheet)
        problems += read
    for key, path in companions.items():
        if path is None or not path.is_file():
            problems.append(error("sheet.missing", f"--{'staff' if key == STAFF else key}", sheet=key))
        else:
            found[key], read = read_csv(path)
            problems += read
            names[key] = path.name
    return found, names, problems


def import_class(
    sheet: Path, info: Path | None = None, subjects: Path | None = None, staff: Path | None = None
) -> ClassImport:
    """The records of a class sheet: a workbook, or a CSV class sheet with its `info`, `subjects` and `staff`
    companions."""
    sheets, names, problems = _sheets(sheet, {INFO: info, SUBJECTS: subjects, STAFF: staff})
    if problems:
        return ClassImport([], problems)
    imported = build_records(sheets[INFO], sheets[SUBJECTS], sheets[STAFF], sheets[STUDENTS], names)
    problems = list(imported.problems)
    for i, raw in enumerate(imported.records):
        for p in validate_record(raw, i).problems:
            where = imported.origins[i].get(p.path) or f"{names[STUDENTS]} row {imported.rows[i]}"
            problems.append(Problem(p.code, f"{where} → {p.path}", p.severity, p.params))
    result = ClassImport(imported.records, problems)
    return result if result.ok else ClassImport([], problems)
