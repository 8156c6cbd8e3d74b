"""Render many records in a process pool: one PDF per record, bad records reported and skipped.

PDF work is CPU-bound, so it runs in worker processes; each worker writes its file atomically and returns only
a small result, so the parent's memory does not grow with the batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from records import Problem, Record, canonical_json, load_file, parse_bytes, write_atomic
from templates import RenderOptions, TemplatesError, render


@dataclass(frozen=True)
class Job:
    data: bytes
    """The validated record's canonical JSON: a few KB, where the parsed model of a whole class held by the
    parent (and pickled to the workers) would cost tens of MB."""
    source: str
    index: int
    out: Path

    @classmethod
    def of(cls, record: Record, source: str, index: int, out: Path) -> Job:
        return cls(canonical_json(record), source, index, out)

    def record(self) -> Record:
        (item,) = parse_bytes(self.data, self.source).records
        if item.record is None:  # cannot happen: the data was a valid record's canonical form
            raise ValueError(f"{self.source} #{self.index} no longer validates")
        return item.record


@dataclass(frozen=True)
class Outcome:
    source: str
    index: int
    out: Path | None
    error: str | None = None
    """An internal failure (the record itself was valid)."""


@dataclass(frozen=True)
class Rejected:
    source: str
    index: int | None
    problems: tuple[Problem, ...]


def output_name(source: Path, index: int, count: int) -> str:
    """`lop6a1.jsonl` holding 40 records -> `lop6a1-1.pdf` … `lop6a1-40.pdf`; a single record keeps the stem."""
    return f"{source.stem}.pdf" if count == 1 else f"{source.stem}-{index + 1}.pdf"


def plan_jobs(files: list[Path], out_dir: Path) -> tuple[list[Job], list[Rejected]]:
    jobs: list[Job] = []
    rejected: list[Rejected] = []
    for path in files:
        report = load_file(path)
        if report.file_problems:
            rejected.append(Rejected(str(path), None, report.file_problems))
        count = len(report.records)
        for item in report.records:
            if item.record is None:
                rejected.append(Rejected(str(path), item.index, tuple(item.errors)))
            else:
                jobs.append(Job.of(item.record, str(path), item.index, out_dir / output_name(path, item.index, count)))
    return jobs, rejected


_OPTIONS = RenderOptions()


def _init(options: RenderOptions) -> None:
    global _OPTIONS  # noqa: PLW0603 - per-worker constant, set once by the pool initializer
    _OPTIONS = options


def _run(job: Job) -> Outcome:
    try:
        document = render(job.record(), _OPTIONS)
        write_atomic(job.out, document.pdf)
    except TemplatesError as exc:
        return Outcome(job.source, job.index, None, f"{exc.code}: {exc}")
    except Exception as exc:  # one broken book must not stop a principal's batch of hundreds
        return Outcome(job.source, job.index, None, f"internal: {type(exc).__name__}: {exc}")
    return Outcome(job.source, job.index, job.out)


def run_jobs(
    jobs: list[Job], options: RenderOptions, workers: int, on_done: Callable[[Outcome], None] | None = None
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    results: Iterator[Outcome]
    if workers <= 1:
        _init(options)
        results = map(_run, jobs)
        for outcome in results:
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
        return outcomes
    chunk = max(1, min(16, len(jobs) // (workers * 8) or 1))
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(options,)) as pool:
        for outcome in pool.map(_run, jobs, chunksize=chunk):
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    return outcomes


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))
