"""ReportLab pieces: global settings for PDF/A, the signature-box flowable and the footer canvas."""

from __future__ import annotations

from functools import cache
from typing import Any

from reportlab import rl_config
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import STATE_DEFAULTS, Drawing
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
    size = 16 * mm
    qr = QrCodeWidget(identity.qr_payload, barLevel="M")
    x0, y0, x1, y1 = qr.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, canvas, width - 15 * mm - size, 2 * mm)
    canvas.restoreState()


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
                _footer(self, identity, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return FooterCanvas
