"""`hocba bench archive`: put/get medians on both stores, the archive's overhead per sealed book beyond the raw
put, and fixity throughput. Goals: overhead ≤ 10 ms per book on S3; fixity ≥ 200 books/s on the filesystem."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from archive import (
    ArchiveService,
    BookFacts,
    Lock,
    ObjectStore,
    SqlCatalog,
    open_database,
    open_store,
    sha256_hex,
)

from . import s3dev

BOOK_SIZE = 900_000  # a sealed 15-signature THCS book


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
        "hoc_ba",
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
    """The whole seal (rows, locked put, audit event, anchor object and row) minus the raw locked put."""
    archive = ArchiveService(store, SqlCatalog(open_database(database)))
    books = [_book(10_000 + n) for n in range(count)]
    for n, pdf in enumerate(books):
        archive.register(_facts(n), pdf)
    seal = _median_ms(lambda n: archive.seal(f"HB-BENCH-{n:06d}", books[n]), count)
    raw = _store_figures(store, count, f"{tag}_again")[f"{tag}_again_put_locked_ms_median"]
    return {f"{tag}_seal_ms_median": seal, f"{tag}_overhead_ms_per_book": round(seal - raw, 2)}


def archive_bench(
    count: Annotated[int, typer.Option(help="Books per measurement")] = 30,
    fixity_books: Annotated[int, typer.Option(help="Books in the fixity run")] = 300,
    database: Annotated[str | None, typer.Option(help="Catalog database (default: a temporary SQLite)")] = None,
    s3: Annotated[str | None, typer.Option(help="s3://… to measure (default: a local SeaweedFS)")] = None,
) -> None:
    """JSON with put/get medians (filesystem and S3), seal overhead, and fixity books/s."""
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
    sys.stdout.write(json.dumps(result) + "\n")


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
