"""A signer's sitting over the archive: every book of a school's year still being signed whose next field is the
signer's, read from the archive and kept there (the way the service signs, with no folder of books)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor

from archive import ArchiveService
from signer import KeySource, SigningService, next_field_for

from .lifecycle import sign_into_archive
from .sitting import IN_FLIGHT, BookOutcome, OnEvent, SittingResult, SittingStarted, collect


def sign_archived_sitting(
    archive: ArchiveService,
    school_code: str,
    school_year: str,
    signer_id: str,
    service: SigningService,
    key: KeySource,
    on_event: OnEvent | None = None,
    stop: Callable[[], bool] | None = None,
    only: Collection[str] | None = None,
) -> SittingResult:
    """Sign, in this process and a few books at a time, every book of the year whose turn it is for the
    signer; each new revision is kept in the archive (and a book the seal finishes is sealed, all under one audit
    anchor). Books are reported by document id, in order; one bad book never stops the others, and a book that is
    not the signer's turn is skipped, so the sitting can be run again. Once `stop()` says so, the books not yet
    begun are skipped (a cancelled job). With `only`, just those books of the year (one book, or a few)."""
    versions = archive.in_signing(school_code, school_year)
    if only is not None:
        versions = [v for v in versions if v.document_id in only]
    result = SittingResult(sealed=0)
    emit = on_event or (lambda _: None)

    def one(document_id: str) -> BookOutcome:
        if stop is not None and stop():
            return "skipped"
        current = archive.latest(document_id)
        field = next_field_for(current, signer_id)
        if field is None:
            return "skipped"
        _, sealed = sign_into_archive(archive, current, lambda: service.sign(current, field, key, signer_id), field)
        return "sealed" if sealed is not None else "signed"

    with archive.one_anchor(), ThreadPoolExecutor(max(IN_FLIGHT, key.batch_size)) as threads:
        emit(SittingStarted(signer_id, len(versions)))
        collect(threads, [v.document_id for v in versions], one, result, emit)
    return result
