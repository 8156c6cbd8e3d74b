"""What every học bạ shares: styles, the identity page, the comment and the approval blocks."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.lib.colors import black
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from records import PlanEntry, Record, SigningPlan

from .._canvas import SigBox
from ..fonts import SERIF, SERIF_BOLD, SERIF_ITALIC
from ..labels import GENDER, LEVEL_TITLE, place_name
from ..model import FieldBox

CONTENT_WIDTH = 175 * mm  # A4 less 20 mm binding margin and 15 mm outer margin


def _style(
    name: str, size: float = 11, font: str = SERIF, align: int = TA_LEFT, leading: float | None = None
) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=leading or size * 1.25, alignment=align, textColor=black
    )


BODY = _style("body")
JUSTIFIED = _style("justified", align=TA_JUSTIFY)
SMALL = _style("small", 9)
SMALL_CENTER = _style("small-center", 9, align=TA_CENTER)
CELL = _style("cell", 10)
CELL_CENTER = _style("cell-center", 10, align=TA_CENTER)
HEAD = _style("head", 10, SERIF_BOLD, TA_CENTER)
CENTER = _style("center", align=TA_CENTER)
CENTER_BOLD = _style("center-bold", 12, SERIF_BOLD, TA_CENTER)
ITALIC_CENTER = _style("italic-center", 10, SERIF_ITALIC, TA_CENTER)
SECTION = _style("section", 13, SERIF_BOLD, TA_CENTER, 18)
TITLE = _style("title", 30, SERIF_BOLD, TA_CENTER, 38)
SUBTITLE = _style("subtitle", 16, SERIF_BOLD, TA_CENTER, 22)


def p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (escaped: record text is data, not markup)."""
    return Paragraph(escape(text), style)


def rich(markup: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(markup, style)


def b(text: str) -> str:
    return f"<b>{escape(text)}</b>"


def grid(extra: list[tuple[Any, ...]] | None = None, header_rows: int = 1) -> TableStyle:
    """Table style with the embedded font named explicitly: tables otherwise default to Helvetica."""
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), SERIF),
        ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("GRID", (0, 0), (-1, -1), 0.5, black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header_rows:
        commands.append(("FONTNAME", (0, 0), (-1, header_rows - 1), SERIF_BOLD))
    return TableStyle(commands + (extra or []))


@dataclass
class Story:
    """The flowables of one document and the field boxes they report when drawn."""

    record: Record
    plan: SigningPlan
    boxes: list[FieldBox] = field(default_factory=list)
    flowables: list[Flowable] = field(default_factory=list)

    def add(self, *items: Flowable) -> None:
        self.flowables.extend(items)

    def sigbox(self, field_name: str, width: float, height: float, seal: bool = False) -> SigBox:
        return SigBox(field_name, width, height, self.boxes, seal)


def national_header() -> list[Flowable]:
    return [
        p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", CENTER_BOLD),
        rich("<u>Độc lập – Tự do – Hạnh phúc</u>", _style("motto", 12, SERIF_BOLD, TA_CENTER)),
    ]


def _photo(record: Record) -> Flowable:
    raw = record.student.photo_bytes()
    width, height = 30 * mm, 40 * mm
    if raw is None:
        box = Table([[p("Ảnh\n3 × 4", SMALL_CENTER)]], colWidths=[width], rowHeights=[height])
        box.setStyle(grid(header_rows=0))
        return box
    with PILImage.open(io.BytesIO(raw)) as img:
        if raw.startswith(b"\xff\xd8") and img.mode in ("RGB", "L"):
            source: Any = io.BytesIO(raw)  # JPEG goes in as it is (DCT, no re-encoding)
        else:
            # PDF/A-1 forbids transparency and 16-bit samples: flatten onto white, 8-bit RGB.
            rgba = img.convert("RGBA")
            flat = PILImage.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            source = io.BytesIO()
            flat.save(source, format="PNG")
            source.seek(0)
    return Image(source, width=width, height=height, kind="proportional")


def identity_page(story: Story) -> None:
    r = story.record
    s = r.student
    story.add(*national_header(), Spacer(1, 18 * mm))
    story.add(p("HỌC BẠ", TITLE), p(LEVEL_TITLE[r.level], SUBTITLE), Spacer(1, 6 * mm))
    story.add(p(r.school.name.upper(), CENTER_BOLD))
    where = ", ".join(x for x in (r.school.commune, r.school.district, r.school.province) if x)
    story.add(p(where, CENTER), p(f"Mã trường: {r.school.code}", ITALIC_CENTER), Spacer(1, 10 * mm))
    rows = [
        ("Họ và tên", s.full_name.upper()),
        ("Giới tính", GENDER[s.gender]),
        ("Ngày sinh", s.date_of_birth.strftime("%d/%m/%Y")),
        ("Nơi sinh", s.place_of_birth),
        ("Dân tộc", s.ethnicity),
        ("Quê quán", s.hometown or ""),
        ("Nơi ở hiện nay", s.address),
        ("Họ và tên cha", s.father_name or ""),
        ("Họ và tên mẹ", s.mother_name or ""),
        ("Người giám hộ", s.guardian_name or ""),
        ("Số định danh cá nhân", s.personal_id),
        ("Mã học sinh", s.student_code),
        ("Số đăng bộ", s.register_number),
    ]
    info = Table(
        [
            [p(label + ":", CELL), rich(b(value) if i == 0 else escape(value), CELL)]
            for i, (label, value) in enumerate(rows)
        ],
        colWidths=[40 * mm, 95 * mm],
    )
    info.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SERIF), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    top = Table([[_photo(r), info]], colWidths=[40 * mm, CONTENT_WIDTH - 40 * mm])
    top.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SERIF), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.add(top, Spacer(1, 8 * mm), study_history(r))


