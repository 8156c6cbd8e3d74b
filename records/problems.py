"""Problems found in input: a stable code, the path of the field, and a message in Vietnamese and English.

The catalogue is the single place where codes get their wording, so a code never changes meaning and the two
languages never drift apart. Messages are `str.format` templates filled from the problem's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# code -> (Vietnamese, English). Placeholders name the parameters a problem carries.
CATALOGUE: dict[str, tuple[str, str]] = {
    # file level
    "file.unreadable": ("Không đọc được tệp: {reason}", "Cannot read the file: {reason}"),
    "file.encoding": (
        "Tệp không đọc được bằng bảng mã được chấp nhận (UTF-8, hoặc UTF-16 có BOM); hãy lưu lại dạng UTF-8: {reason}",
        "The file is not in an accepted encoding (UTF-8, or UTF-16 with a BOM); save it as UTF-8: {reason}",
    ),
    "file.too_large": (
        "Tệp vượt giới hạn: {reason} (tối đa {limit})",
        "The file exceeds a limit: {reason} (at most {limit})",
    ),
    "file.too_deep": (
        "Dữ liệu JSON lồng quá sâu (tối đa {limit} cấp)",
        "The JSON data is nested too deeply (at most {limit} levels)",
    ),
    "file.empty": ("Tệp không có hồ sơ nào", "The file holds no record"),
    "json.syntax": (
        "JSON lỗi cú pháp tại dòng {line}, cột {column}: {reason}",
        "JSON syntax error at line {line}, column {column}: {reason}",
    ),
    "record.not_object": ("Hồ sơ phải là một đối tượng JSON", "A record must be a JSON object"),
    "record.format": (
        "Định dạng '{value}' không được hỗ trợ; cần 'hocba-record/1'",
        "Format '{value}' is not supported; expected 'hocba-record/1'",
    ),
    "text.control": (
        "Có ký tự điều khiển hoặc ký tự đảo chiều văn bản ({char}) không được phép",
        "Contains a control or text-direction character ({char}) that is not allowed",
    ),
    # generic field problems
    "field.required": ("Thiếu trường bắt buộc", "Required field is missing"),
    "field.unknown": ("Trường không có trong định dạng", "Field is not part of the format"),
    "field.type": ("Sai kiểu dữ liệu: cần {expected_vi}", "Wrong type: expected {expected_en}"),
    "field.too_long": ("Dài quá {max} ký tự", "Longer than {max} characters"),
    "field.empty": ("Không được để trống", "Must not be empty"),
    "field.pattern": ("Sai định dạng: cần {expected_vi}", "Wrong format: expected {expected_en}"),
    "field.enum": (
        "Giá trị '{value}' không hợp lệ; chấp nhận: {allowed}",
        "Value '{value}' is not allowed; one of: {allowed}",
    ),
    "field.range": ("Giá trị {value} nằm ngoài khoảng {low}–{high}", "Value {value} is outside {low}–{high}"),
    "field.date": ("Ngày không hợp lệ (YYYY-MM-DD): {value}", "Invalid date (YYYY-MM-DD): {value}"),
    "field.timestamp": (
        "Thời điểm không hợp lệ; cần ISO 8601 có múi giờ, ví dụ 2025-05-31T10:00:00+07:00",
        "Invalid timestamp; expected ISO 8601 with an offset, e.g. 2025-05-31T10:00:00+07:00",
    ),
    "field.invalid": ("Giá trị không hợp lệ: {reason}", "Invalid value: {reason}"),
    "field.not_applicable": (
        "Trường này không dùng cho cấp học {level}",
        "This field does not apply to level {level}",
    ),
    # record rules
    "school_year.sequence": (
        "Năm học phải có dạng YYYY-YYYY với năm sau = năm trước + 1",
        "School year must be YYYY-YYYY with the second year = the first + 1",
    ),
    "grade.level_mismatch": (
        "Khối {grade} không thuộc cấp học {level} (cho phép {low}–{high})",
        "Grade {grade} does not belong to level {level} ({low}–{high} allowed)",
    ),
    "student.personal_id": (
        "Số định danh cá nhân phải gồm đúng 12 chữ số; hồ sơ không có số này không thể ký",
        "The personal ID must be exactly 12 digits; a record without it cannot be signed",
    ),
    "student.birth_after_finalized": (
        "Ngày sinh phải trước thời điểm chốt hồ sơ",
        "Date of birth must be before the record was finalized",
    ),
    "student.age": (
        "Tuổi khi chốt hồ sơ là {age}; phải từ 5 đến 25",
        "Age at finalization is {age}; it must be 5 to 25",
    ),
    "photo.base64": ("Ảnh không phải base64 hợp lệ", "The photo is not valid base64"),
    "photo.too_large": (
        "Ảnh {size} byte, vượt quá 512 KiB",
        "The photo is {size} bytes, larger than 512 KiB",
    ),
    "photo.not_image": ("Ảnh phải là JPEG hoặc PNG đọc được", "The photo must be a readable JPEG or PNG"),
    "subject.duplicate_code": ("Mã môn '{value}' bị lặp", "Subject code '{value}' appears twice"),
    "subject.score_decimals": (
        "Điểm {value} có nhiều hơn một chữ số thập phân",
        "Score {value} has more than one decimal",
    ),
    "subject.result_kind": (
        "Môn đánh giá bằng {assessment} cần {expected_vi}",
        "A subject assessed by {assessment} needs {expected_en}",
    ),
    "subject.missing_result": (
        "Thiếu kết quả {term} của môn không miễn",
        "Missing the {term} result of a subject that is not exempt",
    ),
    "subject.exempt_with_results": (
        "Môn được miễn không được có kết quả",
        "An exempt subject must not carry results",
    ),
    "subject.year_average": (
        "Điểm cả năm {value} khác (HK I + 2 × HK II)/3 = {expected}",
        "Year score {value} differs from (term I + 2 × term II)/3 = {expected}",
    ),
    "staff.duplicate_id": ("Mã cán bộ '{value}' bị lặp", "Staff id '{value}' appears twice"),
    "staff.unknown": (
        "Không có cán bộ mã '{value}' trong danh sách staff",
        "No staff member '{value}' in staff",
    ),
    "signers.position": (
        "Cán bộ '{value}' có chức vụ {actual}; vai trò này cần {expected}",
        "Staff member '{value}' is {actual}; this role needs {expected}",
    ),
    "award.level": (
        "Danh hiệu '{value}' không dùng cho cấp học {level}",
        "Award '{value}' does not apply to level {level}",
    ),
    "award.requirements": (
        "Danh hiệu '{value}' chưa đủ điều kiện: {reason_vi}",
        "Award '{value}' is not earned: {reason_en}",
    ),
    "promotion.requirements": (
        "Chưa đủ điều kiện lên lớp: {reason_vi}",
        "Promotion is not earned: {reason_en}",
    ),
    "learning.derived_mismatch": (
        "Kết quả học tập cả năm '{value}' khác mức tính từ điểm môn '{expected}'",
        "Year learning result '{value}' differs from the level derived from subject results '{expected}'",
    ),
    # corrections
    "correction.unknown_path": (
        "Không có trường này trong hồ sơ để điều chỉnh",
        "No such field in the record to correct",
    ),
    "correction.identity_field": (
        "Không điều chỉnh được trường định danh học bạ (trường, năm học, học sinh): đó là một học bạ khác",
        "A field that identifies the book (school, year, student) cannot be corrected: that is another book",
    ),
    "correction.unchanged": ("Giá trị mới {value} trùng giá trị hiện tại", "New value {value} equals the current one"),
    "correction.empty": ("Yêu cầu điều chỉnh không có thay đổi nào", "The correction request changes nothing"),
    "correction.not_staff": (
        "{who} không phải cán bộ, giáo viên có tên trong học bạ",
        "{who} is not a staff member named in the book",
    ),
    "correction.same_person": (
        "Người chứng kiến phải khác người đề nghị",
        "The witness must be someone other than the requester",
    ),
    "correction.not_principal": (
        "{who} không phải hiệu trưởng (hoặc phó hiệu trưởng được giao) của học bạ này",
        "{who} is not this book's principal (or the deputy acting for them)",
    ),
    "correction.not_witness": (
        "{who} không phải người chứng kiến được chỉ định ({expected})",
        "{who} is not the designated witness ({expected})",
    ),
    # spreadsheets
    "sheet.missing": ("Thiếu trang tính '{sheet}'", "Sheet '{sheet}' is missing"),
    "sheet.column_missing": ("Thiếu cột '{column}'", "Column '{column}' is missing"),
    "sheet.cell": ("Ô không hợp lệ: {reason}", "Invalid cell: {reason}"),
    "sheet.too_many_rows": (
        "Trang tính '{sheet}' có quá nhiều dòng (tối đa {limit})",
        "Sheet '{sheet}' has too many rows (at most {limit})",
    ),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth a warning) in the input."""

    code: str
    """Stable machine code, a key of `CATALOGUE`."""
    path: str
    """Where: a record field path such as ``subjects[3].term2``, or a sheet location, or '' for the file."""
    severity: Severity = Severity.ERROR
    params: dict[str, Any] = field(default_factory=dict)
    """Values the messages are filled with."""

    @property
    def message_vi(self) -> str:
        return _render(self.code, 0, self.params)

    @property
    def message_en(self) -> str:
        return _render(self.code, 1, self.params)

    def as_dict(self, record: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if record is not None:
            out["record"] = record
        out.update(path=self.path, code=self.code, message_vi=self.message_vi, message_en=self.message_en)
        return out


def _render(code: str, lang: int, params: dict[str, Any]) -> str:
    template = CATALOGUE[code][lang]
    try:
        return template.format(**params)
    except (KeyError, IndexError):  # a missing parameter must never hide the problem itself
        return template


def error(code: str, path: str, **params: Any) -> Problem:
    return Problem(code, path, Severity.ERROR, params)


def warning(code: str, path: str, **params: Any) -> Problem:
    return Problem(code, path, Severity.WARNING, params)


def join_path(loc: tuple[int | str, ...]) -> str:
    """('subjects', 3, 'term2') -> 'subjects[3].term2'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
