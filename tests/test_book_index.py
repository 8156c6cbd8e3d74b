"""The book index lists and scopes see: the latest version of each book with its class, province, student and
plan staff, filtered in SQL and paged by document id; and migration 0006 fills it in for books registered
before it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text

from archive import (
    ArchiveService,
    BookQuery,
    FileStore,
    SqlBookIndex,
    SqlCatalog,
    UnknownDocumentError,
    VersionStatus,
    open_database,
)
from archive.database import _config
from records import Record
from workflows import book_facts

from .conftest import to_record
from .storage_fixtures import MovableClock


def _register(engine: Engine, folder: Path, records: list[Record]) -> ArchiveService:
    archive = ArchiveService(FileStore(folder), SqlCatalog(engine), MovableClock())
    for index, record in enumerate(records):
        archive.register(book_facts(record), b"%PDF-1.7 book " + bytes([index]))
    return archive


def test_books_filter_by_class_staff_student_and_page_by_cursor(
    database_url: str, tmp_path: Path, raw: Callable[..., dict[str, Any]]
) -> None:
    records = [to_record(raw("thcs", i)) for i in range(4)] + [to_record(raw("thpt", 0))]
    engine = open_database(database_url)
    _register(engine, tmp_path / "objects", records)
    index = SqlBookIndex(engine)
    everything = index.books(BookQuery(limit=100))
    assert len(everything) == 5 and [b.version.document_id for b in everything] == sorted(
        b.version.document_id for b in everything
    )
    first = records[0]
    assert {b.class_name for b in everything} >= {first.class_name}
    mine = index.books(BookQuery(staff_id=first.signers.homeroom_teacher, limit=100))
    assert mine and all(first.signers.homeroom_teacher in b.staff_ids for b in mine)
    own = index.books(BookQuery(student_id=first.student.personal_id))
    assert [b.student_id for b in own] == [first.student.personal_id]
    assert own[0].province == first.school.province and own[0].version.status is VersionStatus.SIGNING
    page = index.books(BookQuery(limit=2))
    rest = index.books(BookQuery(after=page[-1].version.document_id, limit=100))
    assert [b.version.document_id for b in page + rest] == [b.version.document_id for b in everything]
    assert index.books(BookQuery(status=VersionStatus.SEALED)) == []
    assert index.book(own[0].version.document_id) == own[0]
    with pytest.raises(UnknownDocumentError):
        index.book("HB-NONE")


def test_migration_0006_indexes_books_registered_before_it(tmp_path: Path, raw: Callable[..., dict[str, Any]]) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = open_database(url, migrate=False)
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    record = to_record(raw("thcs", 1))
    facts = book_facts(record)
    with engine.begin() as conn:  # what the release before 0006 wrote when it registered a book
        conn.execute(text("INSERT INTO schools VALUES (:c, :n, '2027-05-30')"), {"c": facts.school_code, "n": "S"})
        conn.execute(
            text("INSERT INTO students VALUES (:s, :c, :n, '2027-05-30')"),
            {"s": facts.student_id, "c": facts.school_code, "n": facts.student_name},
        )
        conn.execute(
            text("INSERT INTO record_versions VALUES (1, :s, :y, 1, :h, :j, '2027-05-30')"),
            {"s": facts.student_id, "y": facts.school_year, "h": facts.content_hash, "j": facts.record_json},
        )
        conn.execute(
            text("INSERT INTO documents VALUES (:d, 'hoc_ba', :c, :s, :y, '2027-05-30')"),
            {"d": facts.document_id, "c": facts.school_code, "s": facts.student_id, "y": facts.school_year},
        )
        conn.execute(
            text(
                "INSERT INTO document_versions (id, document_id, version, record_version_id, status, head_sha256,"
                " revision_count, created_at) VALUES (1, :d, 1, 1, 'signing', :h, 1, '2027-05-30')"
            ),
            {"d": facts.document_id, "h": "0" * 64},
        )
    engine.dispose()
    engine = open_database(url)  # an embedded database upgrades itself
    book = SqlBookIndex(engine).book(facts.document_id)
    assert (book.class_name, book.province) == (record.class_name, record.school.province)
    assert set(book.staff_ids) == {member.id for member in record.staff}
