"""Vietnamese wording of the format's codes, as printed in the học bạ."""

from __future__ import annotations

from decimal import Decimal

LEVEL_TITLE = {"tieu_hoc": "TIỂU HỌC", "thcs": "TRUNG HỌC CƠ SỞ", "thpt": "TRUNG HỌC PHỔ THÔNG"}
LEVEL_NAME = {"tieu_hoc": "tiểu học", "thcs": "trung học cơ sở", "thpt": "trung học phổ thông"}
RATING = {"tot": "Tốt", "kha": "Khá", "dat": "Đạt", "chua_dat": "Chưa đạt"}
MARK = {"dat": "Đạt", "chua_dat": "Chưa đạt"}
QUALITY_LEVEL = {"tot": "Tốt", "dat": "Đạt", "can_co_gang": "Cần cố gắng"}
PRIMARY_LEVEL = {
    "hoan_thanh_tot": "Hoàn thành tốt (T)",
    "hoan_thanh": "Hoàn thành (H)",
    "chua_hoan_thanh": "Chưa hoàn thành (C)",
}
EDUCATION_RESULT = {
    "hoan_thanh_xuat_sac": "Hoàn thành xuất sắc",
    "hoan_thanh_tot": "Hoàn thành tốt",
    "hoan_thanh": "Hoàn thành",
    "chua_hoan_thanh": "Chưa hoàn thành",
}
AWARD = {
    "hoc_sinh_xuat_sac": "Học sinh Xuất sắc",
    "hoc_sinh_gioi": "Học sinh Giỏi",
    "hoc_sinh_tieu_bieu": "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện",
}
PROMOTION = {
    "len_lop": "Được lên lớp",
    "khong_len_lop": "Không được lên lớp",
    "kiem_tra_lai": "Kiểm tra lại các môn học trong hè",
    "ren_luyen_he": "Rèn luyện trong hè",
    "hoan_thanh_chuong_trinh": "Hoàn thành chương trình",
}
GENDER = {"nam": "Nam", "nu": "Nữ"}
QUALITIES = {
    "yeu_nuoc": "Yêu nước",
    "nhan_ai": "Nhân ái",
    "cham_chi": "Chăm chỉ",
    "trung_thuc": "Trung thực",
    "trach_nhiem": "Trách nhiệm",
}
COMPETENCES = {
    "tu_chu_tu_hoc": "Tự chủ và tự học",
    "giao_tiep_hop_tac": "Giao tiếp và hợp tác",
    "giai_quyet_van_de": "Giải quyết vấn đề và sáng tạo",
    "ngon_ngu": "Ngôn ngữ",
    "tinh_toan": "Tính toán",
    "khoa_hoc": "Khoa học",
    "cong_nghe": "Công nghệ",
    "tin_hoc": "Tin học",
    "tham_mi": "Thẩm mĩ",
    "the_chat": "Thể chất",
}


def result(value: Decimal | str | None) -> str:
    """A term result as printed: scores with the Vietnamese decimal comma, marks in words."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.1f}".replace(".", ",")
    return MARK.get(value, value)


def place_name(province: str) -> str:
    """'Thành phố Hải Phòng' -> 'Hải Phòng' for the dateline."""
    for prefix in ("Thành phố ", "Tỉnh ", "TP. ", "TP "):
        if province.startswith(prefix):
            return province[len(prefix) :]
    return province
