"""A signer's sitting driven without a face: its progress arrives as events, in the folder's order."""

from __future__ import annotations

import io
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader

from workflows.sitting import BookDone, Sitting, SittingEvent, SittingStarted, sign_sitting

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
    assert [(b.path.name, b.outcome) for b in books] == [("a.pdf", "signed"), ("b.pdf", "skipped"), ("c.pdf", "failed")]
    failed = books[2]
    assert (failed.error is not None and failed.error.code) or failed.detail  # the reason travels with the event
    assert result.counts() == {"signed": 1, "skipped": 1, "failed": 1}
    assert result.books == books
    signed = PdfFileReader(io.BytesIO((folder / "a.pdf").read_bytes())).embedded_signatures
    assert [s.field_name for s in signed] == ["gvcn"]
    assert not list(folder.glob(".*.signed"))
