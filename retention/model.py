"""Retention policies: how long a kind of record is kept, and under which law."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RetentionPolicy:
    id: str
    kind: str
    """What it applies to: ``hoc_ba``, ``correction_minutes``, ``audit_anchor``."""
    title_vi: str
    title_en: str
    period: str
    """``permanent`` or a number of years (``"20"``)."""
    horizon_years: int
    """Years of the write-once lock set now. For ``permanent`` it is renewed (extended) before it runs out."""
    legal_refs: tuple[str, ...]
    note: str = ""

    @property
    def permanent(self) -> bool:
        return self.period == "permanent"

    def retain_until(self, start: datetime) -> datetime:
        """The lock date for a record archived at `start` (29 February moves to 28 February)."""
        years = self.horizon_years if self.permanent else int(self.period)
        try:
            return start.replace(year=start.year + years)
        except ValueError:
            return start.replace(year=start.year + years, day=28)
