"""A certified copy (NĐ 30/2020/NĐ-CP, Phụ lục I): the cover ("BẢN SAO", the reissue number, the copy's number and
date, who asked), one page for each page of the original it reproduces (left empty here: the original's page is
laid over it when the file is composed), then the copy block under a full-width rule — the form in bold
capitals, the school, the number, place and date, the designated signer's title and signature with the school's
seal over its left third, and "Nơi nhận"."""

from __future__ import annotations

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, KeepTogether, PageBreak, Spacer, Table, TableStyle

from records import COPY_SIGNER_FIELD, Copy, CopyForm, Requester

from ..fonts import SERIF
from ..labels import place_name
from ..model import VIETNAM
from .common import (
    BODY,
    CENTER,
    CENTER_BOLD,
    CONTENT_WIDTH,
    ITALIC_CENTER,
    SECTION,
    SUBTITLE,
    TITLE,
    Story,
    national_header,
    p,
    principal_with_seal,
    rich,
)

_RED = Color(0.75, 0.1, 0.1)
_ASKERS = {
    Requester.STUDENT: "học sinh",
    Requester.GUARDIAN: "cha, mẹ hoặc người giám hộ",
    Requester.REPRESENTATIVE: "người được ủy quyền",
    Requester.RELATIVE: "thân nhân",
}


def build(story: Story, copy: Copy, pages: int) -> None:
    """`pages`: how many pages of the original the copy reproduces."""
    _cover(story, copy)
    for _ in range(pages):
        story.add(PageBreak(), Spacer(1, 1))
    story.add(PageBreak())
    _block(story, copy)


def _cover(story: Story, copy: Copy) -> None:
    r = copy.record
    issued = copy.issued_at.astimezone(VIETNAM)
    stamp = Table([[p("BẢN SAO", TITLE)]], colWidths=[90 * mm], rowHeights=[22 * mm])
    stamp.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), SERIF),
                ("BOX", (0, 0), (-1, -1), 2, _RED),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.add(*national_header(), Spacer(1, 8 * mm), p(r.school.name.upper(), CENTER_BOLD), Spacer(1, 18 * mm))
    story.add(stamp, Spacer(1, 4 * mm))
    story.add(p(f"Lần cấp lại thứ {copy.reissue}", SUBTITLE), Spacer(1, 14 * mm))
    story.add(p("HỌC BẠ", SECTION), p(f"Học sinh: {r.student.full_name}", CENTER))
    story.add(p(f"Lớp {r.class_name} – năm học {r.school_year}", CENTER), Spacer(1, 14 * mm))
    asker = copy.asker
    who = f"{asker.full_name} ({_ASKERS[asker.kind]}{', ' + asker.relationship if asker.relationship else ''})"
    lines = [
        f"Số: <b>{copy.number_text()}</b> – ngày cấp {issued:%d/%m/%Y}",
        f"Hình thức: <b>{copy.form.heading}</b>",
        f"Người đề nghị cấp: {who}",
        f"Bản chính: học bạ mã {copy.original_id}, phiên bản {copy.original_version}, "
        "lưu tại kho lưu trữ của nhà trường và đính kèm nguyên vẹn trong tệp này",
    ]
    if copy.form is CopyForm.TRICH_SAO:
        shown = ", ".join(str(n) for n in copy.pages)
        lines.append(f"Trích sao các trang {shown} của bản chính; các trang khác không được sao")
    for line in lines:
        story.add(rich(line, BODY))


def _block(story: Story, copy: Copy) -> None:
    r = copy.record
    issued = copy.issued_at.astimezone(VIETNAM)
    signer = story.plan.entry(COPY_SIGNER_FIELD)
    place = copy.place or place_name(r.school.province)
    dateline = f"{place}, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}"
    box_w, box_h, seal = 55 * mm, 22 * mm, 32 * mm
    receivers = [
        rich("<b><i>Nơi nhận:</i></b>", BODY),
        p(f"- {copy.asker.full_name};", BODY),
        p("- Lưu: VT.", BODY),
    ]
    right = [
        p(signer.label.upper(), CENTER_BOLD),
        principal_with_seal(story, signer, box_w, box_h, seal),
        p(signer.signer_name, CENTER_BOLD),
    ]
    closing = Table([[receivers, right]], colWidths=[CONTENT_WIDTH * 0.45, CONTENT_WIDTH * 0.55])
    closing.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SERIF), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    block = [
        HRFlowable(width="100%", thickness=0.8, color=Color(0, 0, 0), spaceBefore=2 * mm, spaceAfter=3 * mm),
        p(copy.form.heading, SECTION),
        p(r.school.name.upper(), CENTER_BOLD),
        p(f"Số: {copy.number_text()}", CENTER),
        p(dateline, ITALIC_CENTER),
        Spacer(1, 4 * mm),
        closing,
    ]
    story.add(KeepTogether(block))
