"""The wording of the development PKI's errors, in Vietnamese and English (see `records.register_wording`)."""

from __future__ import annotations

WORDING: dict[str, tuple[str, str]] = {
    "pki.error": (
        "{folder} không chứa PKI phát triển (chạy `hocba pki init`)",
        "{folder} holds no development PKI (run `hocba pki init`)",
    ),
    "pki.people_file:people_from_records": (
        "{records_file}: không có hồ sơ hợp lệ nào",
        "{records_file} holds no valid record",
    ),
    "pki.people_file:people_from_staff": (
        "{staff_file}: không đọc được danh sách cán bộ ({exc})",
        "{staff_file}: not a readable staff file ({exc})",
    ),
    "pki.unknown_signer:p12_path": (
        "Không có chứng thư số cho {signer_id}",
        "no certificate for {signer_id}",
    ),
    "pki.unknown_signer:revoke": (
        "Không có chứng thư số cho {signer_id} trong {folder}",
        "no certificate for {signer_id} in {folder}",
    ),
}
