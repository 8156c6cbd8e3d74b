"""The copy desk over the archive, on both databases: a parent asks, the clerk checks their identity document,
the copy is issued (numbered, signed by the designated signer, sealed, kept under its retention), revoked when
issued in error; who may not ask, books that cannot be copied, and the numbering under concurrent issues and
across a year boundary."""

from __future__ import annotations

import copy
import io
import json
import threading
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from typer.testing import CliRunner

from api.cli import app
from archive import (
    ArchiveService,
    CopyStateError,
    CopyStatus,
    DocumentKind,
    FileStore,
    SqlBookIndex,
    SqlCatalog,
    SqlCopies,
    SqlCorrections,
    UnknownDocumentError,
    VersionStatus,
    open_database,
)
from devtools.pki import DEV_PASSWORD
from records import (
    Asker,
    CopyForm,
    CopySigner,
    Record,
    Requester,
    apply_changes,
    content_hash,
    plan_changes,
    signing_plan,
)
from signer import verify
from templates import document_id
from workflows import CopyAskError, book_facts, sign_and_archive
from workflows import copies as desk
from workflows.public import PublicState, initials, public_status

from .conftest import to_record
from .signing_fixtures import School
from .test_corrections import consistent_change

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
PARENT = Asker(Requester.GUARDIAN, "Nguyễn Thị Mẹ", "mẹ")


@pytest.fixture
def counter(school: School, database_url: str, tmp_path: Path) -> tuple[ArchiveService, SqlCopies, SqlCorrections]:
    engine = open_database(database_url)
    archive = ArchiveService(FileStore(tmp_path / "objects"), SqlCatalog(engine))
    record = school.primary
    keys = {e.signer_id: school.key(e.signer_id) for e in signing_plan(record).entries}
    sign_and_archive(school.service, archive, book_facts(record), school.book(record), keys)
    return archive, SqlCopies(engine), SqlCorrections(engine)


def _signer(school: School) -> CopySigner:
    return CopySigner("pht", school.thcs.staff_by_id()["pht"].full_name, "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG")


def test_a_parent_asks_the_clerk_checks_and_issues_and_the_copy_verifies(
    school: School, counter: tuple[ArchiveService, SqlCopies, SqlCorrections]
) -> None:
    archive, register, books = counter
    code, book = school.primary.school.code, document_id(school.primary)
    asked = desk.ask(register, books, code, book, PARENT, CopyForm.SAO_Y, NOW, account="phu.huynh")
    assert asked.status is CopyStatus.REQUESTED
    with pytest.raises(CopyStateError):  # nobody's identity document has been seen yet
        desk.issue(archive, register, books, school.service, asked.id, _signer(school), {}, "THDT", "van.thu", NOW)
    register.check(asked.id, "CCCD 001190000001", NOW, "van.thu")
    keys = {"pht": school.key("pht"), f"school:{code}": school.key(f"school:{code}")}
    issued = desk.issue(
        archive, register, books, school.service, asked.id, _signer(school), keys, "THDT", "van.thu", NOW, "Hải Phòng"
    )
    entry = issued.entry
    assert (entry.status, entry.number, entry.number_year, entry.version) == (CopyStatus.ISSUED, 1, 2026, 1)
    assert entry.copy_id == issued.copy.document_id and entry.asker["identity_document"] == "CCCD 001190000001"
    kept = archive.version(issued.copy.document_id)
    assert kept.status is VersionStatus.SEALED and archive._catalog.kind(kept.document_id) is DocumentKind.COPY
    lock = archive._store.stat(kept.sealed_key or "").lock
    assert lock is not None and lock.until.year >= NOW.year + 99  # the copies' retention: kept like the book
    assert archive.sealed_bytes(kept) == issued.outcome.pdf
    assert verify(issued.outcome.pdf, list(school.policy.trust_roots), offline=True).ok
    revoked = register.revoke(asked.id, "Cấp nhầm người", NOW, "van.thu")
    assert revoked.status is CopyStatus.REVOKED and revoked.reason == "Cấp nhầm người"
    assert archive.version(issued.copy.document_id).status is VersionStatus.SEALED  # never deleted
    actions = [e.action for e in archive._catalog.events()]
    for step in ("copy.requested", "copy.checked", "copy.numbered", "copy.issued", "copy.revoked"):
        assert step in actions


