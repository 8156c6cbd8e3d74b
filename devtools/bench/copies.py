"""Certified copies (`hocba bench copies`): issuing a SAO Y copy of a sealed THCS book end to end (numbered,
rendered, signed by the designated signer, sealed, kept in the archive), and the public status of the copy (its
QR code's link) read at a steady 200 requests a second from `hocba serve` in a process of its own. Keys are
PKCS#12 files; the development PKI's TSA, OCSP and CRL answer from another process."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive import ArchiveService, FileStore, SqlCatalog, SqlCopies, SqlCorrections, open_database
from records import Asker, CopyForm, CopySigner, Requester, signing_plan
from signer import Pkcs12KeySource, SigningPolicy, SigningService, install_speedups, load_roots
from templates import document_id, render, render_copy
from workflows import book_facts, sign_and_archive
from workflows import copies as desk

from .. import pki
from .api import _service, steady_reads
from .render import sample_records
from .sign import _served_apart


def copies_figures(repeats: int = 7, status_seconds: float = 10.0) -> dict[str, Any]:
    install_speedups()
    record = sample_records(1, seed=51)[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        people = {m.id: pki.Person(m.id, m.full_name) for m in record.staff}
        seal = f"school:{record.school.code}"
        people[seal] = pki.Person(seal, record.school.name)
        pki.init(folder / "pki", record.school.name, list(people.values()), pki.free_port())
        database = f"sqlite:///{folder / 'hocba.db'}"
        with _served_apart(folder / "pki") as served:
            policy = SigningPolicy(trust_roots=load_roots([folder / "pki" / "root.pem"]), tsa_url=served.tsa_url)
            keys = {sid: Pkcs12KeySource(served.p12_path(sid), pki.DEV_PASSWORD) for sid in people}
            engine = open_database(database)
            try:
                archive = ArchiveService(FileStore(folder / "objects"), SqlCatalog(engine))
                with SigningService(policy) as service:
                    sign_and_archive(service, archive, book_facts(record), render(record).pdf, keys)
                    issued, render_ms, copy_id, copy_hash = _issue(record, archive, engine, service, keys, repeats)
            finally:
                engine.dispose()
            env = {**os.environ, "HOCBA_DATABASE": database, "HOCBA_STORAGE": f"file://{folder / 'objects'}"}
            env["HOCBA_PUBLIC_STATUS_RATE"] = "1000000"
            with _service(env, pki.free_port()) as base:
                url = f"/v1/public/documents/{copy_id}?h={copy_hash[:16]}"
                status = asyncio.run(steady_reads(base, url, {}, status_seconds))
    return {
        "issue_sao_y_thcs_ms_median": round(statistics.median(issued) * 1000, 1),
        "issue_ms_each": [round(t * 1000, 1) for t in issued],
        "render_copy_ms_median": round(statistics.median(render_ms), 1),
        "public_status": status,
    }


def _issue(
    record: Any,
    archive: ArchiveService,
    engine: Any,
    service: SigningService,
    keys: dict[str, Pkcs12KeySource],
    repeats: int,
) -> tuple[list[float], list[float], str, str]:
    """`repeats` copies issued one after another (the first meets the copy's fonts and keys cold)."""
    register, books = SqlCopies(engine), SqlCorrections(engine)
    principal = signing_plan(record).entry("hieu_truong")
    signer = CopySigner(principal.signer_id, principal.signer_name, principal.label)
    seal = f"school:{record.school.code}"
    used = {signer.staff_id: keys[signer.staff_id], seal: keys[seal]}
    asker = Asker(Requester.GUARDIAN, "Nguyễn Thị Mẹ", "mẹ")
    timed, rendered, last = [], [], None
    for _ in range(repeats):
        now = datetime.now(UTC)
        entry = desk.ask(register, books, record.school.code, document_id(record), asker, CopyForm.SAO_Y, now)
        register.check(entry.id, "CCCD 001190000001", now, "bench")
        start = time.perf_counter()
        last = desk.issue(archive, register, books, service, entry.id, signer, used, "BENCH", "bench", now)
        timed.append(time.perf_counter() - start)
        original = archive.sealed_bytes(archive.version(document_id(record)))
        start = time.perf_counter()
        render_copy(last.copy_facts, original)
        rendered.append((time.perf_counter() - start) * 1000)
    assert last is not None
    return timed, rendered, last.copy.document_id, last.copy.content_hash
