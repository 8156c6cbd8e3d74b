"""Renewing archive timestamps (`hocba bench retention`): a school's primary books sealed into an archive
(SQLite and files; PKCS#12 keys; the development PKI's TSA, OCSP and CRL in another process), then the yearly
run: finding what is due (reading every sealed book's last archive timestamp) and renewing each with the second
TSA. Books per second for both."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from archive import ArchiveService, FileStore, SqlCatalog, open_database
from signer import Pkcs12KeySource, SigningPolicy, SigningService, install_speedups, load_roots
from templates import render
from workflows import book_facts, sign_and_archive
from workflows.renewal import find_due, renew_due

from .. import pki
from .principal import _primary_records
from .sign import _served_apart

_WITHIN = timedelta(days=round(365.25 * 40))  # the first TSA's certificate ends in 2060, the second's in 2069


def retention_figures(books: int = 200) -> dict[str, Any]:
    install_speedups()
    records = _primary_records(books)
    with tempfile.TemporaryDirectory() as tmp:
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
            now = datetime.now(UTC)
            start = time.perf_counter()
            due = find_due(archive, _WITHIN, now)
            finding = time.perf_counter() - start
            start = time.perf_counter()
            with SigningService(SigningPolicy(trust_roots=roots, tsa_url=served.tsa2_url)) as renewing:
                report = renew_due(archive, renewing, _WITHIN, now)
            renewing_s = time.perf_counter() - start
        engine.dispose()
    assert len(due.due) == books and len(report.renewed) == books, report.failed
    return {
        "books": books,
        "seal_books_per_s": round(books / sealing, 2),
        "find_due_books_per_s": round(books / finding, 1),
        "renew_books_per_s": round(books / renewing_s, 2),
        "renew_ms_per_book": round(renewing_s / books * 1000, 1),
    }
