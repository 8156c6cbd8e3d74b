"""The wording of the use cases' errors, in Vietnamese and English (see `records.register_wording`)."""

from __future__ import annotations

WORDING: dict[str, tuple[str, str]] = {
    "auth.failed:credentials": (
        "Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng",
        "Wrong username, password or verification code",
    ),
    "auth.failed:second_factor": (
        "Tài khoản này cần mã xác thực hai lớp (ứng dụng xác thực hoặc mã khôi phục)",
        "This account needs a second factor (an authenticator code or a recovery code)",
    ),
    "auth.failed:token": (
        "Phiên đăng nhập không hợp lệ hoặc đã hết hạn; hãy đăng nhập lại",
        "The session is not valid or has expired; sign in again",
    ),
    "auth.failed:flow": (
        "Lượt đăng nhập qua nhà cung cấp định danh không còn hiệu lực (đã dùng, hết hạn hoặc từ trình duyệt khác); "
        "hãy đăng nhập lại",
        "This sign-in through the identity provider is no longer valid (used, expired or from another browser); "
        "sign in again",
    ),
    "auth.failed:identity": (
        "Tài khoản ở nhà cung cấp định danh chưa gắn với tài khoản hocba nào đang hoạt động",
        "The identity provider's account opens no active hocba account",
    ),
    "auth.failed:identity_second_factor": (
        "Tài khoản này cần xác thực hai lớp: nhà cung cấp định danh không xác nhận đã kiểm tra lớp thứ hai",
        "This account needs a second factor, and the identity provider did not confirm checking one",
    ),
    "auth.federation_off": (
        "Dịch vụ chưa được cấu hình đăng nhập qua nhà cung cấp định danh (HOCBA_OIDC_ISSUER)",
        "Signing in through an identity provider is not set up (HOCBA_OIDC_ISSUER)",
    ),
    "copy.asker:name": (
        "Cần họ tên người đề nghị cấp bản sao",
        "The name of the person asking for the copy is needed",
    ),
    "copy.asker:relationship": (
        "Người đề nghị không phải học sinh: cần ghi quan hệ với học sinh hoặc giấy ủy quyền",
        "The person asking is not the student: their relationship to the student or authorisation is needed",
    ),
    "copy.asker:relative": (
        "Thân nhân chỉ được đề nghị cấp bản sao khi học sinh đã mất (cần giấy tờ chứng minh)",
        "A relative may ask for a copy only when the student has died (with proof)",
    ),
    "copy.asker:pages": (
        "Bản trích sao cần nêu các trang được trích",
        "An extract needs the pages it reproduces",
    ),
    "auth.throttled": (
        "Đăng nhập sai quá nhiều lần; thử lại sau {seconds} giây",
        "Too many failed logins; try again in {seconds} s",
    ),
    "workflow.worker_lost": (
        "Một tiến trình làm việc đã dừng đột ngột (hết bộ nhớ hoặc bị dừng) nên sổ này chưa được làm; "
        "những sổ đã xong vẫn được giữ — chạy lại để làm tiếp",
        "A worker process stopped unexpectedly (out of memory, or killed), so this book was not done; "
        "the books already done are kept — run again to go on",
    ),
    "job.not_ready": (
        "Công việc {job_id} chưa có kết quả để tải (trạng thái: {status})",
        "The job {job_id} has nothing to download yet (status: {status})",
    ),
    "job.not_ready:retry": (
        "Chỉ người tạo mới chạy lại được công việc {job_id}, và chỉ khi nó lỗi hoặc đã huỷ (trạng thái: {status})",
        "Only its starter may run the job {job_id} again, once it failed or was cancelled (status: {status})",
    ),
    "auth.weak_password": (
        "Mật khẩu cần ít nhất {minimum} ký tự",
        "The password needs at least {minimum} characters",
    ),
}
