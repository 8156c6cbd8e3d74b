"""Renewing archive timestamps (`hocba bench retention`): a school's primary books sealed into an archive
(SQLite and files; PKCS#12 keys; the development PKI's TSA, OCSP and CRL in another process), then the yearly
run: finding what is due (reading every sealed book's last archive timestamp) and renewing each with the second
TSA. Books per second for both. And the yearly disposition review over many working revisions."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from archive import ArchiveService, FileStore, SqlCatalog, SqlDisposals, SqlHolds, open_database, schema_metadata
from archive.model import sealed_key
from signer import Pkcs12KeySource, SigningPolicy, SigningService, install_speedups, load_roots
from templates import render
from workflows import book_facts, sign_and_archive
from workflows.disposition import review
from workflows.renewal import find_due, jobs_for, renew_due

from .. import pki
from .principal import _primary_records
from .sign import _served_apart

_MEMORY = Path("/dev/shm")
"""Where the archive lives during the figure, as for `hocba bench sign`: every object and row written is synced,
and the figure is meant to be the renewal, not the disk (a virtual disk here takes 5-90 ms a sync)."""
_WITHIN = timedelta(days=round(365.25 * 40))  # the first TSA's certificate ends in 2060, the second's in 2069


def retention_figures(books: int = 200, jobs: int = 0, sealed: int = 200) -> dict[str, Any]:
    """`books` renewed, of which `sealed` were signed and sealed here and the others are copies of those
    (`_copied`): sealing takes far longer than renewing, and a renewal's work does not depend on whose book it
    is. `jobs` 0 chooses as `hocba retention retimestamp` does (`workflows.renewal.jobs_for`)."""
    jobs = jobs_for(jobs, books)
    sealed = min(sealed, books)
    install_speedups()
    records = _primary_records(sealed)
    with tempfile.TemporaryDirectory(dir=_MEMORY if _MEMORY.is_dir() else None) as tmp:
        folder = Path(tmp)
        people = {m.id: pki.Person(m.id, m.full_name) for r in records for m in r.staff}
        seal = f"school:{records[0].school.code}"
        people[seal] = pki.Person(seal, records[0].school.name)
        pki.init(folder / "pki", records[0].school.name, list(people.values()), pki.free_port())
        engine = open_database(f"sqlite:///{folder / 'hocba.db'}")
        with _served_apart(folder / "pki") as served:
            roots = load_roots([folder / "pki" / "root.pem"])
            keys = {sid: Pkcs12KeySource(served.p12_path(sid), pki.DEV_PASSWORD) for sid in people}
            archive = ArchiveService(FileStore(folder / "objects"), SqlCatalog(engine))
            start = time.perf_counter()
            with SigningService(SigningPolicy(trust_roots=roots, tsa_url=served.tsa_url)) as service:
                for record in records:
                    sign_and_archive(service, archive, book_facts(record), render(record).pdf, keys)
            sealing = time.perf_counter() - start
            _copied(engine, archive, books - sealed)
            now = datetime.now(UTC)
            start = time.perf_counter()
            due = find_due(archive, _WITHIN, now)
            finding = time.perf_counter() - start
            start = time.perf_counter()
            with SigningService(SigningPolicy(trust_roots=roots, tsa_url=served.tsa2_url)) as renewing:
                report = renew_due(archive, renewing, _WITHIN, now, jobs=jobs, prepare=install_speedups)
            renewing_s = time.perf_counter() - start
        engine.dispose()
    assert len(due.due) == books and len(report.renewed) == books, report.failed
    return {
        "books": books,
        "sealed_here": sealed,
        "jobs": jobs,
        "seal_books_per_s": round(sealed / sealing, 2),
        "find_due_books_per_s": round(books / finding, 1),
        "renew_books_per_s": round(books / renewing_s, 2),
        "renew_ms_per_book": round(renewing_s / books * 1000, 1),
    }


def _copied(engine: Engine, archive: ArchiveService, copies: int) -> None:
    """`copies` more sealed books, each a copy of one sealed here under a document id of its own: its catalog
    rows (the document, its sealed version with its archive timestamp's facts) and its stored object, locked as
    the original is."""
    if copies <= 0:
        return
    tables = schema_metadata.tables
    documents, versions = tables["documents"], tables["document_versions"]
    with engine.begin() as conn:
        originals = [row._asdict() for row in conn.execute(select(versions).order_by(versions.c.id))]
        kept = {row.id: row._asdict() for row in conn.execute(select(documents))}
    store = archive._store
    books: dict[str, bytes] = {}
    for start in range(0, copies, 1000):
        new_documents, new_versions = [], []
        for n in range(start, min(copies, start + 1000)):
            original = originals[n % len(originals)]
            document_id = f"{original['document_id']}-{n:06d}"
            key = sealed_key(document_id, original["version"], original["sealed_sha256"])
            if original["document_id"] not in books:
                books[original["document_id"]] = archive.sealed_bytes(archive.version(original["document_id"]))
            store.put(key, books[original["document_id"]], store.stat(original["sealed_key"]).lock)
            new_documents.append({**kept[original["document_id"]], "id": document_id})
            row = {k: v for k, v in original.items() if k != "id"}
            new_versions.append({**row, "document_id": document_id, "sealed_key": key})
        with engine.begin() as conn:
            conn.execute(documents.insert(), new_documents)
            conn.execute(versions.insert(), new_versions)


def review_figures(objects: int = 100_000, per_version: int = 5) -> dict[str, Any]:
    """The yearly review over `objects` working revisions of books sealed six years ago (rows written straight
    into a fresh database: the review reads the database only)."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{Path(tmp) / 'hocba.db'}")
        now = datetime.now(UTC)
        _fill(engine, objects, per_version, now - timedelta(days=6 * 366))
        start = time.perf_counter()
        found = review(SqlDisposals(engine), SqlHolds(engine), _SCHOOL, now)
        elapsed = time.perf_counter() - start
        engine.dispose()
    assert len(found.items) == objects
    return {"objects": objects, "review_s": round(elapsed, 2), "objects_per_s": round(objects / elapsed)}


