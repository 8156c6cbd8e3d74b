"""A signer's sitting: every book of a folder whose next field is the signer's, on every core.

With one job the books are signed in this process, a few at a time. With N, this process is one of N signers and
starts N - 1 worker processes, each with its own signing service, opening the key itself from the same factory (a
PKCS#12 file, a PKCS#11 token). Books go to workers as paths: a worker reads the book and leaves the new revision
beside it. This process keeps what must stay in one place: the per-book file locks, syncing and renaming the new
revisions and the archive, with a few threads per signer so that every signer always has a book.

Progress leaves as events (`SittingStarted`, then one `BookDone` per book, in the folder's order); the caller
draws them, logs them or sends them on.
"""

from __future__ import annotations

import contextvars
import fcntl
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar

from archive import ArchiveService, DocumentVersion
from records import HocbaError, put_in_place, write_atomic
from signer import KeyReference, KeySource, SecretLookup, SigningPolicy, SigningService, next_field_for

from .lifecycle import sign_into_archive
from .runtime import Prepare, here_first, landed, shipped, tune_collector

BookOutcome = Literal["signed", "sealed", "skipped", "failed"]
T = TypeVar("T")
REMOTE_BATCH = 16
"""Books whose hashes a remote key source sends together during a sitting (one confirmation for all of them)."""


@dataclass(frozen=True)
class Sitting:
    folder: Path
    signer_id: str
    archive: ArchiveService | None = None


@dataclass(frozen=True)
class SittingStarted:
    """The sitting found `total` books in its folder."""

    signer_id: str
    total: int


@dataclass(frozen=True)
class BookDone:
    """One book's result: signed (and perhaps sealed), skipped (not this signer's turn, or done) or failed."""

    book: str
    """The book's file (a folder's sitting) or document id (an archive's)."""
    outcome: BookOutcome
    error: HocbaError | None = None
    """Why it failed, when a package said so."""
    detail: str | None = None
    """Why it failed otherwise (an unreadable file, an unexpected fault): the type and message."""


SittingEvent = SittingStarted | BookDone
OnEvent = Callable[[SittingEvent], None]


@dataclass
class SittingResult:
    signed: int = 0
    skipped: int = 0
    failed: int = 0
    sealed: int | None = None
    """Books the sitting finished and sealed into the archive (None without an archive)."""
    books: list[BookDone] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"signed": self.signed, "skipped": self.skipped, "failed": self.failed}
        return counts if self.sealed is None else counts | {"sealed": self.sealed}

    def add(self, done: BookDone) -> None:
        self.books.append(done)
        if done.outcome == "sealed":
            self.signed += 1
            self.sealed = (self.sealed or 0) + 1
        else:
            setattr(self, done.outcome, getattr(self, done.outcome) + 1)


@contextmanager
def document_lock(path: Path) -> Iterator[None]:
    """Signing is serialised per document: whoever holds the lock reads the latest revision and replaces it."""
    lock = path.with_name(f".{path.name}.lock")
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_WORKER: dict[str, Any] = {}


def _worker_init(
    roots: list[bytes], policy: SigningPolicy, reference: KeyReference, secrets: SecretLookup, prepare: Prepare | None
) -> None:
    # asn1crypto certificates travel as DER; the rest of the policy is plain data. The key travels as a reference:
    # the worker opens it with its own lookup of the secret, which never crosses the process boundary.
    if prepare is not None:  # first: the speed-ups must be in place before certificates and keys are loaded
        prepare()
    key = reference.open(secrets)  # a file or a token: nothing to connect
    _WORKER.update(service=SigningService(landed(roots, policy)), key=key)
    tune_collector()  # last: the service and the key are then long-lived, out of every later collection


def sign_file(
    service: SigningService,
    source: Path,
    target: Path,
    field: str,
    key: KeySource,
    acting_as: str | None = None,
    archive: ArchiveService | None = None,
) -> DocumentVersion | None:
    """Sign `field` of the book in `source` into `target`; with an archive, the new revision is kept there first
    (and the book sealed when this was the seal). Returns the sealed version, if the book was sealed."""
    # Read inside the lock: this is the latest revision, nobody can add one until it is replaced.
    with document_lock(source):
        parent = source.read_bytes()
        signed, sealed = sign_bytes(service, parent, field, key, acting_as, archive)
        write_atomic(target, signed)
    return sealed


def sign_bytes(
    service: SigningService,
    parent: bytes,
    field: str,
    key: KeySource,
    acting_as: str | None,
    archive: ArchiveService | None,
) -> tuple[bytes, DocumentVersion | None]:
    """One signature on `parent`; with an archive, through it (see `sign_into_archive`)."""
    if archive is None:
        return service.sign(parent, field, key, acting_as), None
    return sign_into_archive(archive, parent, lambda: service.sign(parent, field, key, acting_as), field)


def staged(path: Path) -> Path:
    """Where the new revision of the book at `path` is written before it replaces the book."""
    return path.with_name(f".{path.name}.signed")


