"""`hocba import` and the blank spreadsheet template (`hocba sample --xlsx`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from records import Problem, dumps_jsonl, standard_subjects, write_atomic
from records.adapters import (
    write_workbook,
)
from workflows import import_class

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
    imported = import_class(sheet, info=info, subjects=subjects, staff=staff)
    if not imported.ok:
        _report(imported.problems)
    for p in imported.problems:
        show_problem(str(sheet), p)
    write_atomic(output, dumps_jsonl(imported.records).encode())
    out.print(f"Đã nhập {len(imported.records)} hồ sơ / imported {len(imported.records)} records: {output}")
    raise typer.Exit(EXIT_OK)


def _report(problems: list[Problem]) -> None:
    for p in problems:
        show_problem("", p)
    raise typer.Exit(EXIT_BAD_INPUT)
