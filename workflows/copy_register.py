"""The copy register (sổ cấp bản sao) of a school's calendar year, as a workbook and as PDF/A: every copy issued
or refused, with its number, date, form, book and version, who asked and how they stand to the student, the
identity document checked, the pages, the signer, the delivery and the decision."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from archive import CopyEntry, CopyStatus, SqlCopies
from records import CopyForm, copy_number
from templates import VIETNAM, render_register

COLUMNS = (
    ("Số", "Number"),
    ("Ngày", "Date"),
    ("Hình thức", "Form"),
    ("Học bạ", "Book"),
    ("Phiên bản", "Version"),
    ("Người đề nghị", "Asked by"),
    ("Quan hệ", "Relationship"),
    ("Giấy tờ đã kiểm tra", "Identity document checked"),
    ("Trang", "Pages"),
    ("Người ký", "Signed by"),
    ("Giao nhận", "Delivery"),
    ("Kết quả", "Decision"),
)
_DECISIONS = {
    CopyStatus.ISSUED: "Đã cấp / issued",
    CopyStatus.REFUSED: "Từ chối / refused",
    CopyStatus.REVOKED: "Đã cấp, thu hồi / issued, revoked",
}


def register_rows(entries: Sequence[CopyEntry], abbreviation: str) -> list[list[str]]:
    """One row per decided request (issued, refused or revoked), numbered copies first in number order."""
    decided = [e for e in entries if e.status in _DECISIONS]
    decided.sort(key=lambda e: (e.number is None, e.number or 0, e.requested_at))
    rows = []
    for e in decided:
        form = CopyForm(e.form)
        when = (e.decided_at or e.requested_at).astimezone(VIETNAM)
        asker = e.asker
        decision = _DECISIONS[e.status] + (f": {e.reason}" if e.reason else "")
        rows.append(
            [
                e.number_text or (copy_number(e.number, form, abbreviation) if e.number else ""),
                f"{when:%d/%m/%Y}",
                form.heading,
                e.document_id,
                str(e.version or ""),
                str(asker.get("full_name") or ""),
                str(asker.get("relationship") or asker.get("kind") or ""),
                str(asker.get("identity_document") or ""),
                ", ".join(str(n) for n in e.pages) or "toàn bộ / all",
                e.signer_id or "",
                e.delivery or "",
                decision,
            ]
        )
    return rows


def register_xlsx(rows: list[list[str]], school_name: str, year: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"So cap ban sao {year}"
    sheet.append([f"SỔ CẤP BẢN SAO NĂM {year} – {school_name}"])
    sheet.append([f"{vi} / {en}" for vi, en in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        # A name or reason kept with a control character (a workbook cannot hold one) is written without it.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in row])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def register_files(
    register: SqlCopies, school_code: str, school_name: str, year: int, abbreviation: str = ""
) -> tuple[bytes, bytes]:
    """The year's register as (XLSX, PDF/A)."""
    rows = register_rows(_of_year(register, school_code, year), abbreviation or school_code)
    pdf = render_register(school_name, school_code, year, [f"{vi}\n{en}" for vi, en in COLUMNS], rows)
    return register_xlsx(rows, school_name, year), pdf


def _of_year(register: SqlCopies, school_code: str, year: int) -> list[CopyEntry]:
    """The year's numbered copies, and the refusals decided that year (they have no number)."""
    found = register.entries(school_code=school_code)
    return [
        e
        for e in found
        if e.number_year == year
        or (e.number is None and (e.decided_at or e.requested_at).astimezone(VIETNAM).year == year)
    ]
