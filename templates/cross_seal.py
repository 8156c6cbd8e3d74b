"""The cross-page seal (dấu giáp lai, NĐ 30/2020/NĐ-CP, Đ.33) of a printable copy: one impression of the
school's seal at mid-height on the right edge across at most 5 sheets, so each sheet shows its slice of the seal
(fanned out, the sheets' edges make the whole seal again). Drawn in vector, red, no transparency (PDF/A)."""

from __future__ import annotations

import io

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .fonts import SERIF_BOLD

SHEETS_PER_IMPRESSION = 5
_RED = Color(0.78, 0.1, 0.1)
_DIAMETER = 34 * mm


def cross_seal_pages(pages: int, school_name: str) -> bytes:
    """`pages` A4 pages, each blank but for its slice of the cross-page seal (to lay over the copy's pages)."""
    width, height = A4
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    for start in range(0, pages, SHEETS_PER_IMPRESSION):
        group = min(SHEETS_PER_IMPRESSION, pages - start)
        strip = _DIAMETER / group
        for k in range(group):
            canvas.saveState()
            path = canvas.beginPath()
            path.rect(width - strip, 0, strip, height)
            canvas.clipPath(path, stroke=0, fill=0)
            # The seal's left edge sits so that strip k of it falls on this sheet's edge.
            _seal(canvas, width - strip * (k + 1) + _DIAMETER / 2, height / 2, school_name)
            canvas.restoreState()
            canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _seal(canvas: Canvas, cx: float, cy: float, school_name: str) -> None:
    r = _DIAMETER / 2
    canvas.setStrokeColor(_RED)
    canvas.setFillColor(_RED)
    canvas.setLineWidth(1.6)
    canvas.circle(cx, cy, r - 1, stroke=1, fill=0)
    canvas.setLineWidth(0.8)
    canvas.circle(cx, cy, r - 5 * mm, stroke=1, fill=0)
    canvas.setFont(SERIF_BOLD, 5.5)
    words = school_name.upper().split()
    half = (len(words) + 1) // 2
    for line, text in enumerate((" ".join(words[:half]), " ".join(words[half:]))):
        canvas.drawCentredString(cx, cy + 1.5 * mm - line * 3 * mm, text)
