"""`hocba sign --batch`: a sitting, every book of a folder whose next field is the signer's, on every core.

With one job the books are signed in this process, a few at a time. With N, this process is one of N signers and
starts N - 1 worker processes, each with its own signing service, opening the key itself from the same options (a
PKCS#12 file, a PKCS#11 token). Books go to workers as paths: a worker reads the book and leaves the new revision
beside it. This process keeps what must stay in one place: the per-book file locks, syncing and renaming the new
revisions, the archive and the progress bar, with a few threads per signer so that every signer always has a book.
"""

from __future__ import annotations

import contextvars
import fcntl
import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from asn1crypto import x509

from archive import ArchiveError, ArchiveService
from signer import KeySource, SignerError, SigningPolicy, SigningService, next_field_for
from templates import put_in_place
from workflows import sign_into_archive

from . import wiring
from .console import EXIT_INTERNAL, EXIT_OK, err, out, progress, show_error
from .runtime import tune_collector
from .settings import Settings

KeyFactory = Callable[[], KeySource]
"""Opens the key source; picklable (a class and its arguments) so that a worker process can open its own."""


@dataclass(frozen=True)
class Sitting:
    folder: Path
    signer_id: str
    archive: ArchiveService | None = None


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)))


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


def _worker_init(roots: list[bytes], policy: SigningPolicy, open_key: KeyFactory) -> None:
    # asn1crypto certificates travel as DER; the rest of the policy is plain data.
    policy = replace(policy, trust_roots=tuple(x509.Certificate.load(r) for r in roots))
    wiring.start(Settings.from_env())  # the worker's environment is the command's: the settings were checked there
    _WORKER.update(service=SigningService(policy), key=open_key())  # a file or a token: nothing to connect
    tune_collector()


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


# Books being worked on at once per worker: while one is signed, others are locked, synced and put in place (on a
# real disk a sync can take tens of milliseconds).
_IN_FLIGHT = 4
REMOTE_BATCH = 16
"""Books whose hashes a remote key source sends together during a sitting (one confirmation for all of them)."""
Signer = Callable[[Path, str | None, str], str | None]
"""Signs a field (None: the one that waits for the signer) of the book at a path, as `_sign_file`."""


@contextmanager
def _signers(
    service: SigningService, key: KeySource, open_key: KeyFactory | None, jobs: int
) -> Iterator[tuple[Signer, int]]:
    """How to sign a book (as `_sign_file`), and how many books may be in flight at once."""
    if jobs <= 1 or open_key is None:
        # The service is thread-safe and interleaves the waits (TSA, disk, a remote key) of the books in flight.
        yield partial(_sign_file, service, key), max(_IN_FLIGHT, key.batch_size)
        return
    roots = [r.dump() for r in service.policy.trust_roots]
    policy = replace(service.policy, trust_roots=())
    context = multiprocessing.get_context("spawn")  # this process runs threads (the service's loop): no fork
    # This process is one of the `jobs` signers: it signs while the workers start (a worker spends a while
    # importing before its first book), and the sitting needs one start-up fewer.
    here = threading.Semaphore(1)
    with ProcessPoolExecutor(jobs - 1, context, _worker_init, (roots, policy, open_key)) as pool:

        def anywhere(path: Path, field: str | None, signer_id: str) -> str | None:
            if here.acquire(blocking=False):
                try:
                    return _sign_file(service, key, path, field, signer_id)
                finally:
                    here.release()
            return pool.submit(_worker_sign, path, field, signer_id).result()

        yield anywhere, _IN_FLIGHT * jobs


def sign_sitting(
    sitting: Sitting, service: SigningService, key: KeySource, open_key: KeyFactory | None = None, jobs: int = 1
) -> dict[str, int]:
    """Sign every book of the sitting's folder that waits for its signer; returns the counts. One bad book is
    reported and the others go on; a book that is not the signer's turn (or is done) is skipped, so a sitting
    can be run again after an interruption."""
    books = sorted(sitting.folder.glob("*.pdf"))
    counts = dict.fromkeys(("signed", "skipped", "failed"), 0) | ({"sealed": 0} if sitting.archive else {})
    archive = sitting.archive
    with (
        _signers(service, key, open_key, jobs) as (sign, in_flight),
        progress() as bar,
        archive.one_anchor() if archive else nullcontext(),  # one audit anchor for the whole sitting
        ThreadPoolExecutor(in_flight) as threads,
    ):
        task = bar.add_task(f"Ký số / signing as {sitting.signer_id}", total=len(books))

        def one(path: Path) -> str:
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

        def done(path: Path, future: Future[str]) -> None:
            try:
                outcome = future.result()
                counts["signed" if outcome == "sealed" else outcome] += 1
                if outcome == "sealed":
                    counts["sealed"] += 1
            except (SignerError, ArchiveError) as exc:
                show_error(path, exc)
                counts["failed"] += 1
            except Exception as exc:  # one unreadable book must not stop a principal's sitting
                err.print(f"[red]{path}: {type(exc).__name__}: {exc}[/red]")
                counts["failed"] += 1
            bar.advance(task)

        # Each book's thread runs in a copy of this context, so that its seal joins the sitting's one anchor.
        futures = [(path, threads.submit(contextvars.copy_context().run, one, path)) for path in books]
        for path, future in futures:
            future.exception()  # wait, in order, so that the report follows the folder
            done(path, future)
    return counts


def report(counts: dict[str, int]) -> int:
    out.print(json.dumps(counts))
    return EXIT_OK if not counts["failed"] else EXIT_INTERNAL