def study_history(r: Record) -> Flowable:
    head = [p(t, HEAD) for t in ("Năm học", "Lớp", "Tên trường", "Số đăng bộ", "Xác nhận của Hiệu trưởng")]
    rows: list[list[Any]] = [head]
    history = r.study_history or ()
    for row in history:
        rows.append(
            [
                p(row.school_year, CELL_CENTER),
                p(row.class_name, CELL_CENTER),
                p(row.school_name, CELL),
                p(row.register_number or "", CELL_CENTER),
                "",
            ]
        )
    if not any(h.school_year == r.school_year for h in history):
        rows.append(
            [
                p(r.school_year, CELL_CENTER),
                p(r.class_name, CELL_CENTER),
                p(r.school.name, CELL),
                p(r.student.register_number, CELL_CENTER),
                "",
            ]
        )
    table = Table(rows, colWidths=[24 * mm, 16 * mm, 70 * mm, 25 * mm, 40 * mm], repeatRows=1)
    table.setStyle(grid())
    return KeepTogether([p("QUÁ TRÌNH HỌC TẬP", SECTION), Spacer(1, 2 * mm), table])


def year_heading(story: Story) -> None:
    r = story.record
    story.add(p(f"KẾT QUẢ HỌC TẬP NĂM HỌC {r.school_year}", SECTION), Spacer(1, 1 * mm))
    story.add(
        rich(
            f"Họ và tên: {b(r.student.full_name)} &nbsp;&nbsp; Lớp: {b(r.class_name)} &nbsp;&nbsp; "
            f"Năm học: {b(r.school_year)}",
            _style("yearline", 11, align=TA_CENTER),
        ),
        Spacer(1, 3 * mm),
    )


def homeroom_comment(story: Story) -> None:
    # Split into paragraphs so a long comment flows across pages instead of being clipped.
    story.add(
        Spacer(1, 4 * mm),
        p("NHẬN XÉT CỦA GIÁO VIÊN CHỦ NHIỆM", _style("h", 11, SERIF_BOLD)),
        Spacer(1, 1 * mm),
    )
    for chunk in story.record.homeroom_comment.split("\n"):
        if chunk.strip():
            story.add(p(chunk, JUSTIFIED))


def approvals(story: Story) -> None:
    r = story.record
    homeroom = story.plan.entry("gvcn")
    principal = story.plan.entry("hieu_truong")
    closed = r.finalized_at
    dateline = f"{place_name(r.school.province)}, ngày {closed.day:02d} tháng {closed.month:02d} năm {closed.year}"
    box_w, box_h, seal = 62 * mm, 24 * mm, 34 * mm
    left = [
        p("GIÁO VIÊN CHỦ NHIỆM", CENTER_BOLD),
        p("(Ký và ghi rõ họ tên)", ITALIC_CENTER),
        story.sigbox(homeroom.field, box_w, box_h),
        p(homeroom.signer_name, CENTER_BOLD),
    ]
    right = [
        *principal_title(principal),
        p("(Ký, ghi rõ họ tên và đóng dấu)", ITALIC_CENTER),
        principal_with_seal(story, principal, box_w, box_h, seal),
        p(principal.signer_name, CENTER_BOLD),
    ]
    block = Table([[left, right]], colWidths=[CONTENT_WIDTH / 2, CONTENT_WIDTH / 2])
    block.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SERIF), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    heading = Table([["", p(dateline, ITALIC_CENTER)]], colWidths=[CONTENT_WIDTH / 2, CONTENT_WIDTH / 2])
    heading.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SERIF)]))
    story.add(Spacer(1, 6 * mm), KeepTogether([heading, block]))


def principal_title(entry: PlanEntry) -> list[Flowable]:
    if entry.role == "acting_principal":
        return [p("KT. HIỆU TRƯỞNG", CENTER_BOLD), p("PHÓ HIỆU TRƯỞNG", CENTER_BOLD)]
    return [p("HIỆU TRƯỞNG", CENTER_BOLD)]


def principal_with_seal(story: Story, principal: PlanEntry, width: float, height: float, seal: float) -> Flowable:
    """The principal's box with the seal box over its left third (NĐ 30/2020: the seal covers about a third
    of the signature, on its left)."""
    cells = [[story.sigbox("dau_truong", seal, seal, seal=True), story.sigbox(principal.field, width, height)]]
    overlap = width / 3
    table = Table(cells, colWidths=[seal - overlap, width], rowHeights=[seal])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), SERIF),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table
