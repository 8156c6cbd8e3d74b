"""`hocba verify`: genuine books pass online and offline; tampering and late edits are caught."""

from __future__ import annotations

import io
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pikepdf
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from typer.testing import CliRunner

from api.cli import app
from devtools.pki import revoke

from .signing_fixtures import REVOKED_LATER, School, record_with

runner = CliRunner()


def verify(school: School, path: Path, *extra: str) -> Any:
    return runner.invoke(
        app, ["verify", str(path), "--trust", str(school.folder / "root.pem"), *extra], catch_exceptions=False
    )


def sealed_book(school: School, tmp_path: Path) -> Path:
    path = tmp_path / "sealed.pdf"
    path.write_bytes(school.sign_all(school.book(school.primary), school.primary))
    return path


def test_sealed_book_verifies_online_and_offline(school: School, tmp_path: Path) -> None:
    path = sealed_book(school, tmp_path)
    online = verify(school, path, "--json")
    assert online.exit_code == 0, online.output
    report = json.loads(online.stdout)
    assert report["ok"] and report["plan_complete"] and report["sealed"] and report["lta"]
    assert report["pdfa"] == "PDF/A-3B"
    fields = [s["field"] for s in report["signatures"]]
    assert fields == ["gvcn", "hieu_truong", "dau_truong", "luu_tru"]
    first = report["signatures"][0]
    assert first["signer"] == "Ngô Thanh Mai" and first["role"] == "Giáo viên chủ nhiệm"
    assert first["pades_level"] == "B-LTA" and first["revocation"] == "good" and first["timestamp_time"]
    offline = verify(school, path, "--offline")
    assert offline.exit_code == 0, offline.output
    assert "HỢP LỆ" in offline.stdout
    english = verify(school, path, "--offline", "--lang", "en")
    assert "GENUINE" in english.stdout


VR = "{http://uri.etsi.org/19102/v1.2.1#}"


def _indications(report: Path) -> list[str]:
    root = ET.parse(report).getroot()
    assert root.tag == f"{VR}ValidationReport"
    return [
        node.text or ""
        for node in root.iterfind(f"{VR}SignatureValidationReport/{VR}SignatureValidationStatus/{VR}MainIndication")
    ]


def test_etsi_report_for_a_sealed_book(school: School, tmp_path: Path) -> None:
    path = sealed_book(school, tmp_path)
    result = verify(school, path, "--offline", "--etsi-report", str(tmp_path / "report.xml"))
    assert result.exit_code == 0, result.output
    # one report per signature (the archive timestamp is the evidence of the LTA process, not a signature)
    assert _indications(tmp_path / "report.xml") == ["urn:etsi:019102:mainindication:total-passed"] * 3
    root = ET.parse(tmp_path / "report.xml").getroot()
    processes = {n.text for n in root.iter(f"{VR}SignatureValidationProcessID")}
    assert processes == {"urn:etsi:019102:validationprocess:LTA"}
    ids = [n.get("id") for n in root.iter(f"{VR}ValidationObject")]
    assert ids and len(ids) == len(set(ids))  # certificates and revocation data listed once


def test_etsi_report_of_a_tampered_book_does_not_pass(school: School, tmp_path: Path) -> None:
    path = sealed_book(school, tmp_path)
    data = bytearray(path.read_bytes())
    data[data.index(b"/Type /Page") + 200] ^= 0x01
    path.write_bytes(bytes(data))
    result = verify(school, path, "--offline", "--etsi-report", str(tmp_path / "report.xml"))
    assert result.exit_code == 1
    indications = _indications(tmp_path / "report.xml")
    assert len(indications) == 3 and "urn:etsi:019102:mainindication:total-passed" not in indications


def test_one_flipped_byte(school: School, tmp_path: Path) -> None:
    path = sealed_book(school, tmp_path)
    data = bytearray(path.read_bytes())
    spot = data.index(b"/Type /Page") + 200  # inside the first revision, covered by every signature
    data[spot] ^= 0x01
    path.write_bytes(bytes(data))
    result = verify(school, path, "--offline")
    assert result.exit_code == 1, result.output
    assert "KHÔNG HỢP LỆ" in result.stdout


def _append_update(path: Path, change: str) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(path.read_bytes()))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    if change == "content":
        stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (9.9) Tj ET")
        contents = page["/Contents"]
        page["/Contents"] = generic.ArrayObject(
            [*(contents if isinstance(contents, generic.ArrayObject) else [contents]), writer.add_object(stream)]
        )
    else:
        annot = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Square"),
                generic.pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (50, 50, 400, 700)]),
                generic.pdf_name("/F"): generic.NumberObject(4),
            }
        )
        page["/Annots"] = generic.ArrayObject([*page.get("/Annots", []), writer.add_object(annot)])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())


def test_page_content_changed_after_sealing(school: School, tmp_path: Path) -> None:
    path = sealed_book(school, tmp_path)
    _append_update(path, "content")
    result = verify(school, path, "--offline", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert any("modified" in p["message_en"] for s in report["signatures"] for p in s["problems"])


def test_annotation_overlay_after_sealing(school: School, tmp_path: Path) -> None:
    path = sealed_book(school, tmp_path)
    _append_update(path, "annotation")
    result = verify(school, path, "--offline", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert any(s["modification"] == "OTHER" for s in report["signatures"])


def test_signature_made_before_revocation_still_verifies(school: School, tmp_path: Path) -> None:
    record = record_with(school, REVOKED_LATER, "Mạc Thị Sau")
    path = tmp_path / "hb.pdf"
    path.write_bytes(school.service.sign(school.book(record), "gvcn", school.key(REVOKED_LATER)))
    time.sleep(1.1)  # revoked a clear second after the timestamp
    revoke(school.folder, REVOKED_LATER)
    result = verify(school, path, "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert report["signatures"][0]["trusted"] and report["signatures"][0]["revocation"] == "good"


def test_unreadable_file(school: School, tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(b"not a pdf at all")
    assert verify(school, path).exit_code == 2
    assert verify(school, tmp_path / "missing.pdf").exit_code == 2


def test_unsigned_book_is_not_genuine(school: School, tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    path.write_bytes(school.book(school.primary))
    result = verify(school, path, "--offline")
    assert result.exit_code == 1 and "chưa có chữ ký" in result.stdout
    with pikepdf.open(path) as doc:
        assert len(doc.pages) >= 2


def test_unsealed_book_offline_has_unknown_revocation(school: School, tmp_path: Path) -> None:
    """Without the seal's DSS there is nothing to judge revocation by offline: not trusted, not a crash."""
    path = tmp_path / "one.pdf"
    path.write_bytes(school.service.sign(school.book(school.primary), "gvcn", school.key("gvcn")))
    result = verify(school, path, "--offline", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["signatures"][0]["intact"] and report["signatures"][0]["revocation"] == "unknown"
    assert verify(school, path).exit_code == 0  # online, the OCSP responder answers


def test_json_is_one_document_when_the_archive_cannot_be_asked(school: School, tmp_path: Path) -> None:
    path = sealed_book(school, tmp_path)
    result = verify(school, path, "--offline", "--json", "--database", "postgresql+psycopg://x@127.0.0.1:1/none")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["error"]["code"] == "archive.database_unavailable" and report["error"]["message_vi"]
