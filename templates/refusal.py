"""The written refusal of a request for a copy (NĐ 23/2015/NĐ-CP: a request that cannot be met is answered in
writing, with the reason), as PDF/A-3b: the school's letter to the asker."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate, Spacer

from records import SigningPlan

from ._canvas import configure_reportlab
from ._finish import finish
from .layouts.common import BODY, CENTER_BOLD, ITALIC_CENTER, JUSTIFIED, SECTION, national_header, p
from .model import VIETNAM, Attachment, Description, Identity, Profile


def render_refusal(
    request_id: str,
    school_name: str,
    document_id: str,
    asker_name: str,
    requested_at: datetime,
    decided_at: datetime,
    reason: str,
) -> bytes:
    """The letter that tells `asker_name` why their request `request_id` was refused."""
    configure_reportlab()
    asked, decided = requested_at.astimezone(VIETNAM), decided_at.astimezone(VIETNAM)
    content = {
        "format": "hocba-copy-refusal/1",
        "request": request_id,
        "document_id": document_id,
        "asker": asker_name,
        "requested_at": requested_at.isoformat(),
        "decided_at": decided_at.isoformat(),
        "reason": reason,
    }
    data = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    identity = Identity(f"TC-{request_id}", hashlib.sha256(data).hexdigest(), "")
    story = [
        *national_header(),
        Spacer(1, 6 * mm),
        p(school_name.upper(), CENTER_BOLD),
        Spacer(1, 8 * mm),
        p("TRẢ LỜI ĐỀ NGHỊ CẤP BẢN SAO HỌC BẠ", SECTION),
        p(f"Ngày {decided.day:02d} tháng {decided.month:02d} năm {decided.year}", ITALIC_CENTER),
        Spacer(1, 8 * mm),
        p(f"Kính gửi: {asker_name}", BODY),
        Spacer(1, 4 * mm),
        p(
            f"Ngày {asked:%d/%m/%Y}, nhà trường nhận được đề nghị số {request_id} cấp bản sao học bạ mã "
            f"{document_id}. Nhà trường không cấp được bản sao theo đề nghị này vì lý do sau:",
            JUSTIFIED,
        ),
        Spacer(1, 2 * mm),
        p(reason, BODY),
        Spacer(1, 4 * mm),
        p(
            "Người đề nghị có thể liên hệ văn thư nhà trường để được hướng dẫn thêm. / The request for a certified "
            "copy could not be met, for the reason above; the school's office can advise.",
            JUSTIFIED,
        ),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm)
    doc.build(story, canvasmaker=Canvas)
    about = Description(
        f"Trả lời đề nghị cấp bản sao {request_id}",
        school_name,
        f"Từ chối cấp bản sao học bạ {document_id}: {reason}",
        ("từ chối cấp bản sao", school_name, document_id),
    )
    attachment = Attachment("tra-loi.json", data, "application/json", "Nội dung văn bản trả lời (JSON)")
    return finish(buf.getvalue(), SigningPlan(()), [], identity, Profile.PDFA_3B, decided, about, (attachment,))
