"""Corrections end to end on both databases: request, refusal, approval, witness, the corrected book and the
minutes signed and sealed, the old book superseded (still stored) and reported so by `hocba verify`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from archive import (
    ArchiveService,
    CorrectionStatus,
    FileStore,
    SqlCatalog,
    SqlCorrections,
    VersionStatus,
    open_database,
)
from records import CorrectionRefusedError, Record, apply_changes, plan_changes, year_average
from templates import read_plan
from workflows import book_facts, sign_and_archive
from workflows import corrections as correcting

from .signing_fixtures import School
from .storage_fixtures import MovableClock

runner = CliRunner()


def consistent_change(record: Record) -> list[tuple[str, object]]:
    """A score correction that keeps every rule of the format (term II and the year average together)."""
    for s in record.subjects:
        if isinstance(s.term1, Decimal) and isinstance(s.term2, Decimal) and s.term2 <= Decimal("9.5"):
            term2 = s.term2 + Decimal("0.3")
            change: list[tuple[str, object]] = [
                (f"subjects[{s.code}].term2", float(term2)),
                (f"subjects[{s.code}].year", float(year_average(s.term1, term2))),
            ]
            changes, problems = plan_changes(record, change)
            if not problems and apply_changes(record, changes).record is not None:
                return change
    raise AssertionError("no subject can take a consistent correction")


def test_a_correction_supersedes_the_sealed_book(school: School, database_url: str, tmp_path: Path) -> None:
    record = school.thcs
    engine = open_database(database_url)
    archive = ArchiveService(FileStore(tmp_path / "objects"), SqlCatalog(engine), MovableClock())
    corrections = SqlCorrections(engine)
    keys = {e.signer_id: school.key(e.signer_id) for e in read_plan(school.book(record)).entries}
    first = school.book(record)
    sealed_v1 = sign_and_archive(school.service, archive, book_facts(record), first, keys).pdf
    document_id = book_facts(record).document_id
    teacher = next(s.teacher_id for s in record.subjects if s.teacher_id)
    witness = record.signers.homeroom_teacher
    principal = record.signers.principal_acting or record.signers.principal
    now = archive._clock.now()

    # Bad requests are refused with coded problems and leave nothing behind.
    with pytest.raises(CorrectionRefusedError) as bad:
        correcting.request(corrections, document_id, [("student.personal_id", "1")], "x", teacher, teacher, now)
    assert {p.code for p in bad.value.problems} == {"correction.identity_field", "correction.same_person"}
    change = consistent_change(record)
    with pytest.raises(CorrectionRefusedError) as inconsistent:
        correcting.request(corrections, document_id, change[:1], "Nhập nhầm", teacher, witness, now)
    assert {p.code for p in inconsistent.value.problems} == {"subject.year_average"}
    assert corrections.list() == []

    # A refused request stays on record and goes no further.
    refused = correcting.request(corrections, document_id, change, "Nhập nhầm điểm", teacher, witness, now)
    with pytest.raises(CorrectionRefusedError) as not_principal:
        correcting.decide(corrections, refused.id, teacher, True, None, now)
    assert [p.code for p in not_principal.value.problems] == ["correction.not_principal"]
    correcting.decide(corrections, refused.id, principal, False, "Chưa có minh chứng", now)
    assert corrections.get(refused.id).status is CorrectionStatus.REFUSED

    request = correcting.request(corrections, document_id, change, "Nhập nhầm điểm học kỳ II", teacher, witness, now)
    correcting.decide(corrections, request.id, principal, True, None, now)
    with pytest.raises(CorrectionRefusedError):
        correcting.witness(archive, corrections, request.id, teacher, now)
    done = correcting.witness(archive, corrections, request.id, witness, now)
    assert done.correction.status is CorrectionStatus.WITNESSED
    assert read_plan(done.minutes.pdf).fields() == ["nguoi_de_nghi", "nguoi_chung_kien", "hieu_truong", "dau_truong"]

    # The minutes and the corrected book go through signing; sealing the book supersedes the old one.
    minutes_keys = {e.signer_id: school.key(e.signer_id) for e in read_plan(done.minutes.pdf).entries}
    sealed_minutes = sign_and_archive(school.service, archive, done.minutes_facts, done.minutes.pdf, minutes_keys)
    sealed_v2 = sign_and_archive(school.service, archive, done.book_facts, done.book.pdf, keys).pdf
    old, new = archive._catalog.version(document_id, 1), archive._catalog.version(document_id, 2)
    assert (old.status, new.status) == (VersionStatus.SUPERSEDED, VersionStatus.SEALED)
    assert archive._store.get(old.sealed_key or "") == sealed_v1, "the superseded book stays stored"
    assert corrections.get(request.id).status is CorrectionStatus.COMPLETED
    minutes_version = archive._catalog.version(done.minutes.document_id)
    assert minutes_version.status is VersionStatus.SEALED and sealed_minutes.archived
    lock = archive._store.stat(minutes_version.sealed_key or "").lock
    assert lock is not None and lock.until.year - now.year == 100

    actions = [e.action for e in archive._catalog.events()]
    for step in ("correction.requested", "correction.refused", "correction.approved", "correction.witnessed"):
        assert step in actions
    assert actions.index("book.superseded") > actions.index("correction.witnessed")
    assert archive.verify_audit().intact

    verify_reports_status(school, database_url, tmp_path, sealed_v1, sealed_v2)


def verify_reports_status(school: School, database_url: str, tmp_path: Path, v1: bytes, v2: bytes) -> None:
    """`hocba verify --database` says which book is current."""
    trust = ["--trust", str(school.folder / "root.pem"), "--offline", "--database", database_url]
    for pdf, name, status in ((v1, "v1.pdf", "superseded"), (v2, "v2.pdf", "sealed")):
        (tmp_path / name).write_bytes(pdf)
        result = runner.invoke(app, ["verify", str(tmp_path / name), "--json", *trust])
        report = json.loads(result.stdout)
        assert result.exit_code == 0 and report["archive"]["status"] == status
    assert report["archive"]["superseded_by"] is None
    shown = runner.invoke(app, ["verify", str(tmp_path / "v1.pdf"), *trust])
    assert "ĐÃ BỊ THAY THẾ" in shown.stdout and "phiên bản 2" in shown.stdout


def test_correction_commands(school: School, tmp_path: Path) -> None:
    """The command line: request, list, approve, witness (the archive on the embedded SQLite and files)."""
    record = school.primary
    database, storage = f"sqlite:///{tmp_path / 'h.db'}", f"file://{tmp_path / 'o'}"
    engine = open_database(database)
    archive = ArchiveService(FileStore(tmp_path / "o"), SqlCatalog(engine))
    pdf = school.book(record)
    keys = {e.signer_id: school.key(e.signer_id) for e in read_plan(pdf).entries}
    sign_and_archive(school.service, archive, book_facts(record), pdf, keys)
    document_id = book_facts(record).document_id
    common = ["--database", database, "--storage", storage]
    asked = runner.invoke(
        app,
        [
            "correction",
            "request",
            "--document",
            document_id,
            "--set",
            "homeroom_comment=Em chăm ngoan, tiến bộ.",
            "--reason",
            "Sửa lời nhận xét",
            "--by",
            record.signers.homeroom_teacher,
            "--witness",
            record.signers.principal,
            *common,
        ],
    )
    assert asked.exit_code == 0, asked.stdout
    listed = json.loads(runner.invoke(app, ["correction", "list", "--json", *common]).stdout)
    (item,) = listed
    assert item["status"] == "requested" and item["changes"][0]["after"] == "Em chăm ngoan, tiến bộ."
    wrong = runner.invoke(app, ["correction", "approve", item["id"], "--by", record.signers.homeroom_teacher, *common])
    assert wrong.exit_code == 2 and "correction.not_principal" in wrong.stderr
    assert (
        runner.invoke(app, ["correction", "approve", item["id"], "--by", record.signers.principal, *common]).exit_code
        == 0
    )
    witnessed = runner.invoke(
        app,
        [
            "correction",
            "witness",
            item["id"],
            "--by",
            record.signers.principal,
            "--out",
            str(tmp_path / "out"),
            *common,
        ],
    )
    assert witnessed.exit_code == 0, witnessed.stdout
    assert sorted(p.name[:3] for p in (tmp_path / "out").iterdir()) == ["BB-", "HB-"]
