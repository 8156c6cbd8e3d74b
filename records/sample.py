"""Realistic, rule-consistent sample records for demos and tests.

Deterministic for a given seed. A class always shows the cases a school meets: names with every Vietnamese
diacritic, varied results, a student exempt from a subject, a deputy signing for the principal, a photo
(JPEG and a transparent PNG), and one very long homeroom comment.
"""

from __future__ import annotations

import base64
import io
import random
from decimal import Decimal
from typing import Any

from PIL import Image, ImageDraw

from .model import GRADES, Competences, Qualities, Subject
from .rules import derive_learning, year_average

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Lưu",
]
MIDDLE_F = [
    "Thị",
    "Ngọc",
    "Thùy",
    "Khánh",
    "Bảo",
    "Mỹ",
    "Diệu",
    "Phương",
    "Thị Ngọc",
    "Hoài",
    "Quỳnh",
    "Tuyết",
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Gia", "Thiện", "Tuấn", "Xuân", "Trọng", "Đình", "Công"]
GIVEN_F = [
    "Ánh",
    "Hằng",
    "Thảo",
    "Ngân",
    "Yến",
    "Nhung",
    "Trâm",
    "Hạnh",
    "Mẫn",
    "Thủy",
    "Ngọc",
    "Diễm",
    "Quế",
    "Uyên",
    "Ly",
]
GIVEN_M = [
    "Dũng",
    "Thắng",
    "Khải",
    "Tuấn",
    "Lộc",
    "Đạt",
    "Kiên",
    "Sơn",
    "Phúc",
    "Hiếu",
    "Thuận",
    "Lãm",
    "Bửu",
    "Ẩn",
    "Vỹ",
]
PLACES = [
    "Hải Phòng",
    "Hà Nội",
    "Thái Bình",
    "Nam Định",
    "Quảng Ninh",
    "Hải Dương",
    "Thừa Thiên Huế",
    "Đắk Lắk",
]
ETHNIC = ["Kinh", "Kinh", "Kinh", "Tày", "Mường", "Thái", "Hmông", "Ê Đê"]
VILLAGES = ["Thôn Đông", "Thôn Nam", "Xóm Bắc", "Thôn Quyết Tiến", "Khu phố Ngũ Lão"]

SECONDARY_SUBJECTS = {
    "thcs": [
        ("toan", "Toán", "score"),
        ("ngu_van", "Ngữ văn", "score"),
        ("ngoai_ngu_1", "Ngoại ngữ 1 (Tiếng Anh)", "score"),
        ("gdcd", "Giáo dục công dân", "score"),
        ("lich_su_dia_li", "Lịch sử và Địa lí", "score"),
        ("khtn", "Khoa học tự nhiên", "score"),
        ("cong_nghe", "Công nghệ", "score"),
        ("tin_hoc", "Tin học", "score"),
        ("gdtc", "Giáo dục thể chất", "comment"),
        ("nghe_thuat", "Nghệ thuật (Âm nhạc, Mĩ thuật)", "comment"),
        ("hdtn_hn", "Hoạt động trải nghiệm, hướng nghiệp", "comment"),
        ("gddp", "Nội dung giáo dục của địa phương", "comment"),
    ],
    "thpt": [
        ("toan", "Toán", "score"),
        ("ngu_van", "Ngữ văn", "score"),
        ("ngoai_ngu_1", "Ngoại ngữ 1 (Tiếng Anh)", "score"),
        ("lich_su", "Lịch sử", "score"),
        ("gdqp_an", "Giáo dục quốc phòng và an ninh", "score"),
        ("vat_li", "Vật lí", "score"),
        ("hoa_hoc", "Hóa học", "score"),
        ("sinh_hoc", "Sinh học", "score"),
        ("tin_hoc", "Tin học", "score"),
        ("gdtc", "Giáo dục thể chất", "comment"),
        ("hdtn_hn", "Hoạt động trải nghiệm, hướng nghiệp", "comment"),
        ("gddp", "Nội dung giáo dục của địa phương", "comment"),
    ],
}
TEACHERS = [
    "Trần Văn Thính",
    "Hoàng Thị Thiết",
    "Phạm Thu Hương",
    "Đỗ Quang Vinh",
    "Nguyễn Thị Lụa",
    "Bùi Đức Hạnh",
    "Vũ Thị Ngát",
    "Lê Mạnh Cường",
    "Đặng Thị Hiền",
    "Ngô Xuân Trường",
    "Dương Thị Nguyệt",
    "Huỳnh Văn Tỵ",
]
COMMENTS = [
    "Em chăm ngoan, lễ phép, có ý thức tự giác trong học tập.",
    "Tiến bộ rõ rệt ở học kì II, đặc biệt ở các môn tự nhiên.",
    "Tích cực tham gia hoạt động tập thể, hòa đồng với bạn bè.",
    "Cần rèn thêm kĩ năng trình bày và sự cẩn thận khi làm bài.",
    "Có năng khiếu văn nghệ, nhiệt tình trong các phong trào của lớp.",
    "Biết giúp đỡ bạn bè, giữ gìn vệ sinh chung, trung thực trong thi cử.",
]
QUALITY_KEYS = list(Qualities.model_fields)
COMPETENCE_KEYS = list(Competences.model_fields)
SCHOOLS = {
    "tieu_hoc": ("31712001", "Trường Tiểu học Đại Thắng"),
    "thcs": ("31712345", "Trường THCS Đại Thắng"),
    "thpt": ("31712890", "Trường THPT Tiên Lãng"),
}


def _primary_subjects(grade: int) -> list[tuple[str, str, bool]]:
    """(code, name, has a periodic test) for a primary grade."""
    out = [("tieng_viet", "Tiếng Việt", True), ("toan", "Toán", True), ("dao_duc", "Đạo đức", False)]
    if grade <= 3:
        out.append(("tnxh", "Tự nhiên và Xã hội", False))
    else:
        out += [("khoa_hoc", "Khoa học", True), ("lich_su_dia_li", "Lịch sử và Địa lí", True)]
    if grade >= 3:
        out += [("ngoai_ngu_1", "Tiếng Anh", True), ("tin_hoc_cong_nghe", "Tin học và Công nghệ", grade >= 4)]
    out += [
        ("gdtc", "Giáo dục thể chất", False),
        ("am_nhac", "Âm nhạc", False),
        ("mi_thuat", "Mĩ thuật", False),
    ]
    out.append(("hdtn", "Hoạt động trải nghiệm", False))
    return out


def _photo(rng: random.Random, transparent: bool) -> str:
    img = Image.new("RGBA" if transparent else "RGB", (90, 120), (0, 0, 0, 0) if transparent else (214, 226, 240))
    draw = ImageDraw.Draw(img)
    tone = (rng.randint(150, 230), rng.randint(120, 190), rng.randint(90, 150), 255)
    draw.ellipse((25, 18, 65, 62), fill=tone)
    draw.rectangle((15, 70, 75, 120), fill=(40, 60, 120, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG" if transparent else "JPEG", quality=85)
    return base64.b64encode(buf.getvalue()).decode()


def _score(rng: random.Random, ability: float) -> Decimal:
    value = min(10.0, max(2.0, rng.gauss(ability, 0.8)))
    return Decimal(str(round(value, 1)))


def _staff(level: str, rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, str]]:
    staff = [{"id": "ht", "full_name": "Lưu Văn Nam", "position": "hieu_truong"}]
    staff.append({"id": "pht", "full_name": "Phạm Thị Hồng Nhung", "position": "pho_hieu_truong"})
    teacher_of: dict[str, str] = {}
    if level == "tieu_hoc":
        staff.append({"id": "gvcn", "full_name": "Ngô Thanh Mai", "position": "giao_vien"})
        return staff, teacher_of
    names = TEACHERS[:]
    rng.shuffle(names)
    for i, (code, _name, _kind) in enumerate(SECONDARY_SUBJECTS[level]):
        staff_id = f"gv-{code.replace('_', '-')}"
        staff.append({"id": staff_id, "full_name": names[i % len(names)], "position": "giao_vien"})
        teacher_of[code] = staff_id
    staff.append({"id": "gvcn", "full_name": "Ngô Thanh Mai", "position": "giao_vien"})
    return staff, teacher_of


def _name(rng: random.Random, female: bool) -> str:
    middle = MIDDLE_F if female else MIDDLE_M
    given = GIVEN_F if female else GIVEN_M
    return f"{rng.choice(FAMILY)} {rng.choice(middle)} {rng.choice(given)}"


def generate(
    level: str, grade: int, students: int, seed: int = 0, school_year: str = "2024-2025"
) -> list[dict[str, Any]]:
    """`students` records of one class as plain JSON-ready dicts (scores as Decimal)."""
    if level not in GRADES or not GRADES[level][0] <= grade <= GRADES[level][1]:
        raise ValueError(f"grade {grade} is not part of level {level}")
    rng = random.Random(seed)
    staff, teacher_of = _staff(level, rng)
    return [_student_record(level, grade, school_year, i, rng, staff, teacher_of) for i in range(students)]


def _student_record(
    level: str,
    grade: int,
    school_year: str,
    i: int,
    rng: random.Random,
    staff: list[dict[str, Any]],
    teacher_of: dict[str, str],
) -> dict[str, Any]:
    start = int(school_year[:4])
    female = rng.random() < 0.5
    born_year = start - grade - 5
    born = f"{born_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    # Personal id: province 031, century-and-gender digit, two digits of the birth year, six more.
    personal_id = f"031{2 + female}{born_year % 100:02d}{rng.randint(0, 999999):06d}"
    code, school_name = SCHOOLS[level]
    class_name = f"{grade}A{1 + rng.randint(0, 0)}"
    record: dict[str, Any] = {
        "format": "hocba-record/1",
        "level": level,
        "school_year": school_year,
        "grade": grade,
        "class_name": class_name,
        "school": {
            "code": code,
            "name": school_name,
            "commune": "Xã Đại Thắng",
            "district": "Huyện Tiên Lãng",
            "province": "Thành phố Hải Phòng",
        },
        "student": {
            "personal_id": personal_id,
            "student_code": f"{code}{i + 1:05d}",
            "full_name": _name(rng, female),
            "date_of_birth": born,
            "gender": "nu" if female else "nam",
            "ethnicity": rng.choice(ETHNIC),
            "place_of_birth": rng.choice(PLACES),
            "hometown": rng.choice(PLACES),
            "address": f"{rng.choice(VILLAGES)}, xã Đại Thắng, huyện Tiên Lãng, Hải Phòng",
            "father_name": _name(rng, False),
            "mother_name": _name(rng, True),
            "register_number": f"{100 + i}/{start - (grade - GRADES[level][0])}",
        },
        "study_history": [
            {
                "school_year": f"{start - k}-{start - k + 1}",
                "class_name": f"{grade - k}A1",
                "school_name": school_name,
                "register_number": f"{100 + i}/{start - (grade - GRADES[level][0])}",
            }
            for k in range(grade - GRADES[level][0], -1, -1)
        ],
        "absences": {"term1": rng.choice([0, 0, 0, 1, 2, 3]), "term2": rng.choice([0, 0, 1, 2])},
        "staff": staff,
        "signers": {"homeroom_teacher": "gvcn", "principal": "ht"},
        "finalized_at": f"{start + 1}-05-31T10:00:00+07:00",
    }
    if i % 5 == 4:
        record["signers"]["principal_acting"] = "pht"
    if i % 3 == 0:
        record["student"]["photo"] = _photo(rng, transparent=i % 6 == 3)
    ability = rng.uniform(5.2, 9.6)
    if level == "tieu_hoc":
        _primary_results(record, grade, i, rng, ability)
    else:
        _secondary_results(record, level, grade, i, rng, ability, teacher_of)
    comment = " ".join(rng.sample(COMMENTS, 3))
    if i == 1:  # one long comment to exercise page flow (the contract allows 2,000 characters)
        comment = (comment + " ") * 12
        comment = comment[:1990].rsplit(" ", 1)[0] + "."
    record["homeroom_comment"] = comment
    return record


def _secondary_results(
    record: dict[str, Any],
    level: str,
    grade: int,
    i: int,
    rng: random.Random,
    ability: float,
    teacher_of: dict[str, str],
) -> None:
    subjects: list[dict[str, Any]] = []
    for code, name, kind in SECONDARY_SUBJECTS[level]:
        row: dict[str, Any] = {"code": code, "name": name, "assessment": kind, "teacher_id": teacher_of[code]}
        if code == "gdtc" and i % 7 == 2:
            row["exempt"] = {"reason": "Học sinh khuyết tật vận động, miễn học theo quyết định của Hiệu trưởng"}
        elif kind == "score":
            t1, t2 = _score(rng, ability - 0.2), _score(rng, ability)
            row.update(term1=t1, term2=t2, year=year_average(t1, t2))
        else:
            marks = ["dat" if rng.random() > 0.03 else "chua_dat" for _ in range(2)]
            row.update(term1=marks[0], term2=marks[1], year=marks[1])
        subjects.append(row)
    record["subjects"] = subjects
    learning_year = derive_learning_from_dicts(subjects)
    conduct_year = "tot" if rng.random() < 0.8 else rng.choice(["kha", "dat"])
    record["conduct"] = {"term1": conduct_year, "term2": conduct_year, "year": conduct_year}
    record["learning"] = {"term1": learning_year, "term2": learning_year, "year": learning_year}
    nines = sum(1 for s in subjects if isinstance(s.get("year"), Decimal) and s["year"] >= 9)
    if learning_year == "tot" and conduct_year == "tot":
        record["award"] = "hoc_sinh_xuat_sac" if nines >= 6 else "hoc_sinh_gioi"
    promotable = learning_year != "chua_dat" and conduct_year != "chua_dat"
    last = grade == GRADES[level][1]
    record["promotion"] = ("hoan_thanh_chuong_trinh" if last else "len_lop") if promotable else "kiem_tra_lai"


def derive_learning_from_dicts(subjects: list[dict[str, Any]]) -> str:
    return derive_learning(Subject.model_validate(s) for s in subjects)


def _primary_results(record: dict[str, Any], grade: int, i: int, rng: random.Random, ability: float) -> None:
    subjects: list[dict[str, Any]] = []
    for code, name, tested in _primary_subjects(grade):
        row: dict[str, Any] = {"code": code, "name": name}
        if code == "gdtc" and i % 7 == 2:
            row["exempt"] = {"reason": "Học sinh khuyết tật vận động, miễn học theo quyết định của Hiệu trưởng"}
            subjects.append(row)
            continue
        row["level"] = "hoan_thanh_tot" if rng.random() < (ability - 4) / 6 else "hoan_thanh"
        if tested:
            row["test_score"] = int(min(10, max(4, round(rng.gauss(ability + 0.5, 1.0)))))
        row["comment"] = rng.choice(
            ["Nắm vững kiến thức, vận dụng tốt.", "Hoàn thành nội dung môn học.", "Tích cực, sáng tạo."]
        )
        subjects.append(row)
    record["subjects"] = subjects
    qual = "tot" if ability > 6.5 else "dat"
    record["qualities"] = {k: qual for k in QUALITY_KEYS}
    record["competences"] = {k: qual if rng.random() > 0.1 else "dat" for k in COMPETENCE_KEYS}
    top = all(s.get("level") in (None, "hoan_thanh_tot") for s in subjects)
    record["education_result"] = (
        "hoan_thanh_xuat_sac" if top and qual == "tot" else ("hoan_thanh_tot" if qual == "tot" else "hoan_thanh")
    )
    if record["education_result"] == "hoan_thanh_xuat_sac":
        record["award"] = "hoc_sinh_xuat_sac"
    elif rng.random() < 0.15:
        record["award"] = "hoc_sinh_tieu_bieu"
    record["promotion"] = "hoan_thanh_chuong_trinh" if grade == 5 else "len_lop"


def standard_subjects(level: str, grade: int | None = None) -> list[dict[str, str]]:
    """The usual subject rows of a level (GDPT 2018), for templates: code, name and, above primary, assessment."""
    if level == "tieu_hoc":
        return [{"code": c, "name": n} for c, n, _ in _primary_subjects(grade or 5)]
    return [{"code": c, "name": n, "assessment": a} for c, n, a in SECONDARY_SUBJECTS[level]]
