"""The wording of the archive's errors, in Vietnamese and English (see `records.register_wording`)."""

from __future__ import annotations

WORDING: dict[str, tuple[str, str]] = {
    "archive.anchor_invalid:signature": (
        "Chữ ký của dấu thời gian trên mốc neo không còn nguyên vẹn",
        "The signature of the anchor's timestamp is not intact",
    ),
    "archive.anchor_invalid:stored_anchor": (
        "mốc neo không đọc được",
        "the anchor cannot be read",
    ),
    "archive.anchor_invalid:token": (
        "Dấu thời gian của mốc neo không đọc được hoặc không khớp",
        "The anchor's timestamp is unreadable or does not match: {exc}",
    ),
    "archive.bag_invalid": (
        "Gói lưu trữ {folder} không hợp lệ: {exc}",
        "The bag {folder} is not valid: {exc}",
    ),
    "archive.database_config:backend": (
        "Chỉ hỗ trợ SQLite và PostgreSQL: {shown}",
        "Only SQLite and PostgreSQL are supported: {shown}",
    ),
    "archive.database_config:open_database": (
        "Địa chỉ cơ sở dữ liệu không hợp lệ: {shown}",
        "Bad database URL: {shown}",
    ),
    "archive.database_config:url": (
        "Địa chỉ cơ sở dữ liệu không hợp lệ: {shown}",
        "Bad database URL: {shown}",
    ),
    "archive.database_outdated": (
        "Cơ sở dữ liệu {shown} ở phiên bản lược đồ {current}, cần {head}: chạy `hocba db upgrade` trước",
        "The database {shown} is at schema revision {current}, {head} is needed: run `hocba db upgrade` first",
    ),
    "archive.database_unavailable:current_revision": (
        "Không kết nối được cơ sở dữ liệu {shown}",
        "Cannot reach the database {shown}: {orig}",
    ),
    "archive.database_unavailable:operation": (
        "Cơ sở dữ liệu không thực hiện được thao tác; không có gì được ghi dở",
        "The database refused or failed the operation; nothing was half-recorded ({orig})",
    ),
    "archive.database_unavailable:upgrade": (
        "Không kết nối được cơ sở dữ liệu {shown}",
        "Cannot reach the database {shown}: {orig}",
    ),
    "archive.document_state:add_signature": (
        "Không thể thêm chữ ký vào học bạ {document_id} phiên bản {version} đang ở trạng thái {status}",
        "Cannot add a signature to book {document_id} version {version} in state {status}",
    ),
    "archive.document_state:correction": (
        "Yêu cầu {correction_id} đang ở trạng thái {status}, không phải {expected}",
        "Request {correction_id} is {status}, not {expected}",
    ),
    "archive.document_state:renew": (
        "{document_id} phiên bản {version} đang ở trạng thái {status} hoặc đã đổi: chỉ gia hạn bản đóng dấu đang lưu",
        "{document_id} version {version} is {status} or changed: only the sealed book on record can be renewed",
    ),
    "archive.document_state:no_evidence": (
        "{document_id} phiên bản {version} chưa có hồ sơ bằng chứng (lần gia hạn hằng năm tới sẽ tạo)",
        "{document_id} version {version} has no evidence record yet (the next yearly renewal run makes it)",
    ),
    "archive.document_state:renewal_rewrites": (
        "Bản gia hạn của {document_id} phiên bản {version} không nối tiếp bản đã đóng dấu: không lưu",
        "The renewal of {document_id} version {version} does not extend the sealed book: not kept",
    ),
    "archive.document_state:finish_seal": (
        "Không thể hoàn tất lưu trữ học bạ {document_id} phiên bản {version} đang ở trạng thái {status}",
        "Cannot finish sealing book {document_id} version {version} in state {status}",
    ),
    "archive.document_state:not_your_turn": (
        "Học bạ {document_id} không có ô nào đang chờ {signer} ký",
        "No field of the book {document_id} waits for {signer} now",
    ),
    "archive.document_state:read_sealed": (
        "Không thể đọc bản niêm phong của học bạ {document_id} phiên bản {version} đang ở trạng thái {status}",
        "Cannot read the sealed copy of book {document_id} version {version} in state {status}",
    ),
    "archive.document_state:seal": (
        "Không thể đóng dấu lưu trữ học bạ {document_id} phiên bản {version} đang ở trạng thái {status}",
        "Cannot seal book {document_id} version {version} in state {status}",
    ),
    "archive.document_state:sign": (
        "Không thể ký thêm vào học bạ {document_id} phiên bản {version} đang ở trạng thái {status}",
        "Cannot sign book {document_id} version {version} in state {status}",
    ),
    "archive.error": (
        "Lỗi của kho lưu trữ",
        "An archive error",
    ),
    "archive.export_failed:file_name": (
        "Tên tệp không hợp lệ: {name}",
        "Bad file name in the export: {name}",
    ),
    "archive.export_failed:not_empty": (
        "Thư mục {out} đã có dữ liệu; xuất vào một thư mục mới",
        "{out} is not empty; export to a new folder",
    ),
    "archive.invalid_key": (
        "Khóa đối tượng không hợp lệ: {key} (đường dẫn tương đối, không có '..' hay đoạn rỗng)",
        "Invalid object key {key} (a relative path without '..' or empty segments)",
    ),
    "archive.object_corrupt": (
        "Bản lưu của {document_id} không khớp mã băm đã ghi; báo người lưu trữ (hocba fixity run)",
        "The stored copy of {document_id} does not match its recorded sha256; tell the archivist (fixity)",
    ),
    "archive.object_exists": (
        "Đối tượng {key} đã có nội dung khác; dữ liệu lưu trữ không bao giờ bị ghi đè",
        "Object {key} already holds other bytes; stored data is never overwritten",
    ),
    "archive.object_locked:downgrade": (
        "Không được hạ chế độ khóa của {key} khỏi COMPLIANCE",
        "The lock of {key} cannot be downgraded from COMPLIANCE",
    ),
    "archive.object_locked:refuse_delete": (
        "Đối tượng {key} đang bị khóa lưu trữ hoặc phong tỏa pháp lý; không thể xóa",
        "Object {key} is under retention or legal hold; it cannot be deleted",
    ),
    "archive.object_locked:refuse_replace": (
        "Đối tượng {key} đang bị khóa lưu trữ; không thể ghi đè",
        "Object {key} is under retention or legal hold; it cannot be overwritten",
    ),
    "archive.object_locked:server": (
        "Máy chủ lưu trữ từ chối: {key} đang bị khóa ({code})",
        "The storage server refused: {key} is locked ({code})",
    ),
    "archive.object_locked:shorter": (
        "Không được rút ngắn thời hạn lưu trữ của {key} (hiện đến {until:%Y-%m-%d})",
        "The retention of {key} cannot be shortened (now until {until:%Y-%m-%d})",
    ),
    "archive.object_missing": (
        "Không có đối tượng {key}",
        "No object {key}",
    ),
    "archive.object_missing:bytes": (
        "Mất dữ liệu của đối tượng {key}",
        "The bytes of {key} are missing",
    ),
    "archive.object_missing:reconcile": (
        "bản ký cuối bị hỏng",
        "the last revision is corrupt",
    ),
    "archive.storage_config:bucket_name": (
        "Tên bucket không hợp lệ: {bucket}",
        "Invalid bucket name {bucket}: {exc}",
    ),
    "archive.storage_config:ensure_bucket": (
        "Bucket {bucket} không bật khóa đối tượng (object lock); không dùng để lưu trữ được",
        "Bucket {bucket} has no object lock enabled; it cannot hold the archive",
    ),
    "archive.storage_config:no_path": (
        "Địa chỉ lưu trữ không hợp lệ ({shown}): thiếu đường dẫn",
        "Bad storage URL ({shown}): no path",
    ),
    "archive.storage_config:s3_form": (
        "Địa chỉ lưu trữ không hợp lệ ({shown}): cần s3://KEY:SECRET@HOST:PORT/BUCKET",
        "Bad storage URL ({shown}): expected s3://KEY:SECRET@HOST:PORT/BUCKET",
    ),
    "archive.storage_config:scheme": (
        "Địa chỉ lưu trữ không hợp lệ ({shown}): chỉ hỗ trợ file:// và s3://",
        "Bad storage URL ({shown}): only file:// and s3:// are supported",
    ),
    "archive.storage_unavailable": (
        "Máy chủ lưu trữ {url} không trả lời sau nhiều lần thử: {exc}",
        "The storage server {url} did not answer after several attempts: {exc}",
    ),
    "archive.unknown_document:correction": (
        "Không có yêu cầu điều chỉnh {correction_id}",
        "No correction request {correction_id}",
    ),
    "archive.unknown_document:kind": (
        "Không có học bạ {document_id} trong lưu trữ",
        "No book {document_id} in the archive",
    ),
    "archive.unknown_document:live": (
        "Không có học bạ {document_id} trong lưu trữ",
        "No book {document_id} in the archive",
    ),
    "archive.unknown_document:sealed_record": (
        "Không có học bạ đã lưu trữ {document_id} để điều chỉnh",
        "No sealed book {document_id} to correct",
    ),
    "archive.unknown_document:public": (
        "Không có hồ sơ {document_id}: mã trên mã QR không khớp hồ sơ nào nhà trường đang lưu",
        "No document {document_id}: the code in the QR names nothing the school keeps",
    ),
    "archive.unknown_account": (
        "Không có tài khoản {username}",
        "No account {username}",
    ),
    "archive.account_exists": (
        "Tên đăng nhập {username} đã được dùng (kể cả tài khoản đã khoá)",
        "The username {username} is taken (disabled accounts keep theirs)",
    ),
    "archive.identity_taken": (
        "Tài khoản {subject} ở nhà cung cấp định danh đã gắn với một tài khoản khác",
        "The identity provider's account {subject} already opens another account",
    ),
    "archive.unknown_disposal": (
        "Không có đề xuất hủy {disposal_id}",
        "No disposal {disposal_id}",
    ),
    "archive.disposal_state:decide": (
        "Đề xuất hủy {disposal_id} đang ở trạng thái {status}: không quyết định được nữa",
        "The disposal {disposal_id} is {status}: it can no longer be decided",
    ),
    "archive.disposal_state:certificate": (
        "Đề xuất hủy {disposal_id} đang ở trạng thái {status}: chưa có biên bản hủy",
        "The disposal {disposal_id} is {status}: it has no certificate yet",
    ),
    "archive.disposal_state:run": (
        "Đề xuất hủy {disposal_id} đang ở trạng thái {status}: chỉ hủy được khi hiệu trưởng đã duyệt",
        "The disposal {disposal_id} is {status}: only an approved disposal is carried out",
    ),
    "archive.disposal_state:same_person": (
        "Người đề xuất hủy {disposal_id} không tự duyệt được: cần hiệu trưởng ({person})",
        "Whoever proposed {disposal_id} cannot decide it too ({person})",
    ),
    "archive.disposal_state:keep_reason": (
        "Giữ lại {disposal_id}: cần ghi lý do",
        "Keeping {disposal_id} needs a reason",
    ),
    "archive.disposal_state:empty": (
        "Không có tài liệu nào hết thời hạn bảo quản để đề xuất hủy",
        "Nothing has reached the end of its retention: nothing to propose",
    ),
    "archive.unknown_hold": (
        "Không có lệnh phong tỏa {hold_id}",
        "No legal hold {hold_id}",
    ),
    "archive.hold_state:ask": (
        "Lệnh phong tỏa {hold_id} đang ở trạng thái {status}: không đề nghị gỡ được",
        "The legal hold {hold_id} is {status}: its release cannot be asked",
    ),
    "archive.hold_state:approve": (
        "Lệnh phong tỏa {hold_id} đang ở trạng thái {status}: chưa có đề nghị gỡ để duyệt",
        "The legal hold {hold_id} is {status}: no release has been asked to approve",
    ),
    "archive.hold_state:same_person": (
        "Người đề nghị gỡ phong tỏa {hold_id} không tự duyệt được: cần một người thứ hai ({person})",
        "Whoever asked to release {hold_id} cannot approve it too: a second person must ({person})",
    ),
    "archive.hold_state:empty": (
        "Phong tỏa {covers}: trường không lưu hồ sơ nào như vậy",
        "A hold on {covers}: the school keeps no such record",
    ),
    "archive.unknown_copy": (
        "Không có yêu cầu cấp bản sao {request_id}",
        "No copy request {request_id}",
    ),
    "archive.copy_state:check": (
        "Yêu cầu {request_id} đang ở trạng thái {status}: không kiểm tra giấy tờ được nữa",
        "The request {request_id} is {status}: its identity can no longer be checked",
    ),
    "archive.copy_state:number": (
        "Yêu cầu {request_id} đang ở trạng thái {status}: cần kiểm tra giấy tờ tùy thân trước khi cấp",
        "The request {request_id} is {status}: the asker's identity document must be checked before issuing",
    ),
    "archive.copy_state:issue": (
        "Yêu cầu {request_id} đang ở trạng thái {status}: cần kiểm tra giấy tờ tùy thân trước khi cấp",
        "The request {request_id} is {status}: the asker's identity document must be checked before issuing",
    ),
    "archive.copy_state:refuse": (
        "Yêu cầu {request_id} đang ở trạng thái {status}: không từ chối được",
        "The request {request_id} is {status}: it can no longer be refused",
    ),
    "archive.copy_state:revoke": (
        "Yêu cầu {request_id} đang ở trạng thái {status}: chỉ thu hồi được bản sao đã cấp",
        "The request {request_id} is {status}: only an issued copy can be revoked",
    ),
    "archive.copy_state:letter": (
        "Yêu cầu {request_id} đang ở trạng thái {status}: chỉ yêu cầu bị từ chối mới có văn bản trả lời",
        "The request {request_id} is {status}: only a refused request has a written refusal",
    ),
    "archive.copy_state:deliver": (
        "Yêu cầu {request_id} đang ở trạng thái {status}: chỉ giao được bản sao đã cấp",
        "The request {request_id} is {status}: only an issued copy can be delivered",
    ),
    "archive.identity_provider": (
        "Nhà cung cấp định danh {issuer} không trả lời; hãy thử lại sau",
        "The identity provider {issuer} did not answer; try again later",
    ),
    "archive.identity_refused:code": (
        "Nhà cung cấp định danh từ chối mã đăng nhập ({reason}); hãy đăng nhập lại",
        "The identity provider refused the sign-in code ({reason}); sign in again",
    ),
    "archive.identity_refused:token": (
        "Thẻ định danh của nhà cung cấp không hợp lệ ({reason}); không ai được đăng nhập",
        "The identity provider's ID token does not check out ({reason}); nobody is signed in",
    ),
    "archive.identity_refused:issuer": (
        "Nhà cung cấp định danh xưng danh khác với cấu hình ({reason})",
        "The identity provider names itself differently from the settings ({reason})",
    ),
    "archive.account_invalid:username": (
        "Tên đăng nhập {username} không hợp lệ: 3–64 ký tự a–z, 0–9, '.', '_' hoặc '-'",
        "The username {username} is not valid: 3–64 characters among a–z, 0–9, '.', '_' and '-'",
    ),
    "archive.account_invalid:school": (
        "Tài khoản vai trò {role} cần mã trường (--school)",
        "An account with the role {role} needs a school code (--school)",
    ),
    "archive.account_invalid:staff": (
        "Tài khoản cán bộ (vai trò {role}) cần mã cán bộ (--staff) và không gắn với học sinh",
        "A staff account (role {role}) needs a staff id (--staff) and no student",
    ),
    "archive.account_invalid:student": (
        "Tài khoản vai trò {role} cần số định danh của học sinh (--student) và không gắn với cán bộ",
        "An account with the role {role} needs the student's personal id (--student) and no staff id",
    ),
    "archive.account_invalid:relationship": (
        "Tài khoản phụ huynh cần quan hệ với học sinh (--relationship)",
        "A parent's account needs their relationship to the student (--relationship)",
    ),
    "archive.account_invalid:supervisor": (
        "Tài khoản của Sở cần tỉnh (--province) và không gắn với trường, cán bộ hay học sinh",
        "A supervisor's account needs a province (--province) and no school, staff id or student",
    ),
    "archive.account_invalid:role": (
        "Vai trò {role} không có; các vai trò: {roles}",
        "No role {role}; the roles are: {roles}",
    ),
    "archive.unknown_job": (
        "Không có công việc {job_id}",
        "No job {job_id}",
    ),
    "archive.idempotency_key_reused": (
        "Khoá Idempotency-Key {key} đã dùng cho một yêu cầu khác",
        "The Idempotency-Key {key} was already used for another request",
    ),
}
