"""Retention policies: how long a kind of record is kept, and under which law."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RetentionPolicy:
    id: str
    kind: str
    """What it applies to: a document kind (``hoc_ba``, ``correction_minutes``, ``ban_sao``) or another stored
    object (``audit_anchor``, ``copy_register``, ``copy_request``, ``copy_refusal``, ``export``, ``revision``)."""
    title_vi: str
    title_en: str
    period: str
    """``permanent`` or a number of years (``"20"``)."""
    horizon_years: int
    """Years of the write-once lock set now. For ``permanent`` it is renewed (extended) before it runs out."""
    legal_refs: tuple[str, ...]
    note: str = ""
    starts: str = "archived"
    """What the period counts from: ``archived`` (the object is kept) or ``sealed`` (its book is sealed)."""
    lock: str = "compliance"
    """The storage lock it is kept under: ``compliance`` (nobody may delete it or shorten the lock) or
    ``governance`` (a reviewed disposition with the storage's bypass right may)."""
    superseded_by: str | None = None
    """The policy that replaced this one for new objects; assignments made under this one keep it."""

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
