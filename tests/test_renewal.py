"""Renewing archive timestamps in the archive, on both databases and both stores: the yearly run finds the
sealed books whose archive timestamp's TSA certificate ends within the window (a dry run changes nothing),
renews them with the second TSA, keeps each renewed book beside the one before (still locked, its hash still
recognised), points the version to it, audits and anchors; run again, nothing is due."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pikepdf
import pikepdf.pdfa
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from api.cli import app
from archive import ArchiveService, FileStore, ObjectStore, Role, SqlCatalog, SqlDisposals, SqlHolds, open_database
from records import TimestampUnavailableError, signing_plan
from signer import SigningPolicy, SigningService, last_archive_stamp, verify
from templates import document_id
from workflows import book_facts, sign_and_archive
from workflows import renewal as renewal_workflow
from workflows.errors import WorkerLostError
from workflows.renewal import _renew_task, find_due, renew_due
from workflows.renewers import Renewers, renewers
from workflows.retention_report import as_csv, as_json, retention_report
from workflows.runtime import default_jobs

from .http_fixtures import embedded, open_site
from .signing_fixtures import School
from .storage_fixtures import MovableClock

FORTY_YEARS = timedelta(days=round(365.25 * 40))  # the first TSA's certificate ends in 2060, the second's in 2069


@pytest.fixture
def renewing(school: School) -> Iterator[SigningService]:
    with SigningService(SigningPolicy(trust_roots=school.policy.trust_roots, tsa_url=school.pki.tsa2_url)) as service:
        yield service


def _sealed(school: School, archive: ArchiveService) -> str:
    record = school.primary
    keys = {e.signer_id: school.key(e.signer_id) for e in signing_plan(record).entries}
    sign_and_archive(school.service, archive, book_facts(record), school.book(record), keys)
    return document_id(record)


def test_the_yearly_run_renews_what_is_due_and_keeps_the_book_before(
    school: School, engine: Engine, store: ObjectStore, renewing: SigningService
) -> None:
    archive = ArchiveService(store, SqlCatalog(engine), MovableClock())
    book = _sealed(school, archive)
    before = archive.version(book)
    now = datetime.now(UTC)

    assert renew_due(archive, renewing, timedelta(days=3650), now).due == []  # ten years: nothing ends by then
    dry = renew_due(archive, renewing, FORTY_YEARS, now, dry_run=True)
    assert [(d.version.document_id, d.reason, d.stamps) for d in dry.due] == [(book, "expiring", 1)]
    assert dry.renewed == [] and archive.version(book).sealed_sha256 == before.sealed_sha256

    anchors = len(archive.anchors())
    done = renew_due(archive, renewing, FORTY_YEARS, now, actor="lt1")
    assert len(archive.anchors()) == anchors + 1  # one anchor for the whole run, not one per book
    assert done.renewed == [f"{book} v1"] and done.failed == {}
    after = archive.version(book)
    assert after.sealed_sha256 != before.sealed_sha256 and after.sealed_key != before.sealed_key
    renewed, old = archive.sealed_bytes(after), store.get(before.sealed_key or "")
    assert renewed.startswith(old)  # nothing signed is rewritten
    assert store.stat(before.sealed_key or "").lock is not None  # the book before stays, locked
    assert store.stat(after.sealed_key or "").lock is not None
    assert archive.known_sealed(before.sealed_sha256 or "") == archive.known_sealed(after.sealed_sha256 or "")
    stamp = last_archive_stamp(renewed)
    assert stamp is not None and stamp.count == 2 and stamp.valid_until.year == 2069
    assert verify(renewed, list(school.policy.trust_roots), offline=True).verdict == "genuine"
    assert list(pikepdf.pdfa.validate_written(io.BytesIO(renewed), "3b").violations) == []  # still PDF/A-3b
    assert renewed[len(old) :].count(b"/Metadata") == 0  # the renewal leaves the XMP as the seal wrote it
    events = [e for e in archive._catalog.events() if e.action == "book.retimestamped"]
    assert len(events) == 1 and events[0].actor == "lt1"
    fixity = archive.fixity()
    assert fixity.intact and fixity.checked >= 2
    assert renew_due(archive, renewing, FORTY_YEARS, now).due == []  # resumable: what was renewed is not due


def test_what_the_archive_timestamp_proves_is_kept_so_finding_what_is_due_reads_no_book(
    school: School, engine: Engine, store: ObjectStore, renewing: SigningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = ArchiveService(store, SqlCatalog(engine), MovableClock())
    book = _sealed(school, archive)
    [(version, stamp)] = archive.kept_stamps()
    assert version.document_id == book and stamp is not None
    assert (stamp.count, stamp.digest) == (1, "sha256") and stamp.valid_until is not None
    assert stamp.valid_until.year == 2060  # the first TSA's certificate, read when the book was sealed
    now = datetime.now(UTC)

    def no_read(version: Any) -> bytes:
        raise AssertionError(f"{version.document_id} was read")

    with monkeypatch.context() as patch:
        patch.setattr(archive, "sealed_bytes", no_read)
        assert [d.version.document_id for d in renew_due(archive, renewing, FORTY_YEARS, now, dry_run=True).due] == [
            book
        ]
    renew_due(archive, renewing, FORTY_YEARS, now)
    [(_, renewed)] = archive.kept_stamps()
    assert renewed is not None and renewed.count == 2 and renewed.valid_until is not None
    assert renewed.valid_until.year == 2069  # the renewal's TSA

    # A version sealed before the facts were kept (null) is read once, and its facts kept.
    with engine.begin() as conn:
        conn.execute(text("UPDATE document_versions SET stamp_count = NULL, stamp_until = NULL, stamp_digest = NULL"))
    assert archive.kept_stamps()[0][1] is None
    assert renew_due(archive, renewing, FORTY_YEARS, now, dry_run=True).due == []
    assert archive.kept_stamps()[0][1] == renewed


def test_a_book_that_is_not_the_one_sealed_is_never_renewed(
    school: School, engine: Engine, store: ObjectStore, renewing: SigningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = ArchiveService(store, SqlCatalog(engine), MovableClock())
    book = _sealed(school, archive)
    before = archive.version(book)
    renewed = renewing.renew(archive.sealed_bytes(before))
    # Bytes a caller hands over that are not the sealed book are not taken: the stored book is read again.
    kept = archive.keep_renewal(before, renewed.pdf, previous=b"%PDF-1.7 another book")
    assert kept.sealed_sha256 == hashlib.sha256(renewed.pdf).hexdigest()
    assert archive.version(book).sealed_sha256 == kept.sealed_sha256

    # A stored book changed behind the archive's back is refused, and the version keeps the book it had.
    real_get = store.get

    def changed(key: str, version_id: str | None = None) -> bytes:
        return real_get(key, version_id) + b"\n% changed\n"

    monkeypatch.setattr(store, "get", changed)
    run = renew_due(archive, renewing, FORTY_YEARS + timedelta(days=3650), datetime.now(UTC))
    assert run.renewed == [] and run.failed == {f"{book} v1": "archive.object_corrupt"}
    assert archive.version(book).sealed_sha256 == kept.sealed_sha256


def test_a_task_of_several_books_fails_only_the_book_that_failed(
    school: School, engine: Engine, store: ObjectStore, renewing: SigningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = ArchiveService(store, SqlCatalog(engine), MovableClock())
    books = []
    for record in (school.primary, school.thcs):
        keys = {e.signer_id: school.key(e.signer_id) for e in signing_plan(record).entries}
        sign_and_archive(school.service, archive, book_facts(record), school.book(record), keys)
        books.append(document_id(record))
    now = datetime.now(UTC)
    due = find_due(archive, FORTY_YEARS, now).due
    assert sorted(d.version.document_id for d in due) == sorted(books)
    good, bad = (d for d in sorted(due, key=lambda d: d.version.document_id != books[0]))

    # The renewal of the two fails (the TSA refuses one of them): each is tried alone.
    refused = archive.sealed_bytes(bad.version)

    def renew(pdfs: list[bytes]) -> list[Any]:
        if refused in pdfs:
            raise TimestampUnavailableError("close", exc="refused")
        return renewing.renew_many(pdfs)

    failed = _renew_task(archive, renew, "lt1", [good, bad])
    assert failed == {f"{bad.version.document_id} v1": "hocba.timestamp_unavailable"}
    assert archive.version(good.version.document_id).sealed_sha256 != good.version.sealed_sha256
    assert archive.version(bad.version.document_id).sealed_sha256 == bad.version.sealed_sha256

    # A stored book that is not the one sealed fails alone, after the two were renewed together.
    good, bad = (replace(d, version=archive.version(d.version.document_id)) for d in (bad, good))
    real_get = store.get

    def changed(key: str, version_id: str | None = None) -> bytes:
        data = real_get(key, version_id)
        return data + b"\n% changed\n" if key == bad.version.sealed_key else data

    monkeypatch.setattr(store, "get", changed)
    failed = _renew_task(archive, renewing.renew_many, "lt1", [good, bad])
    assert failed == {f"{bad.version.document_id} v1": "archive.object_corrupt"}
    assert archive.version(good.version.document_id).sealed_sha256 != good.version.sealed_sha256


def test_renewals_spread_over_worker_processes(
    school: School, renewing: SigningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = school.primary
    pdf = school.book(record)
    for entry in signing_plan(record).entries:
        pdf = school.service.sign(pdf, entry.field, school.key(entry.signer_id))

    def not_here(books: list[bytes]) -> list[Any]:
        raise AssertionError("with workers, this process only reads and keeps the books")

    monkeypatch.setattr(renewing, "renew_many", not_here)
    with renewers(renewing, jobs=2) as workers, ThreadPoolExecutor(2) as threads:
        assert workers.in_flight >= 2 and workers.per_task == 4  # a worker renews several books at once
        futures = [threads.submit(workers.renew, [pdf, pdf]) for _ in range(2)]
        results = [renewed for f in futures for renewed in f.result(timeout=120)]
    assert len(results) == 4
    for renewed in results:
        assert renewed.pdf.startswith(pdf) and renewed.stamp == last_archive_stamp(renewed.pdf)
        assert renewed.stamp.count == 2 and renewed.stamp.valid_until.year == 2069
        assert verify(renewed.pdf, list(school.policy.trust_roots), offline=True).verdict == "genuine"


def test_a_worker_that_dies_is_a_coded_failure_and_a_run_again_goes_on(
    school: School, engine: Engine, store: ObjectStore, renewing: SigningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = ArchiveService(store, SqlCatalog(engine), MovableClock())
    _sealed(school, archive)
    sealed = archive.sealed_bytes(find_due(archive, FORTY_YEARS, datetime.now(UTC)).due[0].version)
    others = set(multiprocessing.active_children())
    with renewers(renewing, jobs=2) as workers:
        assert len(workers.renew([sealed])) == 1  # the workers are up
        ours = set(multiprocessing.active_children()) - others
        assert ours  # (started as the work asks for them)
        for child in ours:
            os.kill(child.pid or 0, signal.SIGKILL)  # as the system's out-of-memory killer would
        for _ in range(2):  # this task, and every later one
            with pytest.raises(WorkerLostError) as lost:
                workers.renew([sealed])
            assert lost.value.code == "workflow.worker_lost" and lost.value.retryable

    @contextmanager
    def dying(signing: SigningService, jobs: int = 1, prepare: Any = None) -> Iterator[Renewers]:
        def lost(books: list[bytes]) -> list[Any]:
            raise WorkerLostError()

        yield Renewers(lost, 2, 4)

    monkeypatch.setattr(renewal_workflow, "renewers", dying)
    report = renew_due(archive, renewing, FORTY_YEARS, datetime.now(UTC), jobs=2)
    assert report.renewed == [] and set(report.failed.values()) == {"workflow.worker_lost"}
    monkeypatch.undo()
    again = renew_due(archive, renewing, FORTY_YEARS, datetime.now(UTC))
    assert again.failed == {} and again.renewed == list(report.failed)


def test_an_automatic_run_spreads_over_the_cores_only_when_it_is_large(
    school: School, engine: Engine, store: ObjectStore, renewing: SigningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = ArchiveService(store, SqlCatalog(engine), MovableClock())
    _sealed(school, archive)
    asked: list[int] = []

    def recorded(signing: SigningService, jobs: int = 1, prepare: Any = None) -> Any:
        asked.append(jobs)
        return renewers(signing, 1, prepare)

    monkeypatch.setattr(renewal_workflow, "renewers", recorded)
    now = datetime.now(UTC)
    assert renew_due(archive, renewing, FORTY_YEARS, now, jobs=0, dry_run=True).due != []
    assert asked == []  # a dry run starts nothing
    monkeypatch.setattr(renewal_workflow, "SPREAD_FROM", 1)
    later = FORTY_YEARS + timedelta(days=3650)
    assert len(renew_due(archive, renewing, FORTY_YEARS, now, jobs=0).renewed) == 1
    monkeypatch.setattr(renewal_workflow, "SPREAD_FROM", 2)
    assert len(renew_due(archive, renewing, later, now, jobs=0).renewed) == 1
    assert asked == [default_jobs(), 1]  # one book due: this process alone, unless told it is a large run


def test_the_report_says_what_is_due(school: School, engine: Engine, store: ObjectStore) -> None:
    archive = ArchiveService(store, SqlCatalog(engine), MovableClock())
    book = _sealed(school, archive)
    code = school.primary.school.code
    later = datetime(2056, 6, 1, tzinfo=UTC)  # the first TSA's certificate ends in 2060: due within five years
    found = retention_report(archive, SqlHolds(engine), SqlDisposals(engine), code, now=later)
    data = as_json(found)
    assert [(b["document_id"], b["reason"]) for b in data["renewal_due"]["books"]] == [(book, "expiring")]
    assert data["renewal_due"]["books"][0]["valid_until"].startswith("2060")
    revisions = 1 + len(signing_plan(school.primary).entries)  # the rendered book, then one per signature
    assert data["due_for_review"] == {"objects": revisions, "documents": 1, "held": 0}  # sealed long before
    rows = list(csv.reader(io.StringIO(as_csv(found))))
    assert [r[0] for r in rows[1:]] == ["renewal_due", "review_due"] and rows[1][2] == book
    assert retention_report(archive, SqlHolds(engine), SqlDisposals(engine), code).renewal_due.due == []  # today
    year = school.primary.school_year
    of_year = as_json(retention_report(archive, SqlHolds(engine), SqlDisposals(engine), code, year, later))
    assert of_year["renewal_due"] == data["renewal_due"] and of_year["due_for_review"] == data["due_for_review"]
    other = as_json(retention_report(archive, SqlHolds(engine), SqlDisposals(engine), code, "1999-2000", later))
    assert other["renewal_due"]["books"] == [] and other["due_for_review"]["objects"] == 0  # --year narrows all


def test_retimestamp_from_the_console(school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database, storage = f"sqlite:///{tmp_path / 'hocba.db'}", f"file://{tmp_path / 'objects'}"
    archive = ArchiveService(FileStore(tmp_path / "objects"), SqlCatalog(open_database(database)), MovableClock())
    book = _sealed(school, archive)
    monkeypatch.setenv("HOCBA_TRUST", str(school.folder / "root.pem"))
    where = ["--database", database, "--storage", storage, "--tsa", school.pki.tsa2_url, "--json"]
    runner = CliRunner()
    dry = runner.invoke(app, ["retention", "retimestamp", "--within-years", "40", "--dry-run", *where])
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.stdout)
    assert planned["dry_run"] and [d["document_id"] for d in planned["due"]] == [book] and planned["renewed"] == []
    done = runner.invoke(app, ["retention", "retimestamp", "--within-years", "40", *where])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["renewed"] == [f"{book} v1"]


def test_the_archivist_runs_the_renewal_as_a_job(school: School, tmp_path: Path) -> None:
    settings = embedded(school, tmp_path, tsa_url=school.pki.tsa2_url)
    with open_site(school, settings, books=False) as site:
        archive = site.client.app.state.services.archive()  # type: ignore[attr-defined]
        book = _sealed(school, archive)
        archivist = site.as_role(Role.ARCHIVIST)

        def run(body: dict[str, object]) -> dict[str, Any]:
            started = site.client.post("/v1/retention/renewals", json=body, headers=archivist)
            assert started.status_code == 202, started.text
            deadline = time.monotonic() + 120
            while (job := site.client.get(started.headers["location"], headers=archivist).json())["status"] in (
                "queued",
                "running",
            ):
                assert time.monotonic() < deadline
                time.sleep(0.2)
            assert job["status"] == "succeeded", job
            result: dict[str, Any] = job["result"]
            return result

        desk = site.client.get("/luu-tru", headers=archivist)
        assert desk.status_code == 200 and "Đến hạn trong 5 năm: <strong>0</strong>" in desk.text  # ends in 2060
        listed = run({"within_years": 40, "dry_run": True})
        assert [d["document_id"] for d in listed["due"]] == [book] and listed["renewed"] == []
        assert run({"within_years": 40})["renewed"] == [f"{book} v1"]
        assert run({"within_years": 40})["due"] == []
        refused = site.client.post("/v1/retention/renewals", json={}, headers=site.as_role(Role.PRINCIPAL))
        assert refused.status_code == 403

        hold = {"scope": "book", "document_id": book, "reason": '=HYPERLINK("http://x")', "reference": "Đơn 7"}
        assert site.client.post("/v1/retention/holds", json=hold, headers=archivist).status_code == 201
        principal = site.as_role(Role.PRINCIPAL)
        report = site.client.get("/v1/retention/report", headers=principal).json()
        assert [r["document_id"] for r in report["renewals"]] == [book] and len(report["holds"]) == 1
        assert report["renewal_due"]["books"] == [] and report["due_for_review"]["objects"] == 0
        sheet = site.client.get("/v1/retention/report?format=csv", headers=principal)
        assert sheet.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(sheet.text)))
        assert [row[0] for row in rows] == ["kind", "hold", "renewal"]
        assert rows[1][7].startswith("'=HYPERLINK")  # a reason typed as a formula stays text in a spreadsheet
        other_year = site.client.get("/v1/retention/report?year=1999-2000", headers=principal).json()
        assert other_year["renewals"] == [] and len(other_year["holds"]) == 1  # a hold on a book names no year
