"""Class spreadsheets (xlsx, or CSV files) to `hocba-record/1` records, and the blank template.

A workbook has four sheets: `thong_tin` (key/value: school, class, year, signers), `mon_hoc` (the subjects and
their teachers), `giao_vien` (staff) and `hoc_sinh` (one row per student; subject results in columns named
`<subject code>.<field>`, other nested fields as `conduct.year`, `absences.term1`, …). With CSV the class sheet
is the main file and the other three are given as separate files. Every cell problem names its sheet, row and
column; problems found later in a record are traced back to the cell they came from.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from ..limits import DEFAULT_LIMITS, IntakeLimits
from ..model import Competences, Qualities
from ..problems import Problem, error
from ..service import decode_text

INFO, SUBJECTS, STAFF, STUDENTS, HELP = "thong_tin", "mon_hoc", "giao_vien", "hoc_sinh", "huong_dan"
INFO_KEYS = (
    "level",
    "school_year",
    "grade",
    "class_name",
    "school_code",
    "school_name",
    "commune",
    "district",
    "province",
    "homeroom_teacher",
    "principal",
    "principal_acting",
    "finalized_at",
)
OPTIONAL_INFO_KEYS = ("commune", "district", "principal_acting")
SUBJECT_COLUMNS = ("code", "name", "assessment", "teacher_id")
STAFF_COLUMNS = ("id", "full_name", "position")
STUDENT_COLUMNS = (
    "personal_id",
    "student_code",
    "full_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "place_of_birth",
    "hometown",
    "address",
    "father_name",
    "mother_name",
    "guardian_name",
    "register_number",
)
SECONDARY_SUBJECT_FIELDS = ("term1", "term2", "year", "reassessment", "comment", "exempt")
PRIMARY_SUBJECT_FIELDS = ("level", "test_score", "comment", "exempt")
SECONDARY_TAIL = (
    "conduct.term1",
    "conduct.term2",
    "conduct.year",
    "learning.term1",
    "learning.term2",
    "learning.year",
)
PRIMARY_TAIL = (
    *(f"qualities.{k}" for k in Qualities.model_fields),
    *(f"competences.{k}" for k in Competences.model_fields),
    "education_result",
)
COMMON_TAIL = ("absences.term1", "absences.term2", "promotion", "award", "homeroom_comment")
INTEGER_COLUMNS = {"absences.term1", "absences.term2"}

Rows = list[tuple[int, dict[str, Any]]]
"""(spreadsheet row number, {column: value})."""


@dataclass
class Imported:
    """Records built from a sheet, and where each record field came from."""

    records: list[dict[str, Any]] = field(default_factory=list)
    origins: list[dict[str, str]] = field(default_factory=list)
    """Per record: record path -> 'sheet!A1 (column)'."""
    rows: list[int] = field(default_factory=list)
    """Per record: its row in the class sheet."""
    problems: list[Problem] = field(default_factory=list)


def student_columns(level: str, subject_codes: Iterable[str]) -> list[str]:
    per_subject = PRIMARY_SUBJECT_FIELDS if level == "tieu_hoc" else SECONDARY_SUBJECT_FIELDS
    columns = list(STUDENT_COLUMNS)
    for code in subject_codes:
        columns += [f"{code}.{name}" for name in per_subject]
    columns += list(PRIMARY_TAIL if level == "tieu_hoc" else SECONDARY_TAIL) + list(COMMON_TAIL)
    return columns


def _where(sheet: str, row: int, col: int, name: str) -> str:
    return f"{sheet}!{get_column_letter(col)}{row} ({name})"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _number(value: Any) -> Decimal | str | None:
    """A result cell: a score (8.4 or the Vietnamese 8,4) or a mark such as 'dat'."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("true/false is not a result")
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip()
    if re.fullmatch(r"\d+([.,]\d+)?", text):
        try:
            return Decimal(text.replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(f"'{text}' is not a number") from exc
    return text


def _day(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    text = _text(value)
    if text is None:
        return None
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)  # Vietnamese dd/mm/yyyy
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else text


def _put(target: dict[str, Any], dotted: str, value: Any) -> None:
    head, _, rest = dotted.partition(".")
    if rest:
        _put(target.setdefault(head, {}), rest, value)
    else:
        target[head] = value


def _cell(column: str, value: Any) -> Any:
    if column == "date_of_birth":
        return _day(value)
    if column in INTEGER_COLUMNS or column.endswith(".test_score"):
        number = _number(value)
        if number is None:
            return None
        if not isinstance(number, Decimal) or number != number.to_integral_value():
            raise ValueError(f"'{value}' is not a whole number")
        return int(number)
    if column.rsplit(".", maxsplit=1)[-1] in (
        "term1",
        "term2",
        "year",
        "reassessment",
    ) and not column.startswith(("conduct", "learning")):
        return _number(value)
    return _text(value)


def _info(rows: Rows, sheet: str, problems: list[Problem]) -> dict[str, Any]:
    info = {str(r.get("key", "")).strip(): r.get("value") for _, r in rows}
    for key in (k for k in INFO_KEYS if k not in OPTIONAL_INFO_KEYS):
        if _text(info.get(key)) is None:
            problems.append(error("sheet.cell", f"{sheet} key={key}", reason="thiếu giá trị / value missing"))
    return info


def build_records(
    info_rows: Rows, subject_rows: Rows, staff_rows: Rows, student_rows: Rows, sheet_names: dict[str, str]
) -> Imported:
    result = Imported()
    info = _info(info_rows, sheet_names[INFO], result.problems)
    if result.problems:
        return result
    level = str(info["level"]).strip()
    grade = _number(info["grade"])
    subjects = [
        {k: _text(v) for k, v in r.items() if k in SUBJECT_COLUMNS and _text(v) is not None} for _, r in subject_rows
    ]
    staff = [{k: _text(v) for k, v in r.items() if k in STAFF_COLUMNS} for _, r in staff_rows]
    signers = {k: _text(info.get(k)) for k in ("homeroom_teacher", "principal", "principal_acting")}
    finalized = info["finalized_at"]
    base: dict[str, Any] = {
        "format": "hocba-record/1",
        "level": level,
        "school_year": _text(info["school_year"]),
        "grade": int(grade)
        if isinstance(grade, Decimal) and grade == grade.to_integral_value()
        else _text(info["grade"]),
        "class_name": _text(info["class_name"]),
        "school": {
            k: v
            for k, v in {
                "code": _text(info["school_code"]),
                "name": _text(info["school_name"]),
                "commune": _text(info.get("commune")),
                "district": _text(info.get("district")),
                "province": _text(info["province"]),
            }.items()
            if v is not None
        },
        "staff": staff,
        "signers": {k: v for k, v in signers.items() if v is not None},
        "finalized_at": finalized.isoformat() if isinstance(finalized, datetime) else _text(finalized),
    }
    codes = [str(s["code"]) for s in subjects if s.get("code")]
    for row_number, row in student_rows:
        _student(base, subjects, codes, row_number, row, sheet_names[STUDENTS], result)
    return result


def _student(
    base: dict[str, Any],
    subjects: list[dict[str, Any]],
    codes: list[str],
    row_number: int,
    row: dict[str, Any],
    sheet: str,
    result: Imported,
) -> None:
    record: dict[str, Any] = {**base, "student": {}, "subjects": [dict(s) for s in subjects]}
    origins: dict[str, str] = {}
    by_code = {s["code"]: s for s in record["subjects"] if "code" in s}
    positions = {name: i for i, name in enumerate(row, start=1)}
    for column, raw in row.items():
        where = _where(sheet, row_number, positions[column], column)
        try:
            value = _cell(column, raw)
        except ValueError as exc:
            result.problems.append(error("sheet.cell", where, reason=str(exc)))
            continue
        code, _, rest = column.partition(".")
        if column in STUDENT_COLUMNS:
            path = f"student.{column}"
            target: dict[str, Any] = record["student"]
            key = column
        elif code in by_code and rest:
            path = f"subjects[{codes.index(code)}].{rest}"
            target, key = by_code[code], rest
            if rest == "exempt" and value is not None:
                value = {"reason": value}
        else:
            path, target, key = column, record, column
        origins[path] = where
        if value is not None:
            _put(target, key, value)
    result.records.append(record)
    result.origins.append(origins)
    result.rows.append(row_number)


def _sheet_rows(ws: Any, name: str, limits: IntakeLimits, problems: list[Problem]) -> Rows:
    # Bounded whatever the sheet's declared dimension says: a sheet may claim a million columns.
    rows = ws.iter_rows(values_only=True, max_row=limits.max_rows + 2, max_col=limits.max_columns)
    header = next(rows, None)
    if header is None:
        return []
    names = [str(h).strip() if h is not None else "" for h in header]
    out: Rows = []
    for number, values in enumerate(rows, start=2):
        if number > limits.max_rows + 1:
            problems.append(error("sheet.too_many_rows", name, sheet=name, limit=limits.max_rows))
            return []
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        out.append((number, {n: v for n, v in zip(names, values, strict=False) if n}))
    return out


def _zip_problem(path: Path, limits: IntakeLimits) -> Problem | None:
    """A workbook is a zip: its parts' declared sizes are bounded before anything is decompressed (Python's zip
    reader never yields more than a part declares, so a lying header only truncates)."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        return error("file.too_large", str(path), reason=f"{size} bytes", limit=f"{limits.max_file_bytes} bytes")
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
    if len(parts) > limits.max_zip_parts:
        return error("file.too_large", str(path), reason=f"{len(parts)} parts", limit=str(limits.max_zip_parts))
    unzipped = sum(p.file_size for p in parts)
    if unzipped > limits.max_unzipped_bytes:
        return error(
            "file.too_large",
            str(path),
            reason=f"{unzipped} bytes uncompressed",
            limit=f"{limits.max_unzipped_bytes} bytes",
        )
    return None


def read_workbook(path: Path, limits: IntakeLimits = DEFAULT_LIMITS) -> tuple[dict[str, Rows], list[Problem]]:
    """The four sheets of a class workbook, or the problems that kept them from being read (a refused or
    unreadable file is a coded problem, never an exception)."""
    sheets: dict[str, Rows] = {}
    problems: list[Problem] = []
    try:
        too_big = _zip_problem(path, limits)
        if too_big is not None:
            return {}, [too_big]
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            for name in (INFO, SUBJECTS, STAFF, STUDENTS):
                if name not in book.sheetnames:
                    problems.append(error("sheet.missing", name, sheet=name))
                else:
                    sheets[name] = _sheet_rows(book[name], name, limits, problems)
        finally:
            book.close()
    except OSError as exc:
        return {}, [error("file.unreadable", str(path), reason=exc.strerror or str(exc))]
    except Exception as exc:  # malformed zip or XML: openpyxl and its parsers raise many kinds
        return {}, [error("file.unreadable", str(path), reason=f"{type(exc).__name__}: {exc}")]
    return sheets, problems


def read_csv(path: Path, limits: IntakeLimits = DEFAULT_LIMITS) -> tuple[Rows, list[Problem]]:
    """The rows of a CSV sheet (UTF-8, or UTF-16 with its BOM), or the problem that kept them from being read."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return [], [
                error("file.too_large", str(path), reason=f"{size} bytes", limit=f"{limits.max_file_bytes} bytes")
            ]
        text = decode_text(path.read_bytes())
    except OSError as exc:
        return [], [error("file.unreadable", str(path), reason=exc.strerror or str(exc))]
    except UnicodeDecodeError as exc:
        return [], [error("file.encoding", str(path), reason=str(exc))]
    rows: Rows = []
    try:
        for number, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
            if number > limits.max_rows + 1:
                return [], [error("sheet.too_many_rows", str(path), sheet=path.name, limit=limits.max_rows)]
            if any((v or "").strip() for v in row.values() if isinstance(v, str)):
                rows.append((number, {k.strip(): v for k, v in row.items() if k}))
    except csv.Error as exc:
        return [], [error("file.unreadable", str(path), reason=str(exc))]
    return rows, []


