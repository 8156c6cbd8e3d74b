"""The wording of the records package's errors and of the errors every package shares (`hocba.*`), in
Vietnamese and English: `str.format` templates filled from each error's parameters, keyed by code (and a variant
where one code covers several situations)."""

from __future__ import annotations

WORDING: dict[str, tuple[str, str]] = {
    "hocba.error": (
        "Lỗi của hệ thống học bạ số",
        "An error of the digital record book service",
    ),
    "hocba.stale_revision:add_revision": (
        "Học bạ {document_id} đã có bản ký mới hơn; hãy ký lại trên bản mới",
        "Book {document_id} has a newer revision; sign again on it",
    ),
    "hocba.stale_revision:complete": (
        "Tài liệu đã có chữ ký mới hơn; hãy chuẩn bị lại trên bản mới nhất",
        "The document changed since this signature was prepared; prepare again on the latest revision",
    ),
    "hocba.stale_revision:concurrent": (
        "Một thao tác khác vừa ghi cùng hồ sơ; hãy thử lại",
        "Another writer changed the same record; retry",
    ),
    "hocba.stale_revision:expect_head": (
        "Tệp này không phải bản ký mới nhất của {document_id} trong lưu trữ; hãy lấy bản mới nhất",
        "This file is not the archive's latest revision of {document_id}; fetch the latest one",
    ),
    "hocba.stale_revision:sign": (
        "Tài liệu đã có chữ ký mới hơn; hãy ký lại trên bản mới nhất",
        "The document changed since this signature was prepared; sign the latest revision again",
    ),
    "hocba.timestamp_unavailable:close": (
        "Không lấy được dấu thời gian lưu trữ: {exc}",
        "No archive timestamp: {exc}",
    ),
    "hocba.timestamp_unavailable:not_configured": (
        "Chưa cấu hình máy chủ dấu thời gian",
        "No timestamp authority is configured",
    ),
    "hocba.timestamp_unavailable:sign": (
        "Không lấy được dấu thời gian: {exc}",
        "No timestamp from the TSA: {exc}",
    ),
    "hocba.timestamp_unavailable:tsa_failed": (
        "Máy chủ dấu thời gian {url} không trả lời",
        "The timestamp authority {url} failed: {exc}",
    ),
    "records.correction_refused": (
        "Đề nghị điều chỉnh bị từ chối: {listed}",
        "The correction request is refused: {listed}",
    ),
    "records.error": (
        "Lỗi hồ sơ",
        "A record error",
    ),
    "records.invalid": (
        "{count} lỗi; lỗi đầu: {where}{first_vi}",
        "{count} problem(s); first: {where}{first_en}",
    ),
    "records.invalid:empty": (
        "Hồ sơ không hợp lệ",
        "The record is not valid",
    ),
}
