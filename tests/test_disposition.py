"""Disposition on both databases and both stores: the yearly review lists the working revisions of books sealed
more than five years ago (not those a legal hold covers); the archivist proposes, the principal approves (not
the proposer; keeping needs a reason); carrying it out deletes them, keeps a PDF/A certificate of destruction
locked, audits it, and fixity no longer expects what was deleted."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from api.cli import app
from archive import (
    ArchiveService,
    DisposalStateError,
    DisposalStatus,
    FileStore,
    HoldScope,
    HoldTarget,
    ObjectMissingError,
    ObjectStore,
    Role,
    SqlCatalog,
    SqlDisposals,
    SqlHolds,
    open_database,
)
from devtools.pki import DEV_PASSWORD
from signer import verify
from workflows import disposition
from workflows import holds as holding

from .http_fixtures import embedded, open_site
from .signing_fixtures import School
from .storage_fixtures import MovableClock
from .test_archive_db import facts

runner = CliRunner()


def _sealed(archive: ArchiveService, document_id: str, student: str, school: School | None = None) -> None:
    book = replace(facts(document_id, document_id), student_id=student)
    if school is not None:  # the school whose seal signs the certificate
        book = replace(book, school_code=school.thcs.school.code, school_name=school.thcs.school.name)
    archive.register(book, f"%PDF {document_id}".encode())
    archive.record_revision(
        document_id, f"%PDF {document_id}".encode(), f"%PDF {document_id} +GV".encode(), "f", "GV01"
    )
    archive.seal(document_id, f"%PDF {document_id} +GV".encode())


def _seal(school: School) -> disposition.Sealer:
    code = school.thcs.school.code
    return disposition.school_sealer(school.service, school.key(f"school:{code}"))


def test_the_review_the_two_people_and_the_certificate(engine: Engine, store: ObjectStore, school: School) -> None:
    clock = MovableClock()
    archive = ArchiveService(store, SqlCatalog(engine), clock)
    disposals, holds = SqlDisposals(engine), SqlHolds(engine)
    code, name = school.thcs.school.code, school.thcs.school.name
    _sealed(archive, "HB-TEST-000A", "S1", school)
    _sealed(archive, "HB-TEST-000B", "S2", school)
    holding.place(
        archive,
        holds,
        HoldTarget(HoldScope.BOOK, code, document_id="HB-TEST-000B"),
        "Khiếu nại",
        "Đơn 7",
        "lt1",
        clock.now(),
    )
    assert disposition.review(disposals, holds, code, clock.now()).items == ()  # sealed today: kept
    with pytest.raises(DisposalStateError):
        disposition.propose(disposals, holds, code, "Hết hạn", "lt1", clock.now())

    clock.offset = timedelta(days=6 * 366)  # six years later
    now = clock.now()
    found = disposition.review(disposals, holds, code, now)
    assert {i.document_id for i in found.items} == {"HB-TEST-000A"} and len(found.items) == 2 and found.held == 2
    proposal = disposition.propose(disposals, holds, code, "Bản ký trung gian hết hạn", "lt1", now)
    assert proposal.status is DisposalStatus.PROPOSED and len(proposal.items) == 2
    assert disposition.review(disposals, holds, code, now).items == ()  # proposed: not listed again
    with pytest.raises(DisposalStateError) as alone:
        disposition.decide(disposals, proposal.id, "lt1", True, None, now)
    assert alone.value.key.endswith(":same_person")
    with pytest.raises(DisposalStateError) as silent:
        disposition.decide(disposals, proposal.id, "ht", False, None, now)
    assert silent.value.key.endswith(":keep_reason")
    with pytest.raises(DisposalStateError):
        disposition.carry_out(archive, disposals, holds, proposal.id, name, "lt1", now, _seal(school))  # not approved
    disposition.decide(disposals, proposal.id, "ht", True, None, now)

    done = disposition.carry_out(archive, disposals, holds, proposal.id, name, "lt1", now, _seal(school))
    assert done.status is DisposalStatus.DONE and all(i.deleted_at is not None for i in done.items)
    for item in done.items:
        with pytest.raises(ObjectMissingError):
            store.stat(item.object_key)
    assert done.certificate_key and store.stat(done.certificate_key).lock is not None
    certificate = store.get(done.certificate_key)
    with pikepdf.open(io.BytesIO(certificate)) as pdf:
        assert pdf.open_metadata().get("pdfaid:part") == "3"
        assert "danh-muc-huy.json" in pdf.attachments
    checked = verify(certificate, list(school.policy.trust_roots), offline=True)  # signed with the school's seal
    assert checked.verdict == "genuine" and checked.state == "sealed" and checked.lta, checked.problems
    assert [s.field for s in checked.signatures if not s.field.startswith("luu_tru")] == ["dau_truong"]
    assert archive.sealed_bytes(archive.version("HB-TEST-000A")).endswith(b"+GV")  # the sealed book stays
    fixity = archive.fixity()
    assert fixity.intact and not fixity.missing, fixity
    actions = [e.action for e in archive._catalog.events() if e.action.startswith("retention.disposal")]
    assert actions == ["retention.disposal_proposed", "retention.disposal_approved"]
    (disposed,) = [e for e in archive._catalog.events() if e.action == "retention.disposed"]
    assert disposed.payload_dict["certificate_sha256"] == done.certificate_sha256
    assert len(disposed.payload_dict["deleted"]) == 2
    assert disposition.review(disposals, holds, code, now).items == ()  # disposed of: never listed again


def test_a_held_object_is_never_disposed_of(engine: Engine, store: ObjectStore, school: School) -> None:
    clock = MovableClock()
    archive = ArchiveService(store, SqlCatalog(engine), clock)
    disposals, holds = SqlDisposals(engine), SqlHolds(engine)
    code = school.thcs.school.code
    _sealed(archive, "HB-TEST-000A", "S1", school)
    clock.offset = timedelta(days=6 * 366)
    now = clock.now()
    proposal = disposition.propose(disposals, holds, code, "Hết hạn", "lt1", now)
    disposition.decide(disposals, proposal.id, "ht", True, None, now)
    target = HoldTarget(HoldScope.STUDENT, code, student_id="S1")
    holding.place(archive, holds, target, "Thanh tra", "QĐ 1", "lt1", datetime.now(UTC))  # held after approval
    name = school.thcs.school.name
    done = disposition.carry_out(archive, disposals, holds, proposal.id, name, "lt1", now, _seal(school))
    assert all(i.deleted_at is None and i.note == "held" for i in done.items)
    assert all(store.stat(i.object_key).legal_hold for i in done.items)


def test_review_and_dispose_from_the_console(tmp_path: Path, school: School, monkeypatch: pytest.MonkeyPatch) -> None:
    database, storage = f"sqlite:///{tmp_path / 'hocba.db'}", f"file://{tmp_path / 'objects'}"
    clock = MovableClock()
    clock.offset = -timedelta(days=6 * 366)  # sealed six years ago
    archive = ArchiveService(FileStore(tmp_path / "objects"), SqlCatalog(open_database(database)), clock)
    _sealed(archive, "HB-TEST-000A", "S1", school)
    code = school.thcs.school.code
    monkeypatch.setenv("HOCBA_TRUST", str(school.folder / "root.pem"))
    monkeypatch.setenv("HOCBA_TSA_URL", school.pki.tsa_url)
    monkeypatch.setenv("HOCBA_SEAL_KEY", f"file:{school.pki.p12_path(f'school:{code}')}")
    monkeypatch.setenv("HOCBA_SEAL_SECRET", DEV_PASSWORD.decode())
    where = ["--database", database, "--storage", storage, "--json"]
    listed = runner.invoke(app, ["retention", "review", "--school", code, *where])
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)["items"]) == 2
    proposed = runner.invoke(
        app, ["retention", "review", "--school", code, "--propose", "--reason", "Hết hạn", "--by", "lt1", *where]
    )
    disposal = json.loads(proposed.stdout)["id"]
    none = runner.invoke(app, ["retention", "dispose", disposal, "--by", "ht", *where])
    assert none.exit_code == 2  # approve, keep or run: one of them
    approved = runner.invoke(app, ["retention", "dispose", disposal, "--by", "ht", "--approve", *where])
    assert json.loads(approved.stdout)["status"] == "approved"
    dry = runner.invoke(app, ["retention", "dispose", disposal, "--by", "lt1", "--run", "--dry-run", *where])
    assert json.loads(dry.stdout)["dry_run"] and all(i["deleted_at"] is None for i in json.loads(dry.stdout)["items"])
    monkeypatch.delenv("HOCBA_SEAL_KEY")
    unsealed = runner.invoke(app, ["retention", "dispose", disposal, "--by", "lt1", "--run", *where])
    assert unsealed.exit_code != 0 and "HOCBA_SEAL_KEY" in unsealed.output, unsealed.output
    assert all(i.deleted_at is None for i in SqlDisposals(open_database(database)).get(disposal).items)
    monkeypatch.setenv("HOCBA_SEAL_KEY", f"file:{school.pki.p12_path(f'school:{code}')}")
    done = runner.invoke(app, ["retention", "dispose", disposal, "--by", "lt1", "--run", *where])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["status"] == "done" and result["certificate_key"] == f"certificates/{disposal}.pdf"


def test_disposition_over_http(school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = MovableClock()
    monkeypatch.setenv("HOCBA_SEAL_SECRET", DEV_PASSWORD.decode())
    seal = f"file:{school.pki.p12_path(f'school:{school.thcs.school.code}')}"
    settings = embedded(school, tmp_path, tsa_url=school.pki.tsa_url, seal_key=seal)
    with open_site(school, settings, books=False) as site:
        services = site.client.app.state.services  # type: ignore[attr-defined]
        archive = ArchiveService(services.archive()._store, SqlCatalog(services.engine), clock)
        clock.offset = -timedelta(days=6 * 366)
        code = school.thcs.school.code
        first, signed = b"%PDF old", b"%PDF old +GV"
        archive.register(
            replace(facts("HB-TEST-OLD1", "old"), school_code=code, school_name=school.thcs.school.name), first
        )
        archive.record_revision("HB-TEST-OLD1", first, signed, "f", "GV01")
        archive.seal("HB-TEST-OLD1", signed)
        archivist, principal = site.as_role(Role.ARCHIVIST), site.as_role(Role.PRINCIPAL)
        assert len(site.client.get("/v1/retention/review", headers=principal).json()["items"]) == 2
        proposed = site.client.post("/v1/retention/disposals", json={"reason": "Hết hạn"}, headers=archivist)
        assert proposed.status_code == 201, proposed.text
        url = f"/v1/retention/disposals/{proposed.json()['id']}"
        assert site.client.post(f"{url}/decide", json={"approve": True}, headers=archivist).status_code == 403
        early = site.client.post(f"{url}/run", headers=archivist)
        assert early.status_code == 409 and early.json()["code"] == "archive.disposal_state"
        kept = site.client.post(f"{url}/decide", json={"approve": False}, headers=principal)
        assert kept.status_code == 409  # keeping needs a reason
        assert (
            site.client.post(f"{url}/decide", json={"approve": True}, headers=principal).json()["status"] == "approved"
        )
        done = site.client.post(f"{url}/run", headers=archivist)
        assert done.status_code == 200 and done.json()["status"] == "done", done.text
        report = site.client.get("/v1/retention/report", headers=principal).json()
        assert [(d["status"], d["deleted"]) for d in report["disposals"]] == [("done", 2)]
        assert site.client.get("/v1/retention/disposals/HUY-NONE/run", headers=archivist).status_code == 405