def write_workbook(
    path: Path,
    level: str,
    subjects: list[dict[str, Any]],
    info: dict[str, Any] | None = None,
    staff: list[dict[str, Any]] | None = None,
    students: list[dict[str, Any]] | None = None,
) -> None:
    """A workbook in the import layout; blank (the template) or filled from flat student rows."""
    book = Workbook()
    help_sheet = book.active
    help_sheet.title = HELP
    for line in INSTRUCTIONS:
        help_sheet.append([line])
    info_sheet = book.create_sheet(INFO)
    info_sheet.append(["key", "value"])
    for key in INFO_KEYS:
        info_sheet.append([key, (info or {}).get(key, level if key == "level" else None)])
    subject_sheet = book.create_sheet(SUBJECTS)
    subject_sheet.append(list(SUBJECT_COLUMNS))
    for s in subjects:
        subject_sheet.append([s.get(c) for c in SUBJECT_COLUMNS])
    staff_sheet = book.create_sheet(STAFF)
    staff_sheet.append(list(STAFF_COLUMNS))
    for member in staff or []:
        staff_sheet.append([member.get(c) for c in STAFF_COLUMNS])
    student_sheet = book.create_sheet(STUDENTS)
    columns = student_columns(level, [s["code"] for s in subjects])
    student_sheet.append(columns)
    for row in students or []:
        student_sheet.append([_flat_value(row.get(c)) for c in columns])
    buf = io.BytesIO()
    book.save(buf)
    path.write_bytes(buf.getvalue())


