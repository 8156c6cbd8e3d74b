"""ETSI EN 319 102-1 indications for what verification found, and what each means in Vietnamese and English.

The main indication is TOTAL-PASSED, TOTAL-FAILED (the signature is proven bad: altered, forged, revoked before
it was made, or followed by a change its locks forbid) or INDETERMINATE (a check could not be completed: no
path to a trusted root, no usable revocation data): "could not be checked" is never reported as valid.
"""

from __future__ import annotations

from typing import Any

from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESStatus

PASSED = "TOTAL-PASSED"
FAILED = "TOTAL-FAILED"
INDETERMINATE = "INDETERMINATE"

Message = tuple[str, str]

_MESSAGES: dict[str, Message] = {
    "HASH_FAILURE": ("Nội dung đã bị thay đổi sau khi ký", "The signed content was altered"),
    "SIG_CRYPTO_FAILURE": ("Chữ ký không hợp lệ về mật mã", "The signature is cryptographically invalid"),
    "FORMAT_FAILURE": (
        "Có sửa đổi không được phép sau khi ký",
        "The document was modified in a way not allowed after signing",
    ),
    "REVOKED": ("Chứng thư số đã bị thu hồi trước thời điểm ký", "The certificate was revoked before signing"),
    "REVOKED_NO_POE": (
        "Chứng thư số đã bị thu hồi và không có bằng chứng chữ ký có trước đó",
        "The certificate is revoked and nothing proves the signature existed before",
    ),
    "REVOKED_CA_NO_POE": (
        "Chứng thư của tổ chức cấp đã bị thu hồi",
        "A certificate of the issuing authority is revoked",
    ),
    "NO_CERTIFICATE_CHAIN_FOUND": (
        "Chứng thư số không thuộc chuỗi tin cậy (không dẫn tới gốc tin cậy)",
        "The certificate is not trusted (it does not chain to a trusted root)",
    ),
    # pyHanko's sub-indication for a path that exists but could not be validated, most often for want of
    # revocation data for a certificate of the path
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": (
        "Không xác minh được chuỗi chứng thư số (thường do không có dữ liệu thu hồi OCSP/CRL dùng được)",
        "The certificate chain could not be validated (most often: no usable OCSP/CRL data)",
    ),
    "CHAIN_CONSTRAINTS_FAILURE": (
        "Chuỗi chứng thư số không đáp ứng ràng buộc",
        "The certificate chain violates its constraints",
    ),
    "TRY_LATER": (
        "Không kiểm tra được trạng thái thu hồi (không có dữ liệu OCSP/CRL dùng được)",
        "The revocation status could not be checked (no usable OCSP/CRL data)",
    ),
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": (
        "Không kiểm tra được trạng thái thu hồi tại thời điểm cần (dữ liệu OCSP/CRL không còn hiệu lực)",
        "The revocation status could not be checked for the time needed (OCSP/CRL data out of date)",
    ),
    "OUT_OF_BOUNDS_NO_POE": (
        "Chứng thư số hết hạn hoặc chưa có hiệu lực, không có bằng chứng thời điểm ký",
        "The certificate is expired or not yet valid, and nothing proves when the signature was made",
    ),
    "OUT_OF_BOUNDS_NOT_REVOKED": (
        "Chứng thư số hết hạn hoặc chưa có hiệu lực tại thời điểm kiểm tra",
        "The certificate is expired or not yet valid at the validation time",
    ),
    "EXPIRED": ("Chứng thư số đã hết hạn", "The certificate has expired"),
    "NOT_YET_VALID": ("Chứng thư số chưa có hiệu lực", "The certificate is not yet valid"),
    "NO_POE": ("Không có bằng chứng thời điểm tồn tại", "No proof of existence"),
    "CRYPTO_CONSTRAINTS_FAILURE": ("Thuật toán mật mã không còn được chấp nhận", "The algorithm is no longer accepted"),
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": (
        "Thuật toán mật mã không còn được chấp nhận",
        "The algorithm is no longer accepted",
    ),
    "SIG_CONSTRAINTS_FAILURE": ("Chữ ký không đáp ứng ràng buộc", "The signature violates its constraints"),
    "TIMESTAMP_ORDER_FAILURE": ("Thứ tự dấu thời gian không hợp lệ", "The timestamps are out of order"),
    "NO_SIGNING_CERTIFICATE_FOUND": ("Không tìm thấy chứng thư ký", "The signing certificate was not found"),
    "GENERIC": ("Không kiểm tra được chữ ký", "The signature could not be checked"),
}


def message(sub_indication: str) -> Message:
    return _MESSAGES.get(sub_indication, _MESSAGES["GENERIC"])


def of_trust(status: Any) -> tuple[str, str | None]:
    """(indication, sub-indication) for what certificate validation reported on a pyHanko status."""
    problem = status.trust_problem_indic
    if problem is None:
        return (PASSED, None) if status.trusted else (INDETERMINATE, "GENERIC")
    main = {AdESStatus.FAILED: FAILED, AdESStatus.INDETERMINATE: INDETERMINATE}.get(problem.status, PASSED)
    return main, problem.name


def revocation(status: Any) -> str:
    """``good``, ``revoked``, ``unknown`` (no usable data) or ``not_checked`` (no trusted path to ask about)."""
    problem = status.trust_problem_indic
    if status.revocation_details is not None or problem in (
        AdESFailure.REVOKED,
        AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE,
    ):
        return "revoked"
    if problem is None and status.trusted:
        return "good"
    if problem is AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        return "not_checked"
    return "unknown"


def worst(indications: list[str]) -> str:
    if FAILED in indications:
        return FAILED
    return INDETERMINATE if INDETERMINATE in indications else PASSED
