"""Bar charts drawn on the server as SVG (no script), each with its numbers in a table beside: the school's
progress per class and step, the province's per school."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_LABEL, _BAR, _ROW = 120, 420, 26  # px: the rows' names, the longest bar, one row


@dataclass(frozen=True)
class Series:
    key: str
    label: tuple[str, str]
    colour: str


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    label: tuple[str, str]
    count: int


@dataclass(frozen=True)
class Bar:
    name: str
    y: int
    segments: tuple[Segment, ...]
    end: float
    total: int
    counts: Mapping[str, int]


@dataclass(frozen=True)
class Chart:
    title: tuple[str, str]
    series: tuple[Series, ...]
    bars: tuple[Bar, ...]
    width: int
    height: int


def stacked(title: tuple[str, str], series: Sequence[Series], rows: Sequence[tuple[str, Mapping[str, int]]]) -> Chart:
    """One stacked bar per row (name → count per series key), scaled to the largest row."""
    largest = max((sum(counts.get(s.key, 0) for s in series) for _, counts in rows), default=0) or 1
    bars = []
    for index, (name, counts) in enumerate(rows):
        x, segments = float(_LABEL), []
        for s in series:
            count = counts.get(s.key, 0)
            width = _BAR * count / largest
            segments.append(Segment(round(x, 1), round(width, 1), s.colour, s.label, count))
            x += width
        total = sum(counts.get(s.key, 0) for s in series)
        bars.append(Bar(name, index * _ROW, tuple(segments), round(x, 1), total, counts))
    return Chart(title, tuple(series), tuple(bars), _LABEL + _BAR + 50, max(_ROW, len(bars) * _ROW))