def test_who_may_not_ask_and_what_cannot_be_copied(
    school: School, counter: tuple[ArchiveService, SqlCopies, SqlCorrections]
) -> None:
    _, register, books = counter
    code, book = school.primary.school.code, document_id(school.primary)
    with pytest.raises(CopyAskError) as stranger:
        desk.ask(register, books, code, book, Asker(Requester.RELATIVE, "Người Lạ", "hàng xóm"), CopyForm.SAO_Y, NOW)
    assert stranger.value.key == "copy.asker:relative"
    with pytest.raises(CopyAskError):
        desk.ask(register, books, code, book, PARENT, CopyForm.TRICH_SAO, NOW)  # which pages?
    missing = desk.ask(register, books, code, "HB-0000-0000-0000-0000", PARENT, CopyForm.SAO_Y, NOW)
    assert missing.status is CopyStatus.REFUSED and "HB-0000-0000-0000-0000" in (missing.reason or "")
    elsewhere = desk.ask(register, books, "99999999", book, PARENT, CopyForm.SAO_Y, NOW)
    assert elsewhere.status is CopyStatus.REFUSED  # another school's clerk cannot copy this book
    assert register.entries(document_id=book) == [elsewhere]


def test_numbers_have_no_gap_and_no_duplicate_and_restart_each_year(
    school: School, counter: tuple[ArchiveService, SqlCopies, SqlCorrections]
) -> None:
    _, register, books = counter
    code, book = school.primary.school.code, document_id(school.primary)
    asked = [desk.ask(register, books, code, book, PARENT, CopyForm.SAO_Y, NOW) for _ in range(10)]
    for entry in asked:
        register.check(entry.id, "CCCD 1", NOW, "van.thu")
    taken: list[int] = []
    failures: list[BaseException] = []

    def take(request_id: str) -> None:
        try:
            taken.append(register.number(request_id, 2026, NOW, "van.thu").number or 0)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=take, args=(entry.id,)) for entry in asked[:8]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures and sorted(taken) == list(range(1, 9))
    assert register.number(asked[0].id, 2026, NOW, "van.thu").number == register.get(asked[0].id).number  # kept
    assert register.number(asked[8].id, 2027, NOW, "van.thu").number == 1  # a new calendar year
    assert register.number(asked[9].id, 2026, NOW, "van.thu").number == 9


