"""The metadata catalog on both databases: schema, lifecycle, crash recovery, concurrent writers, fixity."""

from __future__ import annotations

import contextvars
import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from archive import (
    ArchiveService,
    BookFacts,
    DatabaseConfigError,
    DatabaseUnavailableError,
    DocumentKind,
    DocumentStateError,
    FileStore,
    LockMode,
    ObjectStore,
    S3Store,
    SqlCatalog,
    StaffFacts,
    StorageUnavailableError,
    VersionStatus,
    open_database,
    open_store,
    revision_key,
    schema_metadata,
    sha256_hex,
)
from records import StaleRevisionError

from .storage_fixtures import MovableClock, S3Server, new_bucket, start_s3

Factory = Callable[..., ArchiveService]


def facts(document_id: str = "HB-TEST-0001", content: str = "a") -> BookFacts:
    return BookFacts(
        document_id=document_id,
        kind=DocumentKind.HOC_BA,
        school_code="79000701",
        school_name="Trường THCS Nguyễn Du",
        school_year="2025-2026",
        student_id="079212000123",
        student_name="Nguyễn Thị Ánh",
        content_hash=sha256_hex(content.encode()),
        record_json='{"format":"hocba-record/1"}',
        staff=(StaffFacts("GV01", "Trần Văn Bình", "teacher"), StaffFacts("HT01", "Lê Thị Hoa", "principal")),
    )


@pytest.fixture
def service(engine: Engine, tmp_path: Path) -> Factory:
    """Services on one database and one filesystem store (a new one per call: a process after a restart)."""

    def make(store: ObjectStore | None = None) -> ArchiveService:
        return ArchiveService(store or FileStore(tmp_path / "objects"), SqlCatalog(engine), MovableClock())

    return make


def test_migrations_create_exactly_the_declared_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema_metadata)
    assert diff == []
    tables = set(inspect(engine).get_table_names())
    assert {"schools", "staff", "students", "record_versions", "documents", "document_versions", "revisions"} <= tables
    assert {"signing_session_states", "audit_events", "audit_anchors", "retention_assignments"} <= tables
    assert "signing_sessions" not in tables  # planned, never written: dropped by 0005


def test_opening_twice_migrates_once(database_url: str) -> None:
    open_database(database_url)
    again = open_database(database_url)
    with again.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0014"


def test_bad_database_urls_are_coded_and_never_echo_the_password() -> None:
    with pytest.raises(DatabaseConfigError) as bad:
        open_database("mysql://root:hunter2@db/hocba")
    assert bad.value.code == "archive.database_config" and "hunter2" not in str(bad.value)
    with pytest.raises(DatabaseUnavailableError) as down:
        open_database("postgresql+psycopg://u:hunter2@127.0.0.1:1/none?connect_timeout=2")
    assert "hunter2" not in str(down.value) and down.value.retryable


def test_lifecycle_keeps_every_revision_and_seals_under_retention(service: Factory, store: ObjectStore) -> None:
    archive = service(store)
    pdfs = [b"%PDF rendered", b"%PDF rendered +GV01", b"%PDF rendered +GV01 +HT01"]
    first = archive.register(facts(), pdfs[0])
    assert (first.version, first.status, first.revision_count) == (1, VersionStatus.SIGNING, 1)
    archive.record_revision(first.document_id, pdfs[0], pdfs[1], "gvbm_toan", "GV01")
    archive.record_revision(first.document_id, pdfs[1], pdfs[2], "hieu_truong", "HT01")
    revisions = archive._catalog.revisions(first.document_id, 1)
    assert [r.seq for r in revisions] == [1, 2, 3]
    assert [r.signer_id for r in revisions] == [None, "GV01", "HT01"]
    assert all(archive._store.get(r.object_key) == pdf for r, pdf in zip(revisions, pdfs, strict=True))

    sealed = archive.seal(first.document_id, pdfs[2])
    assert sealed.status is VersionStatus.SEALED and sealed.sealed_key
    stored = archive._store.stat(sealed.sealed_key)
    assert stored.lock is not None and stored.lock.mode is LockMode.COMPLIANCE
    assert stored.lock.until.year - archive._clock.now().year == 100  # học bạ: permanent, a 100-year horizon
    actions = [e.action for e in archive._catalog.events()]
    assert actions == ["document.registered", "revision.stored", "revision.stored", "book.sealed"]
    assert archive._catalog.anchors(), "every seal anchors the audit chain"
    with pytest.raises(DocumentStateError):
        archive.record_revision(first.document_id, pdfs[2], b"%PDF after seal", "x", "GV01")


