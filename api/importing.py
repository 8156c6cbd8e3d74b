"""`hocba import` and the blank spreadsheet template (`hocba sample --xlsx`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from records import Problem, dumps_jsonl, error, standard_subjects, validate_record
from records.adapters import (
    INFO,
    STAFF,
    STUDENTS,
    SUBJECTS,
    build_records,
    read_csv,
    read_workbook,
    write_workbook,
)
from templates import write_atomic

from .console import EXIT_BAD_INPUT, EXIT_OK, out, show_problem


def write_template(path: Path, level: str) -> None:
    write_workbook(path, level, list(standard_subjects(level)))


def import_sheet(
    sheet: Annotated[Path, typer.Argument(help="Class sheet: .xlsx workbook, or .csv with the companion files")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Records out (.jsonl)")],
    staff: Annotated[Path | None, typer.Option(help="CSV only: the staff sheet")] = None,
    subjects: Annotated[Path | None, typer.Option(help="CSV only: the subjects sheet")] = None,
    info: Annotated[Path | None, typer.Option(help="CSV only: the key/value class information sheet")] = None,
) -> None:
    """Turn a class spreadsheet and its staff sheet into records; nothing is written unless every row is valid."""
    problems: list[Problem] = []
    if sheet.suffix.lower() == ".xlsx":
        sheets, problems = read_workbook(sheet)
        names = {INFO: INFO, SUBJECTS: SUBJECTS, STAFF: STAFF, STUDENTS: STUDENTS}
    else:
        companions = {INFO: info, SUBJECTS: subjects, STAFF: staff}
        sheets = {}
        names = {STUDENTS: sheet.name}
        if not sheet.is_file():
            problems.append(error("file.unreadable", str(sheet), reason="not found"))
        else:
            sheets[STUDENTS], found = read_csv(sheet)
            problems += found
        for key, path in companions.items():
            if path is None or not path.is_file():
                problems.append(error("sheet.missing", f"--{'staff' if key == STAFF else key}", sheet=key))
            else:
                sheets[key], found = read_csv(path)
                problems += found
                names[key] = path.name
    if problems:
        _report(problems)
    imported = build_records(sheets[INFO], sheets[SUBJECTS], sheets[STAFF], sheets[STUDENTS], names)
    problems = list(imported.problems)
    for i, raw in enumerate(imported.records):
        report = validate_record(raw, i)
        for p in report.problems:
            where = imported.origins[i].get(p.path) or f"{names[STUDENTS]} row {imported.rows[i]}"
            problems.append(Problem(p.code, f"{where} → {p.path}", p.severity, p.params))
    if any(p.severity == "error" for p in problems):
        _report(problems)
    for p in problems:
        show_problem(str(sheet), p)
    write_atomic(output, dumps_jsonl(imported.records).encode())
    out.print(f"Đã nhập {len(imported.records)} hồ sơ / imported {len(imported.records)} records: {output}")
    raise typer.Exit(EXIT_OK)


def _report(problems: list[Problem]) -> None:
    for p in problems:
        show_problem("", p)
    raise typer.Exit(EXIT_BAD_INPUT)
