"""A signer's sitting driven without a face: its progress arrives as events, in the folder's order."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from archive import ArchiveService, SqlCatalog, open_database, open_store
from devtools.pki import DEV_PASSWORD
from signer import KeyKind, KeyReference, SignerError
from workflows import book_facts, sign_archived_sitting
from workflows.sitting import BookDone, Sitting, SittingEvent, SittingStarted, Workers, sign_sitting

from .signing_fixtures import School


def test_a_sitting_reports_each_book_as_an_event(school: School, tmp_path: Path) -> None:
    folder = tmp_path / "lop"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(school.book(school.primary))
    (folder / "b.pdf").write_bytes(school.book(school.thcs))  # the subject teachers sign first
    (folder / "c.pdf").write_bytes(b"%PDF-1.7 broken")
    events: list[SittingEvent] = []

    result = sign_sitting(Sitting(folder, "gvcn"), school.service, school.key("gvcn"), on_event=events.append)

    assert events[0] == SittingStarted("gvcn", 3)
    books = [e for e in events[1:] if isinstance(e, BookDone)]
    assert [(Path(b.book).name, b.outcome) for b in books] == [
        ("a.pdf", "signed"),
        ("b.pdf", "skipped"),
        ("c.pdf", "failed"),
    ]
    failed = books[2]
    assert (failed.error is not None and failed.error.code) or failed.detail  # the reason travels with the event
    assert result.counts() == {"signed": 1, "skipped": 1, "failed": 1}
    assert result.books == books
    signed = PdfFileReader(io.BytesIO((folder / "a.pdf").read_bytes())).embedded_signatures
    assert [s.field_name for s in signed] == ["gvcn"]
    assert not list(folder.glob(".*.signed"))


def _development_secret(name: str) -> str | None:
    """The worker's own lookup: every development key opens with the development password."""
    return DEV_PASSWORD.decode() if name == "dev-key" else None


def test_workers_receive_a_key_reference_never_its_secret(school: School, tmp_path: Path) -> None:
    folder = tmp_path / "lop"
    folder.mkdir()
    book = school.book(school.primary)
    for i in range(4):
        (folder / f"hs-{i}.pdf").write_bytes(book)
    reference = KeyReference(KeyKind.FILE, str(school.pki.p12_path("gvcn")), "dev-key")
    workers = Workers(2, reference, _development_secret)
    assert DEV_PASSWORD not in pickle.dumps(workers)  # what crosses to the worker processes

    result = sign_sitting(Sitting(folder, "gvcn"), school.service, reference.open(_development_secret), workers)

    assert result.counts() == {"signed": 4, "skipped": 0, "failed": 0}
    with pytest.raises(SignerError) as refused:
        KeyReference(KeyKind.FILE, str(school.pki.p12_path("gvcn")), "unknown").open(_development_secret)
    assert refused.value.code == "signer.key_source"


def test_a_sitting_over_the_archive_signs_and_seals_what_waits_without_a_folder(
    school: School, tmp_path: Path, database_url: str
) -> None:
    """The books come from the archive and go back to it: the homeroom teacher's sitting signs both primary books,
    the next runs skip what is not yet their turn, and the seal's sitting seals them under one anchor."""
    archive = ArchiveService(open_store(f"file://{tmp_path / 'objects'}"), SqlCatalog(open_database(database_url)))
    first = school.primary
    other = first.student.model_copy(update={"personal_id": "079200000999", "full_name": "Trần Thị Bình"})
    second = first.model_copy(update={"student": other})
    for record in (first, second):
        archive.register(book_facts(record), school.book(record))
    year = (first.school.code, first.school_year)
    events: list[SittingEvent] = []

    early = sign_archived_sitting(archive, *year, "ht", school.service, school.key("ht"))
    assert early.counts() == {"signed": 0, "skipped": 2, "failed": 0, "sealed": 0}, "not the principal's turn yet"
    homeroom = sign_archived_sitting(archive, *year, "gvcn", school.service, school.key("gvcn"), events.append)
    assert homeroom.counts() == {"signed": 2, "skipped": 0, "failed": 0, "sealed": 0}
    assert events[0] == SittingStarted("gvcn", 2) and [e.book for e in events[1:] if isinstance(e, BookDone)] == sorted(
        v.document_id for v in archive.in_signing(*year)
    )
    sign_archived_sitting(archive, *year, "ht", school.service, school.key("ht"))
    seal = f"school:{first.school.code}"
    sealed = sign_archived_sitting(archive, *year, seal, school.service, school.key(seal))

    assert sealed.counts() == {"signed": 2, "skipped": 0, "failed": 0, "sealed": 2}
    assert archive.in_signing(*year) == [] and len(archive.sealed_versions(*year)) == 2
    assert len(archive.anchors()) == 1, "one audit anchor for the seal's whole sitting"
    assert archive.verify_audit().intact