def test_a_sitting_anchors_once_and_its_anchor_covers_every_seal_even_after_a_failure(service: Factory) -> None:
    archive = service()
    books = {f"HB-TEST-{n:04d}": f"%PDF book {n}".encode() for n in range(3)}
    for n, (document_id, pdf) in enumerate(books.items()):
        archive.register(facts(document_id, str(n)), pdf)
    with pytest.raises(DocumentStateError), archive.one_anchor():
        for document_id, pdf in books.items():
            archive.seal(document_id, pdf)
            assert archive._catalog.anchors() == [], "no anchor while the sitting goes on"
        archive.seal("HB-TEST-0000", books["HB-TEST-0000"])  # sealed already: stops the sitting
    (anchor, key, _token), *more = archive._catalog.anchors()
    sealed_events = [e.seq for e in archive._catalog.events() if e.action == "book.sealed"]
    assert not more and len(sealed_events) == 3 and anchor.head_seq >= max(sealed_events)
    assert archive._store.exists(key) and archive.verify_audit().intact


def test_concurrent_requests_keep_their_own_sittings(service: Factory) -> None:
    """One service, two requests at once: a seal outside the open sitting is anchored at once, and the sitting's
    seals (made by its worker threads, which run in copies of its context) share one anchor at its end."""
    archive = service()
    books = {f"HB-TEST-{n:04d}": f"%PDF book {n}".encode() for n in range(4)}
    for n, (document_id, pdf) in enumerate(books.items()):
        archive.register(facts(document_id, str(n)), pdf)
    inside, outside = threading.Event(), threading.Event()

    def principal() -> None:
        with archive.one_anchor(), ThreadPoolExecutor(2) as pool:
            seals = [
                pool.submit(contextvars.copy_context().run, archive.seal, document_id, books[document_id])
                for document_id in ("HB-TEST-0000", "HB-TEST-0001", "HB-TEST-0002")
            ]
            assert all(f.result() for f in seals)
            inside.set()
            assert outside.wait(30)

    sitting = threading.Thread(target=principal)
    sitting.start()
    assert inside.wait(30)
    assert archive._catalog.anchors() == [], "the sitting's seals wait for its end"
    archive.seal("HB-TEST-0003", books["HB-TEST-0003"])  # another request, outside any sitting
    assert len(archive._catalog.anchors()) == 1, "a seal outside the sitting is anchored at once"
    outside.set()
    sitting.join(30)
    # The head anchored for the outside seal already covered the sitting's seals: its end adds nothing new.
    (anchor, _, _), *more = archive._catalog.anchors()
    sealed = [e.seq for e in archive._catalog.events() if e.action == "book.sealed"]
    assert not more and len(sealed) == 4 and anchor.head_seq >= max(sealed) and archive.verify_audit().intact


def test_a_sitting_that_seals_nothing_writes_no_anchor(service: Factory) -> None:
    archive = service()
    first = archive.register(facts(), b"%PDF rendered")
    with archive.one_anchor():  # a teacher's sitting: revisions recorded, nothing sealed
        archive.record_revision(first.document_id, b"%PDF rendered", b"%PDF rendered +GV01", "gvbm_toan", "GV01")
    assert archive._catalog.anchors() == []


