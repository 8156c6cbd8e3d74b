"""The copy register of a year as PDF/A-3b: a landscape table, one row per copy issued or refused (the rows are
the workflow's; this lays them out). It carries no signature field: it is a listing, kept with the copies."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate, Spacer, Table

from records import SigningPlan

from ._canvas import configure_reportlab
from ._finish import finish
from .layouts.common import CELL, HEAD, SECTION, grid, p
from .model import VIETNAM, Attachment, Description, Identity, Profile

_WIDTHS = (22, 20, 18, 38, 12, 30, 20, 30, 16, 18, 16, 27)  # mm: 267, the landscape page inside its margins


def render_register(school_name: str, school_code: str, year: int, columns: list[str], rows: list[list[str]]) -> bytes:
    configure_reportlab()
    content = json.dumps({"school": school_code, "year": year, "rows": rows}, ensure_ascii=False).encode()
    identity = Identity(f"SCBS-{school_code}-{year}", hashlib.sha256(content).hexdigest(), "")
    table = Table(
        [[p(c.replace("\n", "<br/>"), HEAD) for c in columns], *[[p(v, CELL) for v in row] for row in rows]],
        colWidths=[w * mm for w in _WIDTHS[: len(columns)]],
        repeatRows=1,
    )
    table.setStyle(grid())
    title = p(f"SỔ CẤP BẢN SAO HỌC BẠ NĂM {year}<br/>{school_name}", SECTION)
    empty = [p("Chưa cấp bản sao nào trong năm / no copy issued this year", CELL)] if not rows else []
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm)
    doc.build([title, Spacer(1, 5 * mm), table, *empty], canvasmaker=Canvas)
    about = Description(
        f"Sổ cấp bản sao học bạ năm {year} – {school_name}",
        school_name,
        f"Sổ cấp bản sao học bạ năm {year} của {school_name} ({len(rows)} dòng).",
        ("sổ cấp bản sao", school_name, str(year)),
    )
    moment = datetime.now(VIETNAM)
    attachment = Attachment("so-cap-ban-sao.json", content, "application/json", "Sổ cấp bản sao (JSON)")
    return finish(buf.getvalue(), SigningPlan(()), [], identity, Profile.PDFA_3B, moment, about, (attachment,))