def test_the_counter_on_the_command_line(
    school: School,
    counter: tuple[ArchiveService, SqlCopies, SqlCorrections],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, register, _ = counter
    code, book = school.primary.school.code, document_id(school.primary)
    where = ["--database", database_url, "--storage", f"file://{tmp_path / 'objects'}"]
    monkeypatch.setenv("HOCBA_SEAL_KEY", f"file:{school.pki.p12_path(f'school:{code}')}")
    monkeypatch.setenv("HOCBA_SEAL_SECRET", DEV_PASSWORD.decode())
    monkeypatch.setenv("HOCBA_P12_PASSWORD", DEV_PASSWORD.decode())
    runner = CliRunner()
    who = ["--name", "Vũ Văn Bố", "--asker", "guardian", "--relationship", "bố", "--by", "van.thu"]
    asked = runner.invoke(app, ["copy", "request", "--document", book, "--school", code, *who, *where])
    assert asked.exit_code == 0, asked.output
    (entry,) = register.entries(document_id=book)
    early = runner.invoke(app, ["copy", "issue", entry.id, *_issue_options(school, tmp_path), *where])
    assert early.exit_code == 2 and "archive.copy_state" in early.output
    checked = runner.invoke(app, ["copy", "check", entry.id, "--identity-document", "CCCD 0123", *where])
    assert checked.exit_code == 0, checked.output
    issued = runner.invoke(app, ["copy", "issue", entry.id, *_issue_options(school, tmp_path), *where])
    assert issued.exit_code == 0, issued.output
    pdf = (tmp_path / "ban-sao.pdf").read_bytes()
    assert verify(pdf, list(school.policy.trust_roots), offline=True).ok
    with pikepdf.open(io.BytesIO(pdf)) as opened:  # kept open while its attachment is read
        content = json.loads(opened.attachments["ban-sao.json"].get_file().read_bytes())
    assert content["variant"] == "printable"
    listed = runner.invoke(app, ["copy", "list", "--json", "--school", code, *where])
    (row,) = json.loads(listed.output)
    assert (row["status"], row["number"], row["asker"]["identity_document"]) == ("issued", 1, "CCCD 0123")
    handed = runner.invoke(app, ["copy", "deliver", entry.id, "--how", "printed", *where])
    assert handed.exit_code == 0 and register.get(entry.id).delivery == "printed"
    refused = runner.invoke(app, ["copy", "refuse", entry.id, "--reason", "x", *where])
    assert refused.exit_code == 2 and "archive.copy_state" in refused.output


def _issue_options(school: School, tmp_path: Path) -> list[str]:
    signer = _signer(school)
    return [
        "--signer",
        signer.staff_id,
        "--signer-name",
        signer.full_name,
        "--signer-title",
        signer.title,
        "--p12",
        str(school.pki.p12_path(signer.staff_id)),
        "--tsa",
        school.pki.tsa_url,
        "--trust",
        str(school.folder / "root.pem"),
        "-o",
        str(tmp_path / "ban-sao.pdf"),
        "--printable",
    ]


def test_the_public_status_tells_validity_and_nothing_personal(
    school: School, counter: tuple[ArchiveService, SqlCopies, SqlCorrections], database_url: str
) -> None:
    archive, register, books = counter
    index = SqlBookIndex(open_database(database_url))
    record = school.primary
    code, book = record.school.code, document_id(record)
    shown = public_status(index, register, book, content_hash(record)[:16])
    assert (shown.kind, shown.state, shown.version, shown.hash_matches) == ("hoc_ba", PublicState.VALID, 1, True)
    assert shown.student_initials == initials(record.student.full_name) and "." in shown.student_initials
    assert shown.birth_year == record.student.date_of_birth.year
    assert record.student.full_name not in json.dumps(asdict(shown), ensure_ascii=False, default=str)
    assert public_status(index, register, book, "0" * 16).hash_matches is False
    with pytest.raises(UnknownDocumentError):
        public_status(index, register, "HB-0000-0000-0000-0000")

    asked = desk.ask(register, books, code, book, PARENT, CopyForm.SAO_Y, NOW)
    register.check(asked.id, "CCCD 1", NOW, "van.thu")
    keys = {"pht": school.key("pht"), f"school:{code}": school.key(f"school:{code}")}
    issued = desk.issue(archive, register, books, school.service, asked.id, _signer(school), keys, "THDT", "vt", NOW)
    copy = public_status(index, register, issued.copy.document_id, issued.copy.content_hash[:16])
    assert (copy.kind, copy.state, copy.hash_matches) == ("ban_sao", PublicState.VALID, True)
    assert copy.copy is not None and copy.copy.number == "01/SY-THDT" and copy.copy.original_id == book
    assert copy.birth_year == record.student.date_of_birth.year
    register.revoke(asked.id, "Cấp nhầm", NOW, "van.thu")
    revoked = public_status(index, register, issued.copy.document_id)
    assert revoked.state is PublicState.REVOKED and revoked.copy and revoked.copy.revoked_reason == "Cấp nhầm"


def test_an_extract_of_a_secondary_book_then_the_book_corrected(
    school: School, database_url: str, tmp_path: Path
) -> None:
    engine = open_database(database_url)
    archive = ArchiveService(FileStore(tmp_path / "objects"), SqlCatalog(engine))
    register, books, index = SqlCopies(engine), SqlCorrections(engine), SqlBookIndex(engine)
    record = school.thcs
    keys = {e.signer_id: school.key(e.signer_id) for e in signing_plan(record).entries}
    sign_and_archive(school.service, archive, book_facts(record), school.book(record), keys)
    code, book = record.school.code, document_id(record)
    asked = desk.ask(register, books, code, book, Asker(Requester.STUDENT, "Học Sinh"), CopyForm.TRICH_SAO, NOW, (1, 3))
    register.check(asked.id, "CCCD 2", NOW, "van.thu")
    copy_keys = {"pht": school.key("pht"), f"school:{code}": school.key(f"school:{code}")}
    issued = desk.issue(
        archive, register, books, school.service, asked.id, _signer(school), copy_keys, "THCS", "vt", NOW
    )
    assert issued.entry.form == "trich_sao" and issued.copy.pages == 4  # cover, pages 1 and 3, the copy block
    assert issued.copy_facts.number_text() == "01/TrS-THCS"
    assert verify(issued.outcome.pdf, list(school.policy.trust_roots), offline=True).ok

    changes, _ = plan_changes(record, consistent_change(record))
    corrected = apply_changes(record, changes).record
    assert corrected is not None
    sign_and_archive(school.service, archive, book_facts(corrected), school.book(corrected), keys)
    copy = public_status(index, register, issued.copy.document_id)
    assert copy.state is PublicState.VALID  # the copy stays what it was: a copy of version 1
    assert copy.copy is not None and (copy.copy.original_version, copy.copy.original_superseded_by) == (1, 2)
    assert public_status(index, register, book, content_hash(record)[:16]).state is PublicState.SUPERSEDED
    again = desk.ask(register, books, code, book, Asker(Requester.STUDENT, "Học Sinh"), CopyForm.SAO_Y, NOW)
    register.check(again.id, "CCCD 2", NOW, "van.thu")
    latest = desk.issue(
        archive, register, books, school.service, again.id, _signer(school), copy_keys, "THCS", "vt", NOW
    )
    assert (latest.entry.version, latest.copy_facts.reissue, latest.copy_facts.number) == (2, 2, 2)


def test_eight_copies_issued_at_once_take_eight_numbers(
    school: School, counter: tuple[ArchiveService, SqlCopies, SqlCorrections]
) -> None:
    """The counter under load: eight clerks issue at once (each a thread, as the service's requests are)."""
    archive, register, books = counter
    code, book = school.primary.school.code, document_id(school.primary)
    keys = {"pht": school.key("pht"), f"school:{code}": school.key(f"school:{code}")}
    asked = [desk.ask(register, books, code, book, PARENT, CopyForm.SAO_Y, NOW) for _ in range(8)]
    for entry in asked:
        register.check(entry.id, "CCCD 1", NOW, "van.thu")
    issued: list[desk.Issued] = []
    failures: list[BaseException] = []

    def issue(request_id: str) -> None:
        try:
            signer = _signer(school)
            issued.append(
                desk.issue(archive, register, books, school.service, request_id, signer, keys, "THDT", "vt", NOW)
            )
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=issue, args=(entry.id,)) for entry in asked]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures
    assert sorted(i.entry.number or 0 for i in issued) == list(range(1, 9))
    assert len({i.copy.document_id for i in issued}) == 8
    roots = list(school.policy.trust_roots)
    assert all(verify(i.outcome.pdf, roots, offline=True).ok for i in issued)


