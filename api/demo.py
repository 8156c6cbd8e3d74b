"""`hocba demo`: a sample class taken through the whole chain (the main job of `make run`).

Render, start the development PKI's OCSP/CRL/TSA on loopback, sign every book in plan order (subject teachers,
homeroom teacher, principal or deputy), seal it with the school's organisation certificate and close it with
validation data and the archive timestamp.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

import pki
from archive import ArchiveService, RfcTimestamper
from records import dumps_jsonl, generate_sample, load_file, write_atomic
from signer import KeySource, Pkcs12KeySource, SigningPolicy, SigningService
from templates import RenderOptions, document_id, read_identity
from workflows import book_facts, sign_and_archive
from workflows import rendering as batch

from . import archiving
from .console import EXIT_INTERNAL, out, progress
from .signing import load_roots, people_from

DEFAULT_GRADE = {"tieu_hoc": 3, "thcs": 6, "thpt": 10}


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's files")] = Path("var/demo"),
    students: Annotated[int, typer.Option(min=1, max=2000)] = 4,
    level: Annotated[str, typer.Option(help="tieu_hoc | thcs | thpt")] = "thcs",
    jobs: Annotated[int, typer.Option(min=1)] = batch.default_workers(),
    as_json: Annotated[bool, typer.Option("--json")] = False,
    storage: Annotated[
        str | None,
        typer.Option(
            "--storage", envvar="HOCBA_STORAGE", help="Archive into this store (default with --database: OUT/objects)"
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database", envvar="HOCBA_DATABASE", help="Archive metadata here (default with --storage: OUT/hocba.db)"
        ),
    ] = None,
) -> None:
    """Records in OUT/records.jsonl, rendered books in OUT/books/, the PKI in OUT/pki/, sealed books in OUT/sealed/.

    With --storage or --database every revision is archived as it is signed and each sealed book is written to
    the locked store with its retention, the audit trail anchored at every seal."""
    if level not in DEFAULT_GRADE:
        raise typer.BadParameter(f"unknown level {level}", param_hint="--level")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    records_file = out_dir / "records.jsonl"
    write_atomic(records_file, dumps_jsonl(generate_sample(level, DEFAULT_GRADE[level], students, seed=2025)).encode())
    jobs_list, rejected = batch.plan_jobs([records_file], out_dir / "books")
    with progress() as bar:
        task = bar.add_task("Đang tạo học bạ / rendering", total=len(jobs_list))
        outcomes = batch.run_jobs(jobs_list, RenderOptions(), jobs, on_done=lambda _: bar.advance(task))
    books = [o.out for o in outcomes if o.out]
    failed = [o.error for o in outcomes if o.error] + [f"record {r.index} rejected" for r in rejected]
    pki_dir = out_dir / "pki"
    school, people = people_from(records_file)
    pki.init(pki_dir, school, people, pki.free_port())
    if storage or database:
        storage = storage or f"file://{(out_dir / 'objects').resolve()}"
        database = database or f"sqlite:///{(out_dir / 'hocba.db').resolve()}"
    with archiving.maybe_opened(database, storage) as archive:
        sealed, archived = _sign_all(pki_dir, records_file, books, out_dir / "sealed", failed, archive)
        shown_storage = archive.store.url if archive else None  # the store's own URL carries no secret
    summary = {
        "records": str(records_file),
        "books": [str(b) for b in books],
        "sealed": [str(s) for s in sealed],
        "root": str(pki_dir / "root.pem"),
        "rendered": len(books),
        "sealed_count": len(sealed),
        "archived_count": archived,
        "storage": shown_storage,
        "database": database,
        "failed": failed,
    }
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        out.print(f"Hồ sơ mẫu / sample records: {records_file}")
        out.print(f"Học bạ / books: {len(books)} → {out_dir / 'books'}")
        out.print(f"Đã ký và đóng dấu / signed and sealed: {len(sealed)} → {out_dir / 'sealed'}")
        out.print(f"Chứng thư gốc để kiểm tra / root for verification: {pki_dir / 'root.pem'}")
        if database:
            out.print(f"Đã lưu trữ / archived: {archived} → {database} + {shown_storage}")
        for problem in failed:
            out.print(f"[red]{problem}[/red]")
    if failed:
        raise typer.Exit(EXIT_INTERNAL)


def _sign_all(
    pki_dir: Path,
    records_file: Path,
    books: list[Path],
    sealed_dir: Path,
    failed: list[str],
    archive: ArchiveService | None,
) -> tuple[list[Path], int]:
    records = {document_id(r.record): r.record for r in load_file(records_file).records if r.record}
    done: list[Path] = []
    archived = 0
    with pki.serve(pki_dir) as served:
        policy = SigningPolicy(trust_roots=load_roots([pki_dir / "root.pem"]), tsa_url=served.tsa_url)
        if archive is not None:
            archive.timestamper = RfcTimestamper(served.tsa_url)
        keys = _Keys(served)
        with SigningService(policy) as service, progress() as bar:
            task = bar.add_task("Ký số / signing", total=len(books))
            for book in books:
                pdf = book.read_bytes()
                try:
                    record = records[read_identity(pdf)["document_id"]]
                    facts = book_facts(record) if archive else None
                    outcome = sign_and_archive(service, archive, facts, pdf, keys)
                except Exception as exc:  # report and go on with the class
                    failed.append(f"{book.name}: {getattr(exc, 'code', type(exc).__name__)}: {exc}")
                else:
                    target = sealed_dir / book.name
                    write_atomic(target, outcome.pdf)
                    done.append(target)
                    archived += outcome.archived
                bar.advance(task)
    return done, archived


class _Keys(dict[str, KeySource]):
    """Each person's PKCS#12 key, opened the first time they sign."""

    def __init__(self, served: pki.DevPki) -> None:
        super().__init__()
        self.served = served

    def __missing__(self, signer_id: str) -> KeySource:
        key = self[signer_id] = Pkcs12KeySource(self.served.p12_path(signer_id), pki.DEV_PASSWORD)
        return key