def test_renewal_moves_near_locks_later_once_and_audits_it(service: Factory, store: ObjectStore) -> None:
    archive = service(store)
    archive.register(facts(), b"%PDF book")
    sealed = archive.seal("HB-TEST-0001", b"%PDF book")
    key = sealed.sealed_key or ""
    archive.register(facts("HB-TEST-0002", "b"), b"%PDF never sealed")  # its revision is the only copy
    (unsealed,) = [r.object_key for r in archive._catalog.revisions("HB-TEST-0002", 1)]
    kept = {r.object_key for r in archive._catalog.revisions("HB-TEST-0001", 1)}
    first = archive._store.stat(key).lock
    assert first is not None
    assert archive.renew(within_years=10) == (), "a fresh 100-year lock is not due"
    assert isinstance(archive._clock, MovableClock)
    archive._clock.offset = timedelta(days=365 * 95)  # 95 years on: five years left on the horizon
    renewed = archive.renew(within_years=10)
    assert key in renewed and any(k.startswith("anchors/audit/") for k in renewed), "books and anchors alike"
    later = archive._store.stat(key).lock
    assert later is not None and later.mode is LockMode.COMPLIANCE
    assert later.until.year == archive._clock.now().year + 100 and later.until > first.until
    assert unsealed in renewed and not kept & set(renewed)  # a sealed book's revisions are left to end
    governed = archive._store.stat(unsealed).lock
    assert governed is not None and governed.mode is LockMode.GOVERNANCE
    assert governed.until.year == archive._clock.now().year + 5
    assert archive.renew(within_years=10) == (), "renewed once, not again"
    events = [e for e in archive._catalog.events() if e.action == "retention.renewed"]
    assert {e.refs_dict["key"] for e in events} == set(renewed) - {unsealed}
    (extended,) = [e for e in archive._catalog.events() if e.action == "retention.revisions_kept"]
    assert extended.payload_dict["objects"] == 1
    assert archive.verify_audit().intact


def test_registering_again_is_idempotent_and_a_new_record_version_is_a_new_document_version(service: Factory) -> None:
    archive = service()
    one = archive.register(facts(), b"%PDF v1")
    assert archive.register(facts(), b"%PDF v1") == one
    archive.seal(one.document_id, b"%PDF v1")
    two = archive.register(facts(content="corrected"), b"%PDF v2")
    assert (two.version, two.status) == (2, VersionStatus.SIGNING)
    assert archive._catalog.version(one.document_id, 1).status is VersionStatus.SEALED


def test_staff_are_recorded_once_and_never_deleted(engine: Engine, service: Factory) -> None:
    archive = service()
    archive.register(facts("HB-A"), b"%PDF a")
    archive.register(facts("HB-B", "b"), b"%PDF b")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, status FROM staff ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("GV01", "active"), ("HT01", "active")]


def test_a_crash_between_object_and_row_is_never_shown_as_sealed_and_is_reconciled(
    service: Factory, store: ObjectStore
) -> None:
    archive = service(store)
    pdf = b"%PDF finished book"
    version = archive.register(facts(), pdf)
    # The process dies after writing the sealed object and before committing "sealed".
    sealing = archive._catalog.begin_seal(
        version.document_id, sha256_hex(pdf), lambda n: f"sealed/HB-TEST-0001/v{n}-x.pdf"
    )
    archive._store.put(sealing.sealed_key or "", pdf)
    # … and another one dies after storing a signed revision, before recording it.
    lost = b"%PDF finished book +signature nobody recorded"
    archive._store.put(revision_key(sha256_hex(lost)), lost)

    restarted = service(store)
    assert restarted._catalog.versions(VersionStatus.SEALED) == []
    assert [v.status for v in restarted._catalog.versions()] == [VersionStatus.SEALING]
    report = restarted.reconcile()
    assert report.finished == ("HB-TEST-0001 v1",) and report.undone == ()
    assert report.orphans == (revision_key(sha256_hex(lost)),)
    assert restarted._store.get(report.orphans[0]) == lost, "no signed revision is ever lost"
    assert restarted._catalog.version("HB-TEST-0001").status is VersionStatus.SEALED
    assert restarted.reconcile().finished == (), "safe to run twice"
    assert restarted.verify_audit().intact


