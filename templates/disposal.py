"""The certificate of destruction of a disposal as PDF/A-3b: who proposed it and why, who approved it, and every
object deleted with its document, hash and retention policy (the same list as JSON, attached). It is kept
permanently, locked, and named with its hash in the audit trail."""

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

_COLUMNS = (
    "Hồ sơ / document",
    "Phiên bản / version",
    "Tệp / object",
    "SHA-256",
    "Chính sách / policy",
    "Hết hạn / ended",
)
_WIDTHS = (36, 18, 70, 80, 34, 29)  # mm: 267, the landscape page inside its margins


def render_disposal_certificate(
    school_name: str, disposal_id: str, facts: list[tuple[str, str]], rows: list[list[str]]
) -> bytes:
    """`facts`: (label, value) of the disposal (reason, proposal, approval, when carried out); `rows`: one per
    object deleted, in the order of `_COLUMNS`."""
    configure_reportlab()
    content = json.dumps(
        {"disposal": disposal_id, "facts": facts, "deleted": rows}, ensure_ascii=False, sort_keys=True
    ).encode()
    identity = Identity(disposal_id, hashlib.sha256(content).hexdigest(), "")
    about = Table([[p(k, HEAD), p(v, CELL)] for k, v in facts], colWidths=[70 * mm, 197 * mm])
    about.setStyle(grid())
    table = Table(
        [[p(c, HEAD) for c in _COLUMNS], *[[p(v, CELL) for v in row] for row in rows]],
        colWidths=[w * mm for w in _WIDTHS],
        repeatRows=1,
    )
    table.setStyle(grid())
    title = p(f"BIÊN BẢN HỦY TÀI LIỆU HẾT THỜI HẠN BẢO QUẢN<br/>{school_name} – {disposal_id}", SECTION)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm)
    doc.build([title, Spacer(1, 4 * mm), about, Spacer(1, 5 * mm), table], canvasmaker=Canvas)
    description = Description(
        f"Biên bản hủy tài liệu {disposal_id} – {school_name}",
        school_name,
        f"Biên bản hủy {len(rows)} tài liệu hết thời hạn bảo quản của {school_name}.",
        ("biên bản hủy tài liệu", school_name, disposal_id),
    )
    attachment = Attachment("danh-muc-huy.json", content, "application/json", "Danh mục tài liệu hủy (JSON)")
    moment = datetime.now(VIETNAM)
    return finish(buf.getvalue(), SigningPlan(()), [], identity, Profile.PDFA_3B, moment, description, (attachment,))
