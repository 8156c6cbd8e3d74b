"""Tiểu học (TT 27/2020): subject levels, periodic tests, qualities and competences."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer, Table

from ..labels import AWARD, COMPETENCES, EDUCATION_RESULT, PRIMARY_LEVEL, PROMOTION, QUALITIES, QUALITY_LEVEL
from .common import (
    CELL,
    CELL_CENTER,
    CONTENT_WIDTH,
    HEAD,
    SMALL,
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


def build(story: Story) -> None:
    identity_page(story)
    story.add(PageBreak())
    year_heading(story)
    story.add(_subjects_table(story), Spacer(1, 4 * mm))
    story.add(KeepTogether([_qualities_table(story)]), Spacer(1, 4 * mm))
    _results(story)
    homeroom_comment(story)
    approvals(story)


def _subjects_table(story: Story) -> Table:
    head = [p(t, HEAD) for t in ("Môn học và hoạt động giáo dục", "Mức đạt được", "Điểm KTĐK", "Nhận xét")]
    rows: list[list[Any]] = [head]
    for s in story.record.subjects:
        if s.exempt:
            rows.append([p(s.name, CELL), p("Miễn", CELL_CENTER), "", p(f"Lý do miễn: {s.exempt.reason}", SMALL)])
            continue
        level = PRIMARY_LEVEL[s.level] if s.level else ""
        score = "" if s.test_score is None else str(s.test_score)
        rows.append([p(s.name, CELL), p(level, CELL_CENTER), p(score, CELL_CENTER), p(s.comment or "", SMALL)])
    widths = [50 * mm, 38 * mm, 20 * mm]
    table = Table(rows, colWidths=[*widths, CONTENT_WIDTH - sum(widths)], repeatRows=1)
    table.setStyle(grid())
    return table


def _qualities_table(story: Story) -> Table:
    r = story.record
    assert r.qualities is not None and r.competences is not None  # guaranteed for tiểu học by the record rules
    qualities = [(QUALITIES[k], QUALITY_LEVEL[v]) for k, v in r.qualities.model_dump().items()]
    competences = [(COMPETENCES[k], QUALITY_LEVEL[v]) for k, v in r.competences.model_dump().items()]
    rows: list[list[Any]] = [
        [
            p("Phẩm chất chủ yếu", HEAD),
            p("Mức đạt được", HEAD),
            p("Năng lực cốt lõi", HEAD),
            p("Mức đạt được", HEAD),
        ]
    ]
    for i in range(max(len(qualities), len(competences))):
        q = qualities[i] if i < len(qualities) else ("", "")
        c = competences[i] if i < len(competences) else ("", "")
        rows.append([p(q[0], CELL), p(q[1], CELL_CENTER), p(c[0], CELL), p(c[1], CELL_CENTER)])
    table = Table(rows, colWidths=[40 * mm, 30 * mm, 65 * mm, 40 * mm])
    table.setStyle(grid())
    return table


def _results(story: Story) -> None:
    r = story.record
    assert r.education_result is not None
    promotion = PROMOTION[r.promotion] + (" tiểu học" if r.promotion == "hoan_thanh_chuong_trinh" else "")
    story.add(rich(f"Đánh giá kết quả giáo dục: {b(EDUCATION_RESULT[r.education_result])}", CELL))
    story.add(rich(f"Khen thưởng: {b(AWARD[r.award]) if r.award else 'Không'}", CELL))
    story.add(rich(f"Hoàn thành chương trình lớp học / lên lớp: {b(promotion)}", CELL))
    story.add(rich(f"Số buổi nghỉ: học kì I {r.absences.term1}, học kì II {r.absences.term2}", CELL))
