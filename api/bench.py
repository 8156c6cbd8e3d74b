"""`hocba bench …`: speed and memory figures as JSON (targets are checked here, never in timed tests)."""

from __future__ import annotations

import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from records import Record, dumps_jsonl, generate_sample, validate_record
from templates import RenderOptions, render, render_plain

from . import batch

app = typer.Typer(no_args_is_help=True, help="Benchmarks (JSON output).")


def _records(count: int, seed: int) -> list[Record]:
    out = []
    for raw in generate_sample("thcs", 6, count, seed):
        report = validate_record(json.loads(dumps_jsonl([raw])))
        assert report.record is not None
        out.append(report.record)
    return out


def _median_ms(fn: Callable[[Record], Any], records: list[Record]) -> float:
    times = []
    for record in records:
        start = time.perf_counter()
        fn(record)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _batch_rate(records: list[Record], workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [batch.Job(r, "bench", i, Path(tmp) / f"{i}.pdf") for i, r in enumerate(records)]
        start = time.perf_counter()
        outcomes = batch.run_jobs(jobs, RenderOptions(), workers)
        elapsed = time.perf_counter() - start
    assert all(o.error is None for o in outcomes)
    return len(records) / elapsed


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


@app.command("render")
def render_bench(
    docs: Annotated[int, typer.Option(help="Documents timed one by one")] = 30,
    batch_docs: Annotated[
        int, typer.Option("--batch", help="Records in the --jobs 1 / --jobs 2 runs (0: skip)")
    ] = 1000,
    as_json: Annotated[bool, typer.Option("--json")] = True,
) -> None:
    """A THCS book (PDF/A-3b with fields, QR and attachments) against bare ReportLab of the same shape."""
    records = _records(docs, seed=7)
    render(records[0]), render_plain(records[0])  # warm-up: fonts, imports
    ours = _median_ms(render, records)
    plain = _median_ms(render_plain, records)
    result: dict[str, Any] = {
        "docs": docs,
        "ms_per_doc_median": round(ours, 2),
        "plain_reportlab_ms_per_doc": round(plain, 2),
        "ratio": round(ours / plain, 3),
    }
    if batch_docs:
        many = _records(batch_docs, seed=8)
        one = _batch_rate(many, 1)
        two = _batch_rate(many, 2)
        result.update(
            batch_docs=batch_docs,
            jobs1_docs_per_s=round(one, 2),
            jobs2_docs_per_s=round(two, 2),
            jobs2_speedup=round(two / one, 3),
        )
    result["peak_rss_mb_parent"] = round(_rss_mb(resource.RUSAGE_SELF), 1)
    result["peak_rss_mb_largest_worker"] = round(_rss_mb(resource.RUSAGE_CHILDREN), 1)
    sys.stdout.write(json.dumps(result, indent=None if as_json else 2) + "\n")
