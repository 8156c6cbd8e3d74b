"""Legal holds on both databases and both stores: a hold on a class, a student or a year covers exactly their
documents and puts the storage's legal hold on every object of them (a held working revision cannot be deleted);
a book sealed while held is kept under the hold from the start; a release takes two people, and lifts only what
no other hold still covers; every step is an audit event."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from api.cli import app
from archive import (
    ArchiveService,
    FileStore,
    HoldScope,
    HoldStateError,
    HoldStatus,
    HoldTarget,
    LockMode,
    ObjectLockedError,
    ObjectStore,
    Role,
    SqlCatalog,
    SqlHolds,
    UnknownHoldError,
    open_database,
)
from workflows import holds as holding

from .http_fixtures import embedded, open_site
from .signing_fixtures import School
from .storage_fixtures import MovableClock
from .test_archive_db import facts

SCHOOL = "79000701"
runner = CliRunner()


def _book(archive: ArchiveService, document_id: str, student: str, year: str, class_name: str) -> str:
    book = replace(facts(document_id, document_id), student_id=student, school_year=year, class_name=class_name)
    archive.register(book, f"%PDF {document_id}".encode())
    return document_id


def _held(archive: ArchiveService, holds: SqlHolds, document_id: str) -> list[bool]:
    return [archive._store.stat(key).legal_hold for key in holds.object_keys([document_id])]


def test_holds_cover_their_scope_and_take_two_people_to_release(engine: Engine, store: ObjectStore) -> None:
    archive = ArchiveService(store, SqlCatalog(engine), MovableClock())
    holds = SqlHolds(engine)
    now = datetime.now(UTC)
    a = _book(archive, "HB-TEST-000A", "S1", "2025-2026", "6A1")
    b = _book(archive, "HB-TEST-000B", "S2", "2025-2026", "6A1")
    c = _book(archive, "HB-TEST-000C", "S1", "2026-2027", "7A1")
    archive.record_revision(a, b"%PDF HB-TEST-000A", b"%PDF HB-TEST-000A +GV01", "gvbm_toan", "GV01")
    archive.seal(a, b"%PDF HB-TEST-000A +GV01")

    klass = HoldTarget(HoldScope.CLASS, SCHOOL, school_year="2025-2026", class_name="6A1")
    placed = holding.place(archive, holds, klass, "Thanh tra năm học", "QĐ 12/QĐ-SGDĐT", "lt1", now)
    assert (placed.documents, placed.objects) == (2, 4)  # A: two revisions and its sealed book; B: one revision
    assert all(_held(archive, holds, a)) and all(_held(archive, holds, b)) and not any(_held(archive, holds, c))
    (b_revision,) = holds.object_keys([b])
    lock = store.stat(b_revision).lock  # written under its policy's GOVERNANCE lock, five years from the write
    assert lock is not None and lock.mode is LockMode.GOVERNANCE and lock.until > now + timedelta(days=4 * 365)
    with pytest.raises(ObjectLockedError):
        store.delete(b_revision, bypass_governance=True)  # a working revision held: not even a disposal deletes it

    student = HoldTarget(HoldScope.STUDENT, SCHOOL, student_id="S1")
    assert holding.place(archive, holds, student, "Khiếu nại", "Đơn số 7", "lt1", now).documents == 2
    year = HoldTarget(HoldScope.YEAR, SCHOOL, school_year="2026-2027")
    holding.place(archive, holds, year, "Kiểm tra", "CV 3", "lt1", now)
    sealed_c = archive.seal(c, b"%PDF HB-TEST-000C")  # sealed while held: under the hold from the start
    assert sealed_c.sealed_key and archive._store.stat(sealed_c.sealed_key).legal_hold

    with pytest.raises(HoldStateError) as nothing_asked:
        holding.approve_release(archive, holds, placed.hold.id, "ht", now)
    assert nothing_asked.value.key.endswith(":approve")
    asked = holding.ask_release(holds, placed.hold.id, "lt1", "Thanh tra đã kết thúc", now)
    assert asked.status is HoldStatus.RELEASE_ASKED and asked.active
    with pytest.raises(HoldStateError) as alone:
        holding.approve_release(archive, holds, placed.hold.id, "lt1", now)
    assert alone.value.key.endswith(":same_person")
    released = holding.approve_release(archive, holds, placed.hold.id, "ht", now)
    assert released.hold.status is HoldStatus.RELEASED and released.hold.released_by == "ht"
    assert released.objects == 1  # B's revision only: A is still held for its student
    assert all(_held(archive, holds, a)) and not any(_held(archive, holds, b))
    with pytest.raises(ObjectLockedError):
        store.delete(b_revision)  # no hold now, but its GOVERNANCE lock refuses an ordinary deletion
    store.delete(b_revision, bypass_governance=True)  # what an approved disposal does

    assert {h.target.scope for h in holds.holds(SCHOOL, active_only=True)} == {HoldScope.STUDENT, HoldScope.YEAR}
    actions = [e.action for e in archive._catalog.events() if e.action.startswith("retention.hold")]
    assert actions == [
        "retention.hold_placed",
        "retention.hold_placed",
        "retention.hold_placed",
        "retention.hold_release_asked",
        "retention.hold_released",
    ]
    with pytest.raises(HoldStateError) as empty:
        holding.place(archive, holds, HoldTarget(HoldScope.STUDENT, SCHOOL, student_id="S9"), "x", "y", "lt1", now)
    assert empty.value.key.endswith(":empty") and len(holds.holds(SCHOOL)) == 3  # nothing placed
    with pytest.raises(UnknownHoldError):
        holds.get("LH-NONE")


def test_reapply_puts_back_what_a_crash_left_off(engine: Engine, store: ObjectStore) -> None:
    archive = ArchiveService(store, SqlCatalog(engine), MovableClock())
    holds = SqlHolds(engine)
    a = _book(archive, "HB-TEST-000A", "S1", "2025-2026", "6A1")
    target = HoldTarget(HoldScope.BOOK, SCHOOL, document_id=a)
    holds.place(target, "Tranh chấp", "TA 1", "lt1", datetime.now(UTC))  # the database step only
    assert not any(_held(archive, holds, a))
    assert holding.reapply(archive, holds) == 1 and all(_held(archive, holds, a))
    assert holding.reapply(archive, holds) == 0


def test_holds_from_the_console(tmp_path: Path) -> None:
    database, storage = f"sqlite:///{tmp_path / 'hocba.db'}", f"file://{tmp_path / 'objects'}"
    engine = open_database(database)
    archive = ArchiveService(FileStore(tmp_path / "objects"), SqlCatalog(engine), MovableClock())
    a = _book(archive, "HB-TEST-000A", "S1", "2025-2026", "6A1")
    place = ["retention", "hold", "--school", SCHOOL, "--year", "2025-2026", "--class", "6A1"]
    place += ["--reason", "Thanh tra", "--reference", "QĐ 12", "--by", "lt1", "--database", database]
    place += ["--storage", storage, "--json"]
    dry = runner.invoke(app, [*place, "--dry-run"])
    assert dry.exit_code == 0 and json.loads(dry.stdout)["documents"] == [a]
    assert SqlHolds(engine).holds() == []  # a dry run changes nothing
    placed = runner.invoke(app, place)
    assert placed.exit_code == 0, placed.output
    hold = json.loads(placed.stdout)
    assert (hold["scope"], hold["documents"], hold["objects"], hold["status"]) == ("class", 1, 1, "active")
    where = ["--database", database, "--storage", storage, "--json"]
    release = ["retention", "release", hold["id"]]
    too_soon = runner.invoke(app, [*release, "--by", "ht", "--approve", "--dry-run", *where])
    assert too_soon.exit_code == 2 and "archive.hold_state" in too_soon.output  # nothing asked yet
    would_ask = runner.invoke(app, [*release, "--by", "lt1", "--reason", "Xong", "--dry-run", *where])
    assert would_ask.exit_code == 0 and json.loads(would_ask.stdout)["status"] == "active"  # still
    asked = runner.invoke(app, [*release, "--by", "lt1", "--reason", "Xong", *where])
    assert json.loads(asked.stdout)["status"] == "release_asked"
    alone = runner.invoke(app, [*release, "--by", "lt1", "--approve", "--dry-run", *where])
    assert alone.exit_code == 2 and "archive.hold_state" in alone.output  # a second person must approve
    alone = runner.invoke(app, [*release, "--by", "lt1", "--approve", *where])
    assert alone.exit_code == 2 and "archive.hold_state" in alone.output
    would = json.loads(runner.invoke(app, [*release, "--by", "ht", "--approve", "--dry-run", *where]).stdout)
    assert (would["dry_run"], would["status"], would["documents"], would["objects_released"]) == (
        True,
        "release_asked",
        1,
        1,
    )
    assert all(_held(archive, SqlHolds(engine), a))  # the dry run lifted nothing
    done = runner.invoke(app, [*release, "--by", "ht", "--approve", *where])
    assert done.exit_code == 0 and json.loads(done.stdout)["objects_released"] == 1
    listed = json.loads(runner.invoke(app, ["retention", "holds", "--school", SCHOOL, *where]).stdout)
    assert [h["status"] for h in listed["holds"]] == ["released"]
    bad = runner.invoke(app, ["retention", "hold", "--school", SCHOOL, "--reason", "x", "--reference", "y"])
    assert bad.exit_code == 2  # no scope named


def test_holds_over_http(school: School, tmp_path: Path) -> None:
    with open_site(school, embedded(school, tmp_path)) as site:
        archivist, principal = site.as_role(Role.ARCHIVIST), site.as_role(Role.PRINCIPAL)
        year = school.thcs.school_year
        body = {"scope": "class", "school_year": year, "class_name": school.thcs.class_name}
        body |= {"reason": "Thanh tra", "reference": "QĐ 12"}
        dry = site.client.post("/v1/retention/holds?dry_run=true", json=body, headers=archivist)
        assert dry.status_code == 200 and dry.json()["documents"] == [site.thcs_id] and dry.json()["hold"] is None
        placed = site.client.post("/v1/retention/holds", json=body, headers=archivist)
        assert placed.status_code == 201 and placed.json()["objects"] == 1, placed.text
        hold_id = placed.json()["hold"]["id"]
        assert site.client.post("/v1/retention/holds", json=body, headers=principal).status_code == 403
        url = f"/v1/retention/holds/{hold_id}"
        would_ask = site.client.post(f"{url}/release?dry_run=true", json={"reason": "Xong"}, headers=archivist)
        assert would_ask.status_code == 200 and would_ask.json()["status"] == "active"
        asked = site.client.post(f"{url}/release", json={"reason": "Xong"}, headers=archivist)
        assert asked.json()["status"] == "release_asked"
        alone = site.client.post(f"{url}/approve?dry_run=true", headers=archivist)
        assert alone.status_code == 409 and alone.json()["code"] == "archive.hold_state"
        alone = site.client.post(f"{url}/approve", headers=archivist)
        assert alone.status_code == 409 and alone.json()["code"] == "archive.hold_state"
        would = site.client.post(f"{url}/approve?dry_run=true", headers=principal).json()
        assert (would["hold"]["status"], would["documents"], would["objects"]) == ("release_asked", 1, 1)
        done = site.client.post(f"{url}/approve", headers=principal)
        assert done.status_code == 200 and done.json()["hold"]["released_by"] == "hieu.truong"
        listed = site.client.get("/v1/retention/holds", headers=principal).json()
        assert [h["status"] for h in listed] == ["released"]
        empty = site.client.post("/v1/retention/holds", json={**body, "class_name": "9Z9"}, headers=archivist)
        assert empty.status_code == 409 and empty.json()["code"] == "archive.hold_state"
        elsewhere = SqlHolds(site.client.app.state.services.engine).place(  # type: ignore[attr-defined]
            HoldTarget(HoldScope.YEAR, "99999999", school_year=year), "r", "x", "so", datetime.now(UTC)
        )
        other = site.client.post(f"/v1/retention/holds/{elsewhere.id}/release", json={"reason": "r"}, headers=archivist)
        assert other.status_code == 404  # another school's hold: as if it did not exist