def _upper_secondary(school: School, raw_samples: dict[str, list[dict[str, Any]]]) -> Record:
    """A THPT book of the school, taught by the THCS book's staff (whom the test PKI knows)."""
    thcs = next(r for r in raw_samples["thcs"] if r["student"]["personal_id"] == school.thcs.student.personal_id)
    raw = copy.deepcopy(raw_samples["thpt"][0])
    raw["school"], raw["staff"], raw["signers"] = thcs["school"], thcs["staff"], thcs["signers"]
    teachers = [s["teacher_id"] for s in thcs["subjects"] if s.get("teacher_id")]
    for index, subject in enumerate(raw["subjects"]):
        if subject.get("teacher_id"):
            subject["teacher_id"] = teachers[index % len(teachers)]
    return to_record(raw)


def test_a_copy_of_an_upper_secondary_book(
    school: School, raw_samples: dict[str, list[dict[str, Any]]], database_url: str, tmp_path: Path
) -> None:
    engine = open_database(database_url)
    archive = ArchiveService(FileStore(tmp_path / "objects"), SqlCatalog(engine))
    register, books = SqlCopies(engine), SqlCorrections(engine)
    record = _upper_secondary(school, raw_samples)
    keys = {e.signer_id: school.key(e.signer_id) for e in signing_plan(record).entries}
    sign_and_archive(school.service, archive, book_facts(record), school.book(record), keys)
    code, book = record.school.code, document_id(record)
    asked = desk.ask(register, books, code, book, PARENT, CopyForm.SAO_Y, NOW)
    register.check(asked.id, "CCCD 3", NOW, "van.thu")
    copy_keys = {"pht": school.key("pht"), f"school:{code}": school.key(f"school:{code}")}
    issued = desk.issue(
        archive, register, books, school.service, asked.id, _signer(school), copy_keys, "THPT", "vt", NOW
    )
    roots = list(school.policy.trust_roots)
    assert issued.copy_facts.record.level == "thpt" and verify(issued.outcome.pdf, roots, offline=True).ok
    with pikepdf.open(io.BytesIO(issued.outcome.pdf)) as made:
        inside = made.attachments[f"ban-chinh-{book}.pdf"].get_file().read_bytes()
    assert verify(inside, roots, offline=True).ok
