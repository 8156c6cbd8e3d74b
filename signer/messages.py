"""The wording of the signing package's errors, in Vietnamese and English (see `records.register_wording`)."""

from __future__ import annotations

WORDING: dict[str, tuple[str, str]] = {
    "signer.trust_roots:none": (
        "Dịch vụ chưa được cấu hình chứng thư gốc tin cậy (HOCBA_TRUST)",
        "The service has no trusted root certificates configured (HOCBA_TRUST)",
    ),
    "signer.certificate_expired": (
        "Chứng thư số không còn (hoặc chưa) hiệu lực: {exc}",
        "The certificate is not valid at this time: {exc}",
    ),
    "signer.encrypted": (
        "Tệp PDF được mã hoá; học bạ không bao giờ mã hoá",
        "The PDF is encrypted; a học bạ never is",
    ),
    "signer.error": (
        "Lỗi khi ký hoặc kiểm tra chữ ký",
        "A signing or verification error",
    ),
    "signer.field_signed": (
        "Trường '{field}' đã được ký",
        "Field '{field}' is already signed",
    ),
    "signer.foreign_form": (
        "Học bạ có trường biểu mẫu ngoài kế hoạch ký ({names}); không ký",
        "The book carries form fields outside its signing plan ({names}); it is not signed",
    ),
    "signer.identity_mismatch": (
        "Chứng thư số của '{name}' không phải của {signer_name} ({signer_id})",
        "The certificate of '{name}' does not belong to {signer_name} ({signer_id})",
    ),
    "signer.key_source:authorize_signature": (
        "Dịch vụ ký từ xa từ chối ủy quyền (HTTP {status})",
        "The remote signing service refused authorisation (HTTP {status})",
    ),
    "signer.key_source:check_signature": (
        "Giá trị chữ ký không khớp với chứng thư số",
        "The signature value does not match the certificate",
    ),
    "signer.key_source:confirmed": (
        "Dịch vụ ký từ xa trả {signatures} chữ ký cho {digests} giá trị băm",
        "The remote signing service returned {signatures} signatures for {digests} hashes",
    ),
    "signer.key_source:credential": (
        "Không lấy được chứng thư từ dịch vụ ký từ xa: {exc}",
        "Cannot fetch the remote credential: {exc}",
    ),
    "signer.key_source:http_status": (
        "Dịch vụ ký từ xa trả lời HTTP {status} cho {path}",
        "The remote signing service answered HTTP {status} to {path}",
    ),
    "signer.key_source:key_file": (
        "Không mở được tệp khóa {path}: {exc}",
        "Cannot open key file {path}: {exc}",
    ),
    "signer.key_source:no_secret": (
        "Không có mật khẩu hoặc PIN '{secret_name}' để mở khóa {location}",
        "No password or PIN '{secret_name}' to open the key {location}",
    ),
    "signer.key_source:not_connected": (
        "Chưa kết nối dịch vụ ký từ xa",
        "The remote signing source is not connected",
    ),
    "signer.key_source:remote_reference": (
        "Khóa từ xa được dùng từ một tiến trình, không có tham chiếu",
        "A remote key is used from one process and has no reference",
    ),
    "signer.key_source:remote_unconfigured": (
        "Dịch vụ ký từ xa '{kind}' chưa được cấu hình ({variable})",
        "The remote signing service '{kind}' is not configured ({variable})",
    ),
    "signer.key_source:sign": (
        "Không ký được: {exc}",
        "Signing failed: {exc}",
    ),
    "signer.key_source:token": (
        "Không mở được token '{token_label}': {name} {exc}",
        "Cannot open token '{token_label}': {name} {exc}",
    ),
    "signer.key_source:wrong_password": (
        "Không mở được tệp khóa {path} (sai mật khẩu?)",
        "Cannot open key file {path} (wrong password?)",
    ),
    "signer.key_usage": (
        "Chứng thư số không cho phép ký số (digitalSignature/nonRepudiation)",
        "The certificate does not allow signing (digitalSignature/nonRepudiation)",
    ),
    "signer.not_signable": (
        "Tệp không phải học bạ do hệ thống tạo (không có kế hoạch ký)",
        "The file is not a học bạ rendered by this service (no signing plan)",
    ),
    "signer.order": (
        "Chưa thể ký '{field}': còn chờ {missing}",
        "Cannot sign '{field}' yet: waiting for {missing}",
    ),
    "signer.pdfa_broken": (
        "Chữ ký làm hỏng PDF/A: {message}",
        "The signature would break PDF/A: {message}",
    ),
    "signer.remote_refused": (
        "Người ký đã từ chối yêu cầu ký trên ứng dụng (giao dịch {transaction})",
        "The signer refused the request in the app (transaction {transaction})",
    ),
    "signer.remote_timeout:confirmed": (
        "Người ký chưa xác nhận trên ứng dụng trong {deadline} (giao dịch {transaction})",
        "The signer did not confirm in the app within {deadline} (transaction {transaction})",
    ),
    "signer.remote_timeout:unreachable": (
        "Không liên lạc được dịch vụ ký từ xa: {exc}",
        "Cannot reach the remote signing service: {exc}",
    ),
    "signer.revocation_unavailable:close": (
        "Không thu thập được dữ liệu xác thực dài hạn: {exc}",
        "Cannot collect long-term validation data: {exc}",
    ),
    "signer.revocation_unavailable:validate": (
        "Không kiểm tra được trạng thái thu hồi (OCSP/CRL): {exc}",
        "Cannot check revocation status (OCSP/CRL): {exc}",
    ),
    "signer.revoked:check_certificate": (
        "Chứng thư số đã bị thu hồi (theo OCSP)",
        "The certificate is revoked (per OCSP)",
    ),
    "signer.revoked:validate": (
        "Chứng thư số đã bị thu hồi: {exc}",
        "The certificate is revoked: {exc}",
    ),
    "signer.seal_certificate": (
        "Chứng thư số tổ chức chỉ dùng cho trường dấu của nhà trường; chứng thư cá nhân không ký thay dấu",
        "An organisation certificate signs only the school seal field, and a personal one never does",
    ),
    "signer.session_expired": (
        "Phiên ký đã hết hạn; hãy chuẩn bị lại",
        "The signing session expired; prepare again",
    ),
    "signer.stamp_character": (
        "Phông chữ của dấu chữ ký không có ký tự {missing} (trong tên hoặc chức danh của '{field}')",
        "The stamp font has no glyph for {missing} (in the name or role of '{field}')",
    ),
    "signer.too_complex:etsi_report": (
        "Lập báo cáo ETSI vượt quá {max_seconds:.0f} giây",
        "The ETSI report took over {max_seconds:.0f} s",
    ),
    "signer.too_complex:nesting": (
        "Cấu trúc tệp lồng quá sâu",
        "The file's structure is nested too deeply",
    ),
    "signer.too_complex:signatures": (
        "Tệp có quá nhiều chữ ký ({signatures}; tối đa {max_signatures})",
        "The file has too many signatures ({signatures}; at most {max_signatures})",
    ),
    "signer.too_complex:time": (
        "Kiểm tra vượt quá {max_seconds:.0f} giây; tệp quá phức tạp",
        "Verification took over {max_seconds:.0f} s; the file is too complex",
    ),
    "signer.too_complex:too_many_revisions": (
        "Tệp có quá nhiều lần cập nhật (tối đa {max_revisions})",
        "The file has too many incremental updates (at most {max_revisions})",
    ),
    "signer.too_large:check_size": (
        "Tệp quá lớn ({value} KB; tối đa {value2} KB)",
        "The file is too large ({value} KB; at most {value2} KB)",
    ),
    "signer.too_large:decompressed": (
        "Tệp giải nén ra quá nhiều dữ liệu: {exc}",
        "The file decompresses to too much data: {exc}",
    ),
    "signer.too_large:memory": (
        "Tệp cần quá nhiều bộ nhớ",
        "The file needs too much memory",
    ),
    "signer.trust_roots": (
        "Không đọc được chứng thư gốc trong {path}: {exc}",
        "Cannot read a root certificate of {path}: {exc}",
    ),
    "signer.unknown_field": (
        "Trường chữ ký '{field}' không có trong kế hoạch ký",
        "Signature field '{field}' is not in the signing plan",
    ),
    "signer.unknown_session:complete": (
        "Không có phiên ký '{session_id}'",
        "No signing session '{session_id}'",
    ),
    "signer.unknown_session:load": (
        "Không có phiên ký '{session_id}'",
        "No signing session '{session_id}'",
    ),
    "signer.unknown_session:path": (
        "Phiên ký '{session_id}' không hợp lệ",
        "Invalid signing session '{session_id}'",
    ),
    "signer.unreadable:open_untrusted": (
        "Tệp không phải PDF",
        "The file is not a PDF",
    ),
    "signer.unreadable:parse": (
        "Không đọc được tệp PDF ({name}: {exc})",
        "Cannot read the PDF ({name}: {exc})",
    ),
    "signer.unreadable:reports": (
        "Không đọc được tệp PDF: {exc}",
        "Cannot read the PDF: {exc}",
    ),
    "signer.unsigned_changes:after_last": (
        "Sau chữ ký cuối ('{field_name}') có thay đổi chưa được ký; không ký lên thay đổi đó",
        "Unsigned changes follow the last signature ('{field_name}'); nothing is signed on top of them",
    ),
    "signer.unsigned_changes:broken_signature": (
        "Chữ ký '{field_name}' không còn toàn vẹn; không đóng dấu",
        "The signature '{field_name}' is no longer intact; the book is not sealed",
    ),
    "signer.unsigned_changes:history": (
        "Học bạ có thay đổi ngoài kế hoạch ký sau chữ ký '{field_name}'; không đóng dấu",
        "The book was changed outside its signing plan after '{field_name}' signed; it is not sealed",
    ),
    "signer.unsigned_changes:unsigned_book": (
        "Học bạ chưa ký đã bị sửa sau khi tạo ({value} lần cập nhật); không ký lên thay đổi chưa được ký",
        "The unsigned book was changed after rendering ({value} updates); nothing is signed on top of that",
    ),
    "signer.untrusted": (
        "Chứng thư số không thuộc chuỗi tin cậy đã cấu hình: {exc}",
        "The certificate does not chain to a trusted root: {exc}",
    ),
    "signer.wrong_signer": (
        "Trường '{field}' thuộc về {signer_name} ({signer_id}), không phải {acting_as}",
        "Field '{field}' belongs to {signer_name} ({signer_id}), not {acting_as}",
    ),
    "signer.not_renewable": (
        "Không gia hạn dấu thời gian lưu trữ được: tài liệu chưa có dấu thời gian lưu trữ ({why})",
        "The archive timestamp cannot be renewed: the document has no archive timestamp ({why})",
    ),
}
