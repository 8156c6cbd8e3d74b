"""The wall clock, behind the `Clock` port so that tests can move time."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A time read back from a store that drops the zone (SQLite, some S3 servers) is UTC: say so."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