_SCHOOL = "79000701"


def _fill(engine: Any, objects: int, per_version: int, sealed_at: datetime) -> None:
    tables = schema_metadata.tables
    versions = objects // per_version
    with engine.begin() as conn:
        conn.execute(tables["schools"].insert(), [{"code": _SCHOOL, "name": "Bench", "created_at": sealed_at}])
        ids = [f"HB-BENCH-{n:07d}" for n in range(versions)]
        conn.execute(
            tables["students"].insert(),
            [{"id": f"S{n}", "school_code": _SCHOOL, "name": "HS", "created_at": sealed_at} for n in range(versions)],
        )
        conn.execute(
            tables["documents"].insert(),
            [
                {
                    "id": d,
                    "kind": "hoc_ba",
                    "school_code": _SCHOOL,
                    "student_id": f"S{n}",
                    "school_year": "2019-2020",
                    "created_at": sealed_at,
                }
                for n, d in enumerate(ids)
            ],
        )
        conn.execute(
            tables["document_versions"].insert(),
            [
                {
                    "id": n + 1,
                    "document_id": d,
                    "version": 1,
                    "status": "sealed",
                    "head_sha256": "0" * 64,
                    "revision_count": per_version,
                    "sealed_key": f"sealed/{d}/v1.pdf",
                    "sealed_sha256": "1" * 64,
                    "sealed_at": sealed_at,
                    "created_at": sealed_at,
                }
                for n, d in enumerate(ids)
            ],
        )
        conn.execute(
            tables["revisions"].insert(),
            [
                {
                    "document_version_id": n // per_version + 1,
                    "seq": n % per_version + 1,
                    "sha256": f"{n:064x}",
                    "object_key": f"revisions/{n:064x}.pdf",
                    "size": 1,
                    "created_at": sealed_at,
                }
                for n in range(versions * per_version)
            ],
        )
