"""Biên bản điều chỉnh kết quả học tập, rèn luyện: what changed, why, and the three people who answer for it,
with the school's seal over the principal's signature."""

from __future__ import annotations

import json
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from records import Minutes
from records.plan import PRINCIPAL_FIELD, REQUESTER_FIELD, WITNESS_FIELD

from ..fonts import SERIF
from ..labels import place_name
from ..model import VIETNAM
from .common import (
    BODY,
    CELL,
    CENTER_BOLD,
    CONTENT_WIDTH,
    HEAD,
    ITALIC_CENTER,
    JUSTIFIED,
    SECTION,
    Story,
    grid,
    national_header,
    p,
    principal_title,
    principal_with_seal,
)


def _shown(value: Any) -> str:
    if value is None:
        return "(trống)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def build(story: Story, minutes: Minutes) -> None:
    r = minutes.record
    story.add(*national_header(), Spacer(1, 6 * mm))
    story.add(p(r.school.name.upper(), CENTER_BOLD), Spacer(1, 4 * mm))
    story.add(p("BIÊN BẢN ĐIỀU CHỈNH KẾT QUẢ HỌC TẬP, RÈN LUYỆN", SECTION))
    story.add(p(f"Số: {minutes.correction_id}", ITALIC_CENTER), Spacer(1, 5 * mm))
    for line in (
        f"Học sinh: {r.student.full_name}; lớp {r.class_name}; năm học {r.school_year}.",
        f"Mã hồ sơ học bạ: {minutes.document_id}; phiên bản được điều chỉnh: {minutes.corrected_version}.",
        f"Lý do điều chỉnh: {minutes.reason}",
    ):
        story.add(p(line, JUSTIFIED))
    story.add(Spacer(1, 4 * mm))
    rows: list[list[Any]] = [[p(t, HEAD) for t in ("Nội dung", "Trước điều chỉnh", "Sau điều chỉnh")]]
    rows += [[p(c.path, CELL), p(_shown(c.before), CELL), p(_shown(c.after), CELL)] for c in minutes.changes]
    table = Table(rows, colWidths=[75 * mm, 50 * mm, CONTENT_WIDTH - 125 * mm], repeatRows=1)
    table.setStyle(grid())
    story.add(table, Spacer(1, 4 * mm))
    approved, witnessed = minutes.approved_at.astimezone(VIETNAM), minutes.witnessed_at.astimezone(VIETNAM)
    story.add(
        p(
            f"Hiệu trưởng phê duyệt ngày {approved:%d/%m/%Y}; người chứng kiến xác nhận ngày {witnessed:%d/%m/%Y}. "
            "Học bạ được lập lại và ký số lại; bản trước được giữ nguyên trong kho lưu trữ và ghi nhận là đã được "
            "thay thế.",
            BODY,
        )
    )
    _signatures(story, minutes)


def _signatures(story: Story, minutes: Minutes) -> None:
    r = minutes.record
    requester, witness = story.plan.entry(REQUESTER_FIELD), story.plan.entry(WITNESS_FIELD)
    principal = story.plan.entry(PRINCIPAL_FIELD)
    day = minutes.witnessed_at.astimezone(VIETNAM)
    dateline = f"{place_name(r.school.province)}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    box_w, box_h, seal = 55 * mm, 22 * mm, 32 * mm
    people = Table(
        [
            [
                [p("NGƯỜI ĐỀ NGHỊ", CENTER_BOLD), story.sigbox(requester.field, box_w, box_h)],
                [p("NGƯỜI CHỨNG KIẾN", CENTER_BOLD), story.sigbox(witness.field, box_w, box_h)],
            ],
            [p(requester.signer_name, CENTER_BOLD), p(witness.signer_name, CENTER_BOLD)],
        ],
        colWidths=[CONTENT_WIDTH / 2, CONTENT_WIDTH / 2],
    )
    people.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SERIF), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    head = [
        p(dateline, ITALIC_CENTER),
        *principal_title(principal),
        principal_with_seal(story, principal, box_w, box_h, seal),
        p(principal.signer_name, CENTER_BOLD),
    ]
    story.add(Spacer(1, 6 * mm), KeepTogether([people, Spacer(1, 4 * mm), *head]))
