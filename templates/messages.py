"""The wording of the templates package's errors, in Vietnamese and English (see `records.register_wording`)."""

from __future__ import annotations

WORDING: dict[str, tuple[str, str]] = {
    "templates.error": ("Lỗi khi tạo học bạ", "A rendering error"),
    "templates.original_unreadable:hash": (
        "Bản chính đưa vào không đúng phiên bản đã lưu trữ của học bạ {document_id}",
        "The original given is not the archived version of the book {document_id}",
    ),
    "templates.original_unreadable:pages": (
        "Trang cần trích sao không có trong bản chính của học bạ {document_id} ({pages} trang)",
        "A page to extract is not in the original of the book {document_id} ({pages} pages)",
    ),
    "templates.pdfa_violation": ("Vi phạm PDF/A-{flavour}: {listed}", "PDF/A-{flavour} violations: {listed}"),
    "templates.font_missing": (
        "Không tìm thấy phông {filename} trong {where}; cài fonts-liberation2",
        "{filename} not found in {where}; install fonts-liberation2",
    ),
    "templates.plan_missing:plan_in": (
        "Tài liệu không có kế hoạch ký của hệ thống",
        "the document carries no hocba signing plan",
    ),
    "templates.plan_missing:read_identity": (
        "Tài liệu không có định danh học bạ của hệ thống",
        "the document carries no hocba identity",
    ),
}