def _flat_value(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


INSTRUCTIONS = (
    "MẪU NHẬP HỌC BẠ SỐ (hocba-record/1) — CLASS SHEET TEMPLATE",
    "1. thong_tin: điền giá trị cho từng khóa (cấp học tieu_hoc/thcs/thpt, năm học YYYY-YYYY, khối, lớp, "
    "mã trường 8–10 chữ số, người ký, finalized_at dạng 2025-05-31T10:00:00+07:00).",
    "   Fill in each key: level, school_year, grade, class_name, school code, signers, finalized_at.",
    "2. mon_hoc: mỗi dòng một môn: mã môn, tên môn, cách đánh giá (score/comment, bỏ trống ở tiểu học), mã giáo viên.",
    "   One row per subject: code, name, assessment (score/comment; empty for tieu_hoc), teacher_id.",
    "3. giao_vien: mã, họ tên, chức vụ (giao_vien / hieu_truong / pho_hieu_truong).",
    "   Staff: id, full_name, position.",
    "4. hoc_sinh: mỗi học sinh một dòng; cột <mã môn>.term1/.term2/.year là điểm (8,4 hoặc 8.4) hoặc dat/chua_dat; "
    "cột <mã môn>.exempt ghi lý do miễn (nếu có).",
    "   One row per student; <code>.term1/.term2/.year hold scores or dat/chua_dat;",
    "   <code>.exempt holds an exemption reason.",
    "5. Ngày sinh: YYYY-MM-DD hoặc dd/mm/yyyy. Số định danh cá nhân: đúng 12 chữ số (nhập dạng văn bản).",
    "   Dates of birth: YYYY-MM-DD or dd/mm/yyyy. Personal id: exactly 12 digits (enter as text).",
)
