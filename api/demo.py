"""`hocba demo`: a sample class rendered end to end (the main job of `make run`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from records import dumps_jsonl, generate_sample
from templates import RenderOptions, write_atomic

from . import batch
from .console import EXIT_INTERNAL, out, progress

DEFAULT_GRADE = {"tieu_hoc": 3, "thcs": 6, "thpt": 10}


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's files")] = Path("var/demo"),
    students: Annotated[int, typer.Option(min=1, max=2000)] = 8,
    level: Annotated[str, typer.Option(help="tieu_hoc | thcs | thpt")] = "thcs",
    jobs: Annotated[int, typer.Option(min=1)] = batch.default_workers(),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Render a sample class: records in `OUT/records.jsonl`, books in `OUT/books/`."""
    if level not in DEFAULT_GRADE:
        raise typer.BadParameter(f"unknown level {level}", param_hint="--level")
    records_file = out_dir / "records.jsonl"
    write_atomic(records_file, dumps_jsonl(generate_sample(level, DEFAULT_GRADE[level], students, seed=2025)).encode())
    jobs_list, rejected = batch.plan_jobs([records_file], out_dir / "books")
    with progress() as bar:
        task = bar.add_task("Đang tạo học bạ / rendering", total=len(jobs_list))
        outcomes = batch.run_jobs(jobs_list, RenderOptions(), jobs, on_done=lambda _: bar.advance(task))
    books = [str(o.out) for o in outcomes if o.out]
    failed = [o.error for o in outcomes if o.error] + [f"record {r.index} rejected" for r in rejected]
    if as_json:
        sys.stdout.write(
            json.dumps(
                {"records": str(records_file), "books": books, "rendered": len(books), "failed": failed},
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    else:
        out.print(f"Hồ sơ mẫu / sample records: {records_file}")
        out.print(f"Học bạ / books: {len(books)} → {out_dir / 'books'}")
        for problem in failed:
            out.print(f"[red]{problem}[/red]")
    if failed:
        raise typer.Exit(EXIT_INTERNAL)
