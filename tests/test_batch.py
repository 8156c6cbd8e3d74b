"""Batch rendering and file writing: failures leave nothing behind and never stop the rest."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from records import write_atomic
from templates import RenderOptions, render
from workflows import rendering as batch

from .conftest import to_record


def test_write_atomic_leaves_nothing_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "hs.pdf"
    write_atomic(target, b"old complete file")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, b"new file that never lands")
    assert target.read_bytes() == b"old complete file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hs.pdf"]


def test_one_broken_book_does_not_stop_the_batch(
    tmp_path: Path, raw_samples: dict[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [to_record(v) for v in raw_samples["thcs"][:3]]
    jobs = [batch.Job.of(r, "lop.jsonl", i, tmp_path / f"lop-{i + 1}.pdf") for i, r in enumerate(records)]

    def flaky(record: Any, options: RenderOptions) -> Any:
        if record.student.personal_id == records[1].student.personal_id:
            raise RuntimeError("font cache corrupted")
        return render(record, options)

    monkeypatch.setattr("workflows.rendering.render", flaky)
    outcomes = batch.run_jobs(jobs, RenderOptions(), workers=1)
    assert [o.error is None for o in outcomes] == [True, False, True]
    assert "RuntimeError: font cache corrupted" in (outcomes[1].error or "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lop-1.pdf", "lop-3.pdf"]


def test_job_round_trips_the_record(raw_samples: dict[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    record = to_record(raw_samples["tieu_hoc"][3])
    job = batch.Job.of(record, "x.jsonl", 3, tmp_path / "x.pdf")
    assert job.record() == record
    assert len(job.data) < 20_000


def test_output_names() -> None:
    assert batch.output_name(Path("in/lop6a1.jsonl"), 0, 40) == "lop6a1-1.pdf"
    assert batch.output_name(Path("in/lop6a1.jsonl"), 39, 40) == "lop6a1-40.pdf"
    assert batch.output_name(Path("hs.json"), 0, 1) == "hs.pdf"
