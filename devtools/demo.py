"""The demo: a sample class taken through the whole chain (the main job of `make run`).

Render, start the development PKI's OCSP/CRL/TSA on loopback, sign every book in plan order (subject teachers,
homeroom teacher, principal or deputy), seal it with the school's organisation certificate and close it with
validation data and the archive timestamp; with an archive, every revision is kept as it appears.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from archive import ArchiveService
from records import dumps_jsonl, generate_sample, load_file, write_atomic
from signer import KeySource, Pkcs12KeySource, SigningPolicy, SigningService, install_speedups, load_roots
from templates import RenderOptions, document_id, read_identity
from workflows import book_facts, sign_and_archive
from workflows import rendering as batch

from . import pki

DEFAULT_GRADE = {"tieu_hoc": 3, "thcs": 6, "thpt": 10}

OpenArchive = Callable[[str], AbstractContextManager[ArchiveService]]
"""Opens the archive with the TSA at this URL for its archive timestamps (known once the PKI is served)."""


class Progress(Protocol):
    """What the demo reports as it goes: a stage with its number of steps, then each step done."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self) -> None: ...


@dataclass
class DemoResult:
    records: Path
    root: Path
    books: list[Path] = field(default_factory=list)
    sealed: list[Path] = field(default_factory=list)
    archived: int = 0
    storage: str | None = None
    """The store's URL, without credentials (with an archive)."""
    failed: list[str] = field(default_factory=list)


def run_demo(
    out_dir: Path, students: int, level: str, jobs: int, progress: Progress, open_archive: OpenArchive | None = None
) -> DemoResult:
    """Records in OUT/records.jsonl, rendered books in OUT/books/, the PKI in OUT/pki/, sealed books in
    OUT/sealed/; with `open_archive`, every revision archived and each sealed book locked with its retention."""
    if level not in DEFAULT_GRADE:
        raise ValueError(f"unknown level {level}")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    install_speedups()
    records_file = out_dir / "records.jsonl"
    write_atomic(records_file, dumps_jsonl(generate_sample(level, DEFAULT_GRADE[level], students, seed=2025)).encode())
    pki_dir = out_dir / "pki"
    school, people = pki.people_from_records(records_file)
    pki.init(pki_dir, school, people, pki.free_port())
    result = DemoResult(records_file, pki_dir / "root.pem")
    with pki.serve(pki_dir) as served:
        if open_archive is None:
            _render(result, out_dir / "books", jobs, progress)
            _sign_all(served, result, out_dir / "sealed", None, progress)
            return result
        with open_archive(served.tsa_url) as archive:  # refused here, before any work, when it cannot be used
            result.storage = archive.storage_url
            _render(result, out_dir / "books", jobs, progress)
            _sign_all(served, result, out_dir / "sealed", archive, progress)
    return result


def _render(result: DemoResult, books_dir: Path, jobs: int, progress: Progress) -> None:
    jobs_list, rejected = batch.plan_jobs([result.records], books_dir)
    progress.start("Đang tạo học bạ / rendering", len(jobs_list))
    outcomes = batch.run_jobs(jobs_list, RenderOptions(), jobs, on_done=lambda _: progress.advance())
    result.books = [o.out for o in outcomes if o.out]
    result.failed += [o.error for o in outcomes if o.error] + [f"record {r.index} rejected" for r in rejected]


def _sign_all(
    served: pki.DevPki, result: DemoResult, sealed_dir: Path, archive: ArchiveService | None, progress: Progress
) -> None:
    records = {document_id(r.record): r.record for r in load_file(result.records).records if r.record}
    policy = SigningPolicy(trust_roots=load_roots([result.root]), tsa_url=served.tsa_url)
    keys = _Keys(served)
    with SigningService(policy) as service:
        progress.start("Ký số / signing", len(result.books))
        for book in result.books:
            pdf = book.read_bytes()
            try:
                record = records[read_identity(pdf)["document_id"]]
                facts = book_facts(record) if archive else None
                outcome = sign_and_archive(service, archive, facts, pdf, keys)
            except Exception as exc:  # report and go on with the class
                result.failed.append(f"{book.name}: {getattr(exc, 'code', type(exc).__name__)}: {exc}")
            else:
                target = sealed_dir / book.name
                write_atomic(target, outcome.pdf)
                result.sealed.append(target)
                result.archived += outcome.archived
            progress.advance()


class _Keys(dict[str, KeySource]):
    """Each person's PKCS#12 key, opened the first time they sign."""

    def __init__(self, served: pki.DevPki) -> None:
        super().__init__()
        self.served = served

    def __missing__(self, signer_id: str) -> KeySource:
        key = self[signer_id] = Pkcs12KeySource(self.served.p12_path(signer_id), pki.DEV_PASSWORD)
        return key
