"""Adapters of the records package: spreadsheet import and the blank class-sheet template."""

from .spreadsheet import (
    INFO,
    STAFF,
    STUDENTS,
    SUBJECTS,
    Imported,
    build_records,
    read_csv,
    read_workbook,
    student_columns,
    write_workbook,
)

__all__ = [
    "INFO",
    "STAFF",
    "STUDENTS",
    "SUBJECTS",
    "Imported",
    "build_records",
    "read_csv",
    "read_workbook",
    "student_columns",
    "write_workbook",
]