def _sign_file(service: SigningService, key: KeySource, path: Path, field: str | None, signer_id: str) -> str | None:
    """Sign `field`, or the field that waits for the signer, of the book at `path`, whose lock the caller holds;
    the new revision is left at `staged(path)`, for the caller to sync and put in place. Returns the field signed
    (None: nothing to sign)."""
    pdf = path.read_bytes()
    field = field or next_field_for(pdf, signer_id)
    if field is None:
        return None
    staged(path).write_bytes(service.sign(pdf, field, key, signer_id))
    return field


def _worker_sign(path: Path, field: str | None, signer_id: str) -> str | None:
    # Books cross the process boundary as paths: sending every book each way through the pool's pipes made the
    # workers wait for this process.
    return _sign_file(_WORKER["service"], _WORKER["key"], path, field, signer_id)


IN_FLIGHT = 4
"""Books worked on at once per signer: while one is signed, others are locked, read, synced and put in place (on
a real disk a sync can take tens of milliseconds), or kept in the archive."""
Signer = Callable[[Path, str | None, str], str | None]
"""Signs a field (None: the one that waits for the signer) of the book at a path, as `_sign_file`."""


@dataclass(frozen=True)
class Workers:
    """How a sitting spreads over worker processes: `jobs` signers in all (this process one of them), each
    opening the key from its reference with `secrets`, readied by `prepare` (the face's settings)."""

    jobs: int
    reference: KeyReference
    secrets: SecretLookup
    prepare: Prepare | None = None


@contextmanager
def _signers(service: SigningService, key: KeySource, workers: Workers | None) -> Iterator[tuple[Signer, int]]:
    """How to sign a book (as `_sign_file`), and how many books may be in flight at once."""
    if workers is None or workers.jobs <= 1:
        # The service is thread-safe and interleaves the waits (TSA, disk, a remote key) of the books in flight.
        yield partial(_sign_file, service, key), max(IN_FLIGHT, key.batch_size)
        return
    roots, policy = shipped(service.policy)
    context = multiprocessing.get_context("spawn")  # this process runs threads (the service's loop): no fork
    # This process is one of the `jobs` signers: it signs while the workers start (a worker spends a while
    # importing before its first book), and the sitting needs one start-up fewer.
    arguments = (roots, policy, workers.reference, workers.secrets, workers.prepare)
    with ProcessPoolExecutor(workers.jobs - 1, context, _worker_init, arguments) as pool:
        yield here_first(partial(_sign_file, service, key), pool, _worker_sign), IN_FLIGHT * workers.jobs


def sign_sitting(
    sitting: Sitting,
    service: SigningService,
    key: KeySource,
    workers: Workers | None = None,
    on_event: OnEvent | None = None,
) -> SittingResult:
    """Sign every book of the sitting's folder that waits for its signer, in this process (a few books at a
    time) or over `workers`. One bad book is reported (as a failed `BookDone`) and the others go on; a book that
    is not the signer's turn (or is done) is skipped, so a sitting can be run again after an interruption."""
    books = sorted(sitting.folder.glob("*.pdf"))
    result = SittingResult(sealed=0 if sitting.archive else None)
    archive = sitting.archive
    emit = on_event or (lambda _: None)
    with (
        _signers(service, key, workers) as (sign, in_flight),
        archive.one_anchor() if archive else nullcontext(),  # one audit anchor for the whole sitting
        ThreadPoolExecutor(in_flight) as threads,
    ):
        emit(SittingStarted(sitting.signer_id, len(books)))

        def one(path: Path) -> BookOutcome:
            with document_lock(path):
                try:
                    version = None
                    if archive is None:  # the signer finds the field: this process does not parse the book
                        if sign(path, None, sitting.signer_id) is None:
                            return "skipped"  # already signed, not yet this signer's turn, or not theirs
                    else:  # the archive is asked about a book only when there is something to sign in it
                        current = path.read_bytes()
                        field = next_field_for(current, sitting.signer_id)
                        if field is None:
                            return "skipped"
                        _, version = sign_into_archive(archive, current, lambda: _made(path, field), field)
                    put_in_place(staged(path), path)
                finally:
                    staged(path).unlink(missing_ok=True)  # what a failed signature left
                return "sealed" if version is not None else "signed"

        def _made(path: Path, field: str) -> bytes:
            sign(path, field, sitting.signer_id)
            return staged(path).read_bytes()

        collect(threads, books, one, result, emit)
    return result


def collect(
    threads: ThreadPoolExecutor,
    books: Sequence[T],
    one: Callable[[T], BookOutcome],
    result: SittingResult,
    emit: OnEvent,
) -> None:
    """Run `one` on every book in the threads and report each, in the books' order. Each book's thread runs in a
    copy of this context, so that its seal joins the sitting's one anchor."""
    futures = [(book, threads.submit(contextvars.copy_context().run, one, book)) for book in books]
    for book, future in futures:
        done = book_done(str(book), future)
        result.add(done)
        emit(done)


def book_done(book: str, future: Future[BookOutcome]) -> BookDone:
    """The event for one book of a sitting, once its work is done."""
    try:
        return BookDone(book, future.result())
    except HocbaError as exc:
        return BookDone(book, "failed", error=exc)
    except Exception as exc:  # one unreadable book must not stop a principal's sitting
        return BookDone(book, "failed", detail=f"{type(exc).__name__}: {exc}")
