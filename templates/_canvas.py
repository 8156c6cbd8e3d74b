"""ReportLab pieces: global settings for PDF/A, the signature-box flowable and the footer canvas."""

from __future__ import annotations

from functools import cache
from typing import Any

import segno
from reportlab import rl_config
from reportlab.graphics.shapes import STATE_DEFAULTS
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .fonts import SERIF, SERIF_ITALIC, register_fonts
from .model import FieldBox, Identity

GREY = Color(0.45, 0.45, 0.45)
FOOTER_HEIGHT = 20 * mm


@cache
def configure_reportlab() -> None:
    """Make ReportLab emit nothing PDF/A forbids; once per process, before the first document."""
    register_fonts()
    rl_config.invariant = 1  # reproducible bytes; real dates are set when the file is finished
    rl_config.useA85 = 0  # ASCII85 only inflates streams that pikepdf rewrites anyway
    # Without these, page preambles and drawings select Helvetica, which is never embedded.
    rl_config.canvas_basefontname = SERIF
    STATE_DEFAULTS["fontName"] = SERIF


class SigBox(Flowable):  # type: ignore[misc]
    """An empty signature area; records where it was drawn so a field can be placed on it."""

    def __init__(self, field: str, width: float, height: float, sink: list[FieldBox], seal: bool = False) -> None:
        super().__init__()
        self.field, self.width, self.height, self.sink, self.seal = field, width, height, sink, seal

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        page = self.canv.getPageNumber()
        self.sink.append(FieldBox(self.field, page, x, y, self.width, self.height))
        if self.seal:  # a faint guide for where the seal goes; the signed seal is drawn over it
            self.canv.saveState()
            self.canv.setStrokeColor(Color(0.8, 0.8, 0.8))
            self.canv.setDash(2, 2)
            r = min(self.width, self.height) / 2
            self.canv.circle(self.width / 2, self.height / 2, r - 1)
            self.canv.restoreState()


def _footer(canvas: Canvas, identity: Identity, page: int, total: int) -> None:
    width, _ = canvas._pagesize
    canvas.saveState()
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.4)
    canvas.line(20 * mm, FOOTER_HEIGHT - 2 * mm, width - 15 * mm, FOOTER_HEIGHT - 2 * mm)
    canvas.setFillColor(GREY)
    canvas.setFont(SERIF, 8)
    canvas.drawString(20 * mm, FOOTER_HEIGHT - 6 * mm, f"Mã hồ sơ: {identity.document_id}")
    canvas.drawString(20 * mm, FOOTER_HEIGHT - 10 * mm, f"Mã nội dung: {identity.short_hash}")
    canvas.setFont(SERIF_ITALIC, 7)
    canvas.drawString(20 * mm, FOOTER_HEIGHT - 14 * mm, f"Kiểm tra tính xác thực: {identity.verify_url}")
    canvas.setFont(SERIF, 9)
    canvas.drawCentredString(width / 2 + 10 * mm, FOOTER_HEIGHT - 8 * mm, f"Trang {page}/{total}")
    canvas.translate(width - 15 * mm - QR_SIZE, 2 * mm)
    canvas.doForm(QR_FORM)
    canvas.restoreState()


QR_FORM = "HocbaQR"
QR_SIZE = 16 * mm


def _qr_form(canvas: Canvas, payload: str) -> None:
    """Draw the QR code once as a form XObject that every page reuses.

    Vector: one filled path of rectangles, a run of dark modules per rectangle (no image, no
    transparency). segno picks the mask; ReportLab's own widget is much slower to draw.
    """
    matrix = segno.make(payload, error="m", micro=False).matrix
    count = len(matrix)
    quiet = 2
    module = QR_SIZE / (count + 2 * quiet)
    canvas.beginForm(QR_FORM, 0, 0, QR_SIZE, QR_SIZE)
    canvas.setFillColor(Color(0, 0, 0))
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        y = QR_SIZE - (row_index + quiet + 1) * module
        col = 0
        while col < count:
            if not row[col]:
                col += 1
                continue
            start = col
            while col < count and row[col]:
                col += 1
            path.rect((start + quiet) * module, y, (col - start) * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.endForm()


def footer_canvas_maker(identity: Identity) -> Any:
    """A canvas class that draws every page's footer once the page count is known ("trang x/y")."""

    class FooterCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pending: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            self._pending.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pending)
            for number, state in enumerate(self._pending, start=1):
                self.__dict__.update(state)
                if number == 1:
                    _qr_form(self, identity.qr_payload)
                _footer(self, identity, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return FooterCanvas
