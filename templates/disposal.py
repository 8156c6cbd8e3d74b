"""The certificate of destruction of a disposal as PDF/A-3b: who proposed it and why, who approved it, and every
object deleted with its document, hash and retention policy (the same list as JSON, attached), with a field for
the school's seal, which signs it (B-LTA, like a book). It is kept permanently, locked, and named with its hash in
the audit trail."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from records import PlanEntry, Role, SigningPlan

from ._canvas import SigBox, configure_reportlab
from ._finish import finish
from .layouts.common import CELL, CENTER_BOLD, HEAD, SECTION, grid, p
from .model import VIETNAM, Attachment, Description, FieldBox, Identity, Profile

SEAL_FIELD = "dau_truong"
_SEAL_MM = 36

_COLUMNS = (
    "Hồ sơ / document",
    "Phiên bản / version",
    "Tệp / object",
    "SHA-256",
    "Chính sách / policy",
    "Hết hạn / ended",
)
_WIDTHS = (36, 18, 70, 80, 34, 29)  # mm: 267, the landscape page inside its margins


def disposal_plan(school_code: str, school_name: str) -> SigningPlan:
    """The certificate's one signature: the school's seal."""
    return SigningPlan(
        (PlanEntry(SEAL_FIELD, Role.SCHOOL_SEAL, 1, f"school:{school_code}", school_name, "Dấu của nhà trường"),)
    )


def render_disposal_certificate(
    school_code: str, school_name: str, disposal_id: str, facts: list[tuple[str, str]], rows: list[list[str]]
) -> bytes:
    """`facts`: (label, value) of the disposal (reason, proposal, approval, when carried out); `rows`: one per
    object deleted, in the order of `_COLUMNS`. The seal's field closes the last page."""
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
    title = [p("BIÊN BẢN HỦY TÀI LIỆU HẾT THỜI HẠN BẢO QUẢN", SECTION), p(f"{school_name} – {disposal_id}", SECTION)]
    boxes: list[FieldBox] = []
    seal = _SEAL_MM * mm
    signed = Table(
        [["", p("XÁC NHẬN CỦA NHÀ TRƯỜNG", CENTER_BOLD)], ["", SigBox(SEAL_FIELD, seal, seal, boxes, seal=True)]],
        colWidths=[187 * mm, 80 * mm],
    )
    signed.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "CENTER")]))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm)
    story = [*title, Spacer(1, 4 * mm), about, Spacer(1, 5 * mm), table, Spacer(1, 6 * mm), KeepTogether([signed])]
    doc.build(story, canvasmaker=Canvas)
    description = Description(
        f"Biên bản hủy tài liệu {disposal_id} – {school_name}",
        school_name,
        f"Biên bản hủy {len(rows)} tài liệu hết thời hạn bảo quản của {school_name}.",
        ("biên bản hủy tài liệu", school_name, disposal_id),
    )
    attachment = Attachment("danh-muc-huy.json", content, "application/json", "Danh mục tài liệu hủy (JSON)")
    moment = datetime.now(VIETNAM)
    plan = disposal_plan(school_code, school_name)
    return finish(buf.getvalue(), plan, boxes, identity, Profile.PDFA_3B, moment, description, (attachment,))
