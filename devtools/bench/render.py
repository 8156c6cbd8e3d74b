"""Rendering figures (`hocba bench render`): a book against bare ReportLab, and batches on one and two cores."""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from records import Record, dumps_jsonl, generate_sample, record_data, validate_record
from templates import RenderOptions, render, render_plain
from workflows import rendering as batch


def sample_records(count: int, seed: int) -> list[Record]:
    out = []
    for raw in generate_sample("thcs", 6, count, seed):
        report = validate_record(json.loads(dumps_jsonl([raw])))
        assert report.record is not None
        out.append(report.record)
    return out


def _paired_ms(
    first: Callable[[Record], Any], second: Callable[[Record], Any], records: list[Record]
) -> tuple[float, float]:
    """Median ms of each function, timed alternately on the same records so that machine noise (a shared
    2-core machine drifts by tens of percent within a minute) falls on both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for record in records:
        for fn, bucket in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            fn(record)
            bucket.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def _batch_rate(records: list[Record], workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [batch.Job.of(r, "bench", i, Path(tmp) / f"{i}.pdf") for i, r in enumerate(records)]
        start = time.perf_counter()
        outcomes = batch.run_jobs(jobs, RenderOptions(), workers)
        elapsed = time.perf_counter() - start
    assert all(o.error is None for o in outcomes)
    return len(records) / elapsed


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def _tree_pss_mb(root: int) -> float:
    """Proportional set size of a process and its children: forked workers share pages with their
    parent, so the sum of RSS would count the same memory several times."""
    total_kib = 0
    pids = [root]
    for task in Path(f"/proc/{root}/task").glob("*/children"):
        pids += [int(p) for p in task.read_text().split()]
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kib += int(line.split()[1])
        except OSError:  # the process ended between listing and reading
            continue
    return total_kib / 1024


def _batch_memory(records: list[Record], workers: int) -> tuple[float, float]:
    """Peak memory (PSS of the whole process tree) and docs/s of `hocba render --out-dir --jobs N`."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "batch.jsonl"
        source.write_text(dumps_jsonl([record_data(r) for r in records]), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "api",
            "render",
            str(source),
            "--out-dir",
            f"{tmp}/out",
            "--jobs",
            str(workers),
        ]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, _tree_pss_mb(process.pid))
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        if process.returncode != 0:
            raise RuntimeError(f"batch render failed with exit code {process.returncode}")
    return peak, len(records) / elapsed


def render_figures(docs: int = 60, batch_docs: int = 1000) -> dict[str, Any]:
    """A THCS book (PDF/A-3b with fields, QR and attachments) against bare ReportLab of the same shape, timed one
    by one over `docs` records; then `batch_docs` records on one and two cores (0: skip)."""
    records = sample_records(docs, seed=7)
    render(records[0]), render_plain(records[0])  # warm-up: fonts, imports
    ours, plain = _paired_ms(render, render_plain, records)
    result: dict[str, Any] = {
        "docs": docs,
        "ms_per_doc_median": round(ours, 2),
        "plain_reportlab_ms_per_doc": round(plain, 2),
        "ratio": round(ours / plain, 3),
    }
    if batch_docs:
        many = sample_records(batch_docs, seed=8)
        one = _batch_rate(many, 1)
        two = _batch_rate(many, 2)
        peak, rate = _batch_memory(many, 2)
        result.update(
            batch_docs=batch_docs,
            jobs1_docs_per_s=round(one, 2),
            jobs2_docs_per_s=round(two, 2),
            jobs2_speedup=round(two / one, 3),
            cli_jobs2_docs_per_s=round(rate, 2),
            cli_jobs2_peak_pss_mb=round(peak, 1),
        )
    result["peak_rss_mb_parent"] = round(_rss_mb(resource.RUSAGE_SELF), 1)
    result["peak_rss_mb_largest_worker"] = round(_rss_mb(resource.RUSAGE_CHILDREN), 1)
    return result