def test_sealing_and_reconciliation_take_the_policy_of_the_kind_registered(service: Factory) -> None:
    """Minutes sealed directly, and minutes whose seal a crash interrupted, both get the minutes' policy (the
    caller does not say the kind again; reconciliation once sealed every interrupted document as a book)."""
    archive = service()
    direct = replace(facts("HB-MINUTES-1"), kind=DocumentKind.CORRECTION_MINUTES)
    archive.register(direct, b"%PDF minutes one")
    archive.seal("HB-MINUTES-1", b"%PDF minutes one")
    crashed = replace(facts("HB-MINUTES-2", "b"), kind=DocumentKind.CORRECTION_MINUTES)
    archive.register(crashed, b"%PDF minutes two")
    archive._catalog.begin_seal(
        "HB-MINUTES-2", sha256_hex(b"%PDF minutes two"), lambda n: f"sealed/HB-MINUTES-2/v{n}.pdf"
    )
    assert service().reconcile().finished == ("HB-MINUTES-2 v1",)
    policies = {
        key: policy
        for key, policy, _ in archive._catalog.retention_due(archive._clock.now() + timedelta(days=365 * 200))
    }
    sealed = {v.document_id: v.sealed_key for v in archive._catalog.versions(VersionStatus.SEALED)}
    assert policies[sealed["HB-MINUTES-1"] or ""] == policies[sealed["HB-MINUTES-2"] or ""] == "bien-ban-dieu-chinh"
    assert archive._catalog.kind("HB-MINUTES-2") is DocumentKind.CORRECTION_MINUTES


def test_a_crash_before_the_sealed_object_is_rewritten_from_the_last_revision(service: Factory) -> None:
    archive = service()
    pdf = b"%PDF finished book"
    version = archive.register(facts(), pdf)
    archive._catalog.begin_seal(version.document_id, sha256_hex(pdf), lambda n: f"sealed/HB-TEST-0001/v{n}-y.pdf")
    report = service().reconcile()
    assert report.finished == ("HB-TEST-0001 v1",)
    stored = archive._store.stat("sealed/HB-TEST-0001/v1-y.pdf")
    assert stored.sha256 == sha256_hex(pdf) and stored.lock is not None


def test_two_writers_on_one_document_never_lose_a_signature(engine: Engine, database_url: str, tmp_path: Path) -> None:
    base = b"%PDF base"
    first = ArchiveService(FileStore(tmp_path / "o"), SqlCatalog(engine))
    first.register(facts(), base)
    writers = [ArchiveService(FileStore(tmp_path / "o"), SqlCatalog(open_database(database_url))) for _ in range(2)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(writers))

    def sign(archive: ArchiveService, n: int) -> None:
        barrier.wait()
        try:
            archive.record_revision("HB-TEST-0001", base, base + f" +signer{n}".encode(), f"f{n}", f"GV0{n}")
            outcomes.append("ok")
        except StaleRevisionError as exc:
            assert exc.retryable
            outcomes.append("stale")

    threads = [threading.Thread(target=sign, args=(w, n)) for n, w in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "stale"]
    assert first._catalog.version("HB-TEST-0001").revision_count == 2
    for n in range(2):  # the loser's bytes are stored too: it signs again on the winner's revision
        assert first._store.exists(revision_key(sha256_hex(base + f" +signer{n}".encode())))
    assert first.verify_audit().intact


