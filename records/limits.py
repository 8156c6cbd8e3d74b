"""Bounds on what intake reads from a file it did not make (a school's spreadsheet, an upload): a limit hit is a
coded problem before the work it would have cost. A class sheet of 60 students is far inside every bound."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class IntakeLimits:
    max_file_bytes: int = 20 * MiB
    """Largest record file, spreadsheet or CSV read at all."""
    max_unzipped_bytes: int = 100 * MiB
    """What the parts of a workbook (a zip) may declare as their uncompressed size, together; the zip reader
    never produces more than a part declares."""
    max_zip_parts: int = 1_000
    max_rows: int = 5_000
    """Rows of one sheet (a whole school's students fits)."""
    max_columns: int = 1_000
    max_depth: int = 32
    """Nesting of a JSON record (a record is about five levels deep)."""


DEFAULT_LIMITS = IntakeLimits()
