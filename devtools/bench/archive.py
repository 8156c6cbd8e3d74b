"""Archive figures (`hocba bench archive`): put/get medians on both stores, the archive's overhead per sealed
book beyond the raw put, and fixity throughput. Goals: overhead ≤ 10 ms per book on S3; fixity ≥ 200 books/s on
the filesystem."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from archive import (
    ArchiveService,
    BookFacts,
    DocumentKind,
    Lock,
    ObjectStore,
    SqlCatalog,
    open_database,
    open_store,
    sha256_hex,
)

from .. import s3 as s3dev

BOOK_SIZE = 900_000  # a sealed 15-signature THCS book
SITTING = 20  # books a principal seals in one go, anchored once


def _median_ms(action: Callable[[int], Any], count: int) -> float:
    times = []
    for n in range(count):
        start = time.perf_counter()
        action(n)
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def _book(n: int) -> bytes:
    head = f"%PDF-1.7 book {n} ".encode()
    return head + os.urandom(BOOK_SIZE - len(head))


def _facts(n: int) -> BookFacts:
    return BookFacts(
        f"HB-BENCH-{n:06d}",
        DocumentKind.HOC_BA,
        "79000701",
        "Trường THCS Bench",
        "2025-2026",
        f"B{n:011d}",
        f"Học sinh {n}",
        sha256_hex(f"record {n}".encode()),
        "{}",
    )


def _store_figures(store: ObjectStore, count: int, tag: str) -> dict[str, float]:
    books = [_book(n) for n in range(count)]
    lock = Lock(datetime.now(UTC) + timedelta(days=365 * 100))
    figures = {
        f"{tag}_put_ms_median": _median_ms(lambda n: store.put(f"bench/raw/{tag}-{n}.pdf", books[n]), count),
        f"{tag}_put_locked_ms_median": _median_ms(
            lambda n: store.put(f"bench/locked/{tag}-{n}.pdf", books[n], lock), count
        ),
        f"{tag}_get_ms_median": _median_ms(lambda n: store.get(f"bench/raw/{tag}-{n}.pdf"), count),
    }
    return figures


def _seal_figures(store: ObjectStore, database: str, count: int, tag: str) -> dict[str, float]:
    """The archive's cost beyond the raw locked put of the book: rows, audit event, anchor object and row.

    Each measurement is timed in turn with raw locked puts of books of the same size, so that the machine's
    drift falls on both alike, and the overhead is the median of the differences. A single seal anchors on its
    own; a sitting (`SITTING` books sealed in `one_anchor()`, as a principal's batch runs) shares one anchor."""
    archive = ArchiveService(store, SqlCatalog(open_database(database)))
    rounds = max(3, count // 10)
    books = [_book(10_000 + n) for n in range(count + rounds * SITTING)]
    for n, pdf in enumerate(books):
        archive.register(_facts(n), pdf)
    raws = iter([_book(50_000 + n) for n in range(len(books))])  # made before any timing starts
    lock = Lock(datetime.now(UTC) + timedelta(days=365 * 100))

    def raw_puts(how_many: int) -> float:
        start = time.perf_counter()
        for _ in range(how_many):
            data = next(raws)
            store.put(f"bench/paired/{tag}-{data[:20].hex()}.pdf", data, lock)
        return (time.perf_counter() - start) * 1000

    def seal_one(n: int) -> float:
        start = time.perf_counter()
        archive.seal(f"HB-BENCH-{n:06d}", books[n])
        return (time.perf_counter() - start) * 1000

    def paired(n: int) -> tuple[float, float]:
        """A seal and a raw put timed next to each other. Which goes first alternates: a put right after another
        one can find the server still busy with the first."""
        if n % 2:
            raw = raw_puts(1)
            return seal_one(n), raw
        sealed = seal_one(n)
        return sealed, raw_puts(1)

    def sitting(numbers: range) -> tuple[list[float], float]:
        """Each seal minus its paired raw put, and the one anchor written at the end."""
        with archive.one_anchor():
            differences = [sealed - raw for sealed, raw in map(paired, numbers)]
            start = time.perf_counter()
        return differences, (time.perf_counter() - start) * 1000

    singles = [paired(n) for n in range(count)]
    sittings = [sitting(range(start, start + SITTING)) for start in range(count, len(books), SITTING)]
    per_book = statistics.median(d for differences, _ in sittings for d in differences)
    anchor_share = statistics.median(anchor for _, anchor in sittings) / SITTING
    return {
        f"{tag}_seal_ms_median": round(statistics.median(s for s, _ in singles), 2),
        f"{tag}_overhead_ms_single_seal": round(statistics.median(s - p for s, p in singles), 2),
        f"{tag}_overhead_ms_per_book": round(per_book + anchor_share, 2),
    }


def archive_figures(
    count: int = 30, fixity_books: int = 300, database: str | None = None, s3: str | None = None
) -> dict[str, Any]:
    """Put/get medians (filesystem and S3) over `count` books, seal overhead, and fixity books/s over
    `fixity_books`; on `database` and `s3` when given, else a temporary SQLite and a local SeaweedFS."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = None if s3 else s3dev.start(folder / "s3")
        try:
            s3_url = s3 or (server.url("bench-archive") if server else "")
            stores = {"fs": open_store(f"file://{folder / 'objects'}"), "s3": open_store(s3_url)}
            result: dict[str, Any] = {"book_bytes": BOOK_SIZE}
            for tag, store in stores.items():
                result |= _store_figures(store, count, tag)
                db = database or f"sqlite:///{folder / f'{tag}.db'}"
                result |= _seal_figures(store, db, count, tag)
            result |= _fixity(folder, fixity_books)
        finally:
            if server is not None:
                server.stop()
    result["goals"] = {"s3_overhead_ms_per_book": 10, "fixity_books_per_s": 200}
    return result


def _fixity(folder: Path, count: int) -> dict[str, float]:
    store = open_store(f"file://{folder / 'fixity'}")
    archive = ArchiveService(store, SqlCatalog(open_database(f"sqlite:///{folder / 'fixity.db'}")))
    for n in range(count):
        archive.register(_facts(n), _book(20_000 + n))
    start = time.perf_counter()
    report = archive.fixity()
    elapsed = time.perf_counter() - start
    assert report.intact and report.checked == count
    return {"fixity_books_per_s": round(count / elapsed, 1), "fixity_books": count}