def test_s3_stopped_mid_run_is_a_clear_retryable_error_and_nothing_is_recorded_as_sealed(
    service: Factory, tmp_path: Path
) -> None:
    server: S3Server = start_s3(tmp_path / "s3")
    try:
        archive = service(open_store(server.url(new_bucket())))
        pdf = b"%PDF to seal"
        archive.register(facts(), pdf)
    finally:
        server.stop()
    with pytest.raises(StorageUnavailableError) as down:
        archive.seal("HB-TEST-0001", pdf)
    assert down.value.retryable and down.value.code == "archive.storage_unavailable"
    assert archive._catalog.version("HB-TEST-0001").status is VersionStatus.SIGNING
    assert [e.action for e in archive._catalog.events()][-1] == "book.seal_undone"


def test_fixity_finds_missing_and_corrupt_objects_and_records_the_run(service: Factory, tmp_path: Path) -> None:
    archive = service()
    for n in range(5):
        archive.register(facts(f"HB-{n}", str(n)), f"%PDF book {n}".encode())
    report = archive.fixity()
    assert (report.checked, report.intact) == (5, True)
    keys = [k for k, _, _ in archive._catalog.stored_objects()]
    (tmp_path / "objects" / "data" / keys[0]).unlink()
    corrupt = tmp_path / "objects" / "data" / keys[1]
    corrupt.write_bytes(b"bit rot")
    report = archive.fixity()
    assert report.missing == (keys[0],) and report.corrupt == (keys[1],) and not report.intact
    assert archive.fixity(sample=2, seed=1).checked == 2
    runs = [e for e in archive._catalog.events() if e.action == "fixity.run"]
    assert [r.payload_dict["checked"] for r in runs] == [5, 5, 2]
    assert runs[1].payload_dict["missing"] == [keys[0]]


def test_s3_versions_written_beside_the_archives_are_tampering(service: Factory, s3_server: S3Server) -> None:
    """With the archive's own credentials, a PUT of new bytes on a locked key and a plain DELETE succeed on S3 (a
    new latest version, a delete marker): reads still take the archive's version, and fixity and the audit check
    report the key as tampered."""
    store = open_store(s3_server.url(new_bucket()))
    archive = service(store)
    for n in range(2):
        archive.register(facts(f"HB-{n}", str(n)), f"%PDF book {n}".encode())
        archive.seal(f"HB-{n}", f"%PDF book {n}".encode())
    sealed = [v.sealed_key or "" for v in archive._catalog.versions()]
    assert archive.fixity().intact and all(archive._catalog.object_version(k) for k in sealed)
    assert isinstance(store, S3Store)
    raw = store.client
    raw.put_object(store.bucket, sealed[0], io.BytesIO(b"%PDF forged"), len(b"%PDF forged"))
    raw.remove_object(store.bucket, sealed[1])  # no version id: a delete marker
    (anchor_key, *_rest) = [key for _, key, _ in archive._catalog.anchors()]
    raw.put_object(store.bucket, anchor_key, io.BytesIO(b"{}"), 2)
    assert archive.latest("HB-0") == b"%PDF book 0", "the archive reads the version it wrote"
    report = archive.fixity()
    assert set(report.tampered) == set(sealed) and not report.corrupt and not report.intact
    audit = archive.verify_audit()
    assert any(anchor_key in problem for problem in audit.problems) and not audit.intact


def test_the_database_refuses_to_change_audit_history(engine: Engine, service: Factory) -> None:
    archive = service()
    archive.register(facts(), b"%PDF")
    archive.seal("HB-TEST-0001", b"%PDF")  # an anchor row too
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_anchors"))


def test_services_starting_together_in_threads_migrate_each_their_own_database(tmp_path: Path) -> None:
    """Alembic runs through module-level proxies: migrations at once in one process must not mix databases."""
    urls = [f"sqlite:///{tmp_path / f'db{i}.sqlite'}" for i in range(6)]
    with ThreadPoolExecutor(6) as threads:
        engines = list(threads.map(open_database, urls))
    try:
        for engine in engines:
            with engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), schema_metadata)
            assert diff == [], (engine.url, diff)
    finally:
        for engine in engines:
            engine.dispose()
