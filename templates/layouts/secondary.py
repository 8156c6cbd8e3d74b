"""THCS and THPT (TT 22/2021): results with a signature cell on every subject row."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table

from ..labels import AWARD, LEVEL_NAME, PROMOTION, RATING, result
from .common import (
    CELL,
    CELL_CENTER,
    CONTENT_WIDTH,
    HEAD,
    SMALL,
    SMALL_CENTER,
    Story,
    approvals,
    b,
    grid,
    homeroom_comment,
    identity_page,
    p,
    rich,
    year_heading,
)

SIG_W, SIG_H = 56 * mm, 9 * mm


def build(story: Story) -> None:
    identity_page(story)
    story.add(PageBreak())
    year_heading(story)
    story.add(_subjects_table(story))
    story.add(
        Spacer(1, 2 * mm),
        p(
            "Trong bảng này không có chỗ sửa chữa. Mọi điều chỉnh kết quả (nếu có) được lập "
            "biên bản và lưu vết trên hệ thống.",
            SMALL,
        ),
    )
    story.add(PageBreak())
    _results(story)
    homeroom_comment(story)
    approvals(story)


def _subjects_table(story: Story) -> Table:
    r = story.record
    head = [
        p(t, HEAD)
        for t in (
            "Môn học / Hoạt động giáo dục",
            "HK I",
            "HK II",
            "Cả năm",
            "Sau KT lại",
            "Giáo viên bộ môn ký, ghi rõ họ tên",
        )
    ]
    rows: list[list[Any]] = [head]
    spans: list[tuple[Any, ...]] = []
    fields = {e.subject: e for e in story.plan.entries if e.subject}
    for i, s in enumerate(r.subjects, start=1):
        name = p(s.name, CELL)
        if s.exempt:
            rows.append([name, p("Miễn", CELL_CENTER), "", "", "", p(f"Lý do miễn: {s.exempt.reason}", SMALL)])
            spans.append(("SPAN", (1, i), (4, i)))
            continue
        entry = fields.get(s.code)
        signature: list[Any] = []
        if entry is not None:
            signature = [story.sigbox(entry.field, SIG_W, SIG_H), p(entry.signer_name, SMALL_CENTER)]
        rows.append(
            [
                name,
                *(p(result(v), CELL_CENTER) for v in (s.term1, s.term2, s.year, s.reassessment)),
                signature,
            ]
        )
    widths = [52 * mm, 14 * mm, 14 * mm, 15 * mm, 17 * mm]
    table = Table(rows, colWidths=[*widths, CONTENT_WIDTH - sum(widths)], repeatRows=1)
    table.setStyle(grid(spans))
    return table


def _results(story: Story) -> None:
    r = story.record
    conduct, learning = r.conduct, r.learning
    assert conduct is not None and learning is not None  # guaranteed for THCS/THPT by the record rules
    head = [p(t, HEAD) for t in ("", "Kết quả rèn luyện", "Kết quả học tập", "Số buổi nghỉ")]
    rows: list[list[Any]] = [
        head,
        [
            p("Học kì I", CELL),
            p(RATING[conduct.term1], CELL_CENTER),
            p(RATING[learning.term1], CELL_CENTER),
            p(str(r.absences.term1), CELL_CENTER),
        ],
        [
            p("Học kì II", CELL),
            p(RATING[conduct.term2], CELL_CENTER),
            p(RATING[learning.term2], CELL_CENTER),
            p(str(r.absences.term2), CELL_CENTER),
        ],
        [
            p("Cả năm", CELL),
            p(RATING[conduct.year], CELL_CENTER),
            p(RATING[learning.year], CELL_CENTER),
            p(str(r.absences.term1 + r.absences.term2), CELL_CENTER),
        ],
    ]
    if conduct.after_summer or learning.after_reassessment:
        rows.append(
            [
                p("Sau rèn luyện hè / kiểm tra lại", CELL),
                p(RATING.get(conduct.after_summer or "", ""), CELL_CENTER),
                p(RATING.get(learning.after_reassessment or "", ""), CELL_CENTER),
                "",
            ]
        )
    table = Table(rows, colWidths=[55 * mm, 40 * mm, 40 * mm, 40 * mm])
    table.setStyle(grid())
    promotion = PROMOTION[r.promotion]
    if r.promotion == "hoan_thanh_chuong_trinh":
        promotion += f" {LEVEL_NAME[r.level]}"
    story.add(p("KẾT QUẢ RÈN LUYỆN VÀ HỌC TẬP", HEAD), Spacer(1, 1 * mm), table, Spacer(1, 3 * mm))
    story.add(rich(f"Được lên lớp / không được lên lớp: {b(promotion)}", CELL))
    story.add(rich(f"Danh hiệu: {b(AWARD[r.award]) if r.award else 'Không'}", CELL))
