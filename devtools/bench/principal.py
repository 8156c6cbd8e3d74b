"""A principal's sitting through the HTTP service (`hocba bench api --principal-books N`): a primary school's
books (homeroom teacher → principal → seal), rendered on every core and registered in the service's archive;
the homeroom teacher's sitting through the API brings every book to the principal's turn; then the principal's
sitting through the API (`POST /v1/sittings`, a CSC key, a second factor at sign-in) against `hocba sign --batch`
over the same books, with the same CSC key, on the same machine."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import pyotp

from archive import Account, ArchiveService, FileStore, Role, SqlAccounts, SqlCatalog, open_database
from records import Record, dumps_jsonl, generate_sample, validate_record, write_atomic
from signer import install_speedups
from templates import RenderOptions, document_id
from workflows import AccountBook, register_book
from workflows import rendering as batch

from .. import pki
from .api import _PASSWORD, _api_sitting, _cli_sitting, _service, _token, school_services


def principal_figures(books: int = 1000) -> dict[str, Any]:
    install_speedups()
    records = _primary_records(books)
    principal, homeroom = records[0].signers.principal, records[0].signers.homeroom_teacher
    with tempfile.TemporaryDirectory() as tmp, school_services(Path(tmp), records) as (folder, served, env):
        render_seconds = _seed(env, folder, records)
        second_factor = _accounts(env, records[0], homeroom, principal)
        year = records[0].school_year
        with _service(env, pki.free_port()) as base:
            teacher = _token(base, "gvcn", None)
            homeroom_rate, _ = _api_sitting(base, teacher, year, served.csc_credential(homeroom), books)
            _books_at_principal(env, folder / "books", records)
            token = _token(base, "hieu.truong", second_factor.now())
            api_rate, _ = _api_sitting(base, token, year, served.csc_credential(principal), books)
        cli_rate = _cli_sitting(env, folder, records, served.csc_credential(principal), principal)
    return {
        "books": books,
        "level": "tieu_hoc",
        "render_books_per_s": round(books / render_seconds, 2),
        "homeroom_api_books_per_s": round(homeroom_rate, 2),
        "api_books_per_s": round(api_rate, 2),
        "cli_batch_books_per_s": round(cli_rate, 2),
        "ratio_api_to_cli": round(api_rate / cli_rate, 3),
    }


def _primary_records(count: int) -> list[Record]:
    """`count` books the principal signs (the sample gives some to the deputy, "KT. HIỆU TRƯỞNG")."""
    found: list[Record] = []
    for raw in generate_sample("tieu_hoc", 5, count * 2, 41):
        report = validate_record(json.loads(dumps_jsonl([raw])))
        assert report.record is not None
        if report.record.signers.principal_acting is None:
            found.append(report.record)
    assert len(found) >= count
    return found[:count]


def _seed(env: dict[str, str], folder: Path, records: list[Record]) -> float:
    """The books rendered on every core and registered in the service's archive; the seconds it took."""
    rendered = folder / "rendered"
    jobs = [batch.Job.of(r, "bench", i, rendered / f"{document_id(r)}.pdf") for i, r in enumerate(records)]
    start = time.perf_counter()
    outcomes = batch.run_jobs(jobs, RenderOptions(), os.cpu_count() or 1)
    elapsed = time.perf_counter() - start
    assert all(o.error is None for o in outcomes)
    engine = open_database(env["HOCBA_DATABASE"])
    try:
        archive = ArchiveService(FileStore(folder / "objects"), SqlCatalog(engine))
        for record in records:
            register_book(archive, record, (rendered / f"{document_id(record)}.pdf").read_bytes())
    finally:
        engine.dispose()
    return elapsed


def _accounts(env: dict[str, str], record: Record, homeroom: str, principal: str) -> pyotp.TOTP:
    """The homeroom teacher's and the principal's accounts; the principal's second factor."""
    engine = open_database(env["HOCBA_DATABASE"])
    try:
        book = AccountBook(SqlAccounts(engine))
        code = record.school.code
        book.create(Account("gvcn", Role.TEACHER, school_code=code, staff_id=homeroom), _PASSWORD, "bench")
        made = book.create(
            Account("hieu.truong", Role.PRINCIPAL, school_code=code, staff_id=principal), _PASSWORD, "bench"
        )
    finally:
        engine.dispose()
    assert made.otpauth_uri is not None
    totp = pyotp.parse_uri(made.otpauth_uri)
    assert isinstance(totp, pyotp.TOTP)
    return totp


def _books_at_principal(env: dict[str, str], books: Path, records: list[Record]) -> None:
    """Each book's latest revision (the principal's turn), in a folder for the command line."""
    engine = open_database(env["HOCBA_DATABASE"])
    try:
        archive = ArchiveService(FileStore(Path(env["HOCBA_STORAGE"].removeprefix("file://"))), SqlCatalog(engine))
        for record in records:
            name = document_id(record)
            write_atomic(books / f"{name}.pdf", archive.latest(name))
    finally:
        engine.dispose()
