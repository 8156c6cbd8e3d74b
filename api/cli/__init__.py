"""The `hocba` command line. Exit codes everywhere: 0 ok, 2 bad input, 1 internal error."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from archive import ArchiveService
from records import Record, dumps_jsonl, generate_sample, json_schema, load_file, write_atomic
from templates import (
    DEFAULT_VERIFY_URL,
    Profile,
    RenderOptions,
    parse_now,
    render,
)
from workflows import register_book, tune_collector
from workflows import rendering as batch

from .. import wiring
from ..runtime import quiet_libraries
from ..settings import Settings, SettingsError
from . import (
    accounts,
    archiving,
    copies,
    corrections,
    exporting,
    external,
    importing,
    retention,
    serve,
    signing,
    verifying,
)
from .console import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, err, out, progress, show_problem
from .errors import HandledGroup, show


def _dev_tools_installed() -> bool:
    """The development tools come with the `dev` extra (certomancer and its web stack); the image has neither."""
    return all(importlib.util.find_spec(name) is not None for name in ("devtools", "certomancer", "werkzeug"))


app = typer.Typer(
    cls=HandledGroup, no_args_is_help=True, add_completion=False, help="Học bạ số: intake, rendering, signing, archive."
)
app.command("import")(importing.import_sheet)
app.command("serve")(serve.serve)
app.command("worker")(serve.worker)
app.command("sign")(signing.sign)
app.command("verify")(verifying.verify_cmd)
app.add_typer(external.app, name="sign-external")
app.add_typer(archiving.audit_app, name="audit")
app.add_typer(archiving.fixity_app, name="fixity")
for name, command in (
    ("hold", retention.hold),
    ("release", retention.release),
    ("holds", retention.holds_list),
    ("review", retention.review),
    ("dispose", retention.dispose),
    ("retimestamp", retention.retimestamp),
    ("evidence", retention.evidence),
    ("report", retention.report),
):
    archiving.retention_app.command(name)(command)
app.add_typer(archiving.retention_app, name="retention")
app.command("reconcile")(archiving.reconcile)
app.add_typer(archiving.db_app, name="db")
app.command("latest")(archiving.latest)
app.add_typer(exporting.app, name="export")
app.add_typer(corrections.app, name="correction")
app.add_typer(copies.app, name="copy")
app.add_typer(accounts.app, name="account")

if _dev_tools_installed():
    from . import dev

    dev.register(app)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@app.command()
def schema() -> None:
    """Print the JSON Schema of the hocba-record/1 format."""
    out.print_json(json.dumps(json_schema(), ensure_ascii=False))


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Record files (.json, .jsonl)")],
    as_json: JsonFlag = False,
) -> None:
    """Validate record files: exit 0 when every record is valid (warnings allowed), 2 otherwise."""
    reports = [load_file(path) for path in files]
    if as_json:
        payload = [r.as_dict() for r in reports]
        sys.stdout.write(json.dumps(payload if len(payload) > 1 else payload[0], ensure_ascii=False, indent=2) + "\n")
    else:
        for report in reports:
            for problem in report.file_problems:
                show_problem(report.file, problem)
            for item in report.records:
                for problem in item.problems:
                    show_problem(f"{report.file} #{item.index}", problem)
            good = sum(1 for r in report.records if r.valid)
            mark = "[green]✓[/green]" if report.valid else "[red]✗[/red]"
            out.print(f"{mark} {report.file}: {good}/{len(report.records)} hồ sơ hợp lệ / records valid")
    raise typer.Exit(EXIT_OK if all(r.valid for r in reports) else EXIT_BAD_INPUT)


@app.command()
def sample(
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write")],
    level: Annotated[str, typer.Option(help="tieu_hoc | thcs | thpt")] = "thcs",
    grade: Annotated[int, typer.Option(help="Grade (1–12, within the level)")] = 6,
    students: Annotated[int, typer.Option(min=1, max=5000)] = 40,
    seed: int = 0,
    xlsx: Annotated[bool, typer.Option("--xlsx", help="Write the empty class-sheet template instead")] = False,
) -> None:
    """Write realistic, rule-consistent sample records (JSON Lines), or the spreadsheet template."""
    if xlsx:
        importing.write_template(output, level)
        out.print(f"Đã ghi mẫu bảng tính / template written: {output}")
        return
    try:
        values = generate_sample(level, grade, students, seed)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    write_atomic(output, dumps_jsonl(values).encode())
    out.print(f"Đã ghi {students} hồ sơ / wrote {students} records: {output}")


ProfileOpt = Annotated[Profile, typer.Option("--profile", help="Output profile")]
NowOpt = Annotated[
    str | None, typer.Option("--now", help="Creation time (ISO 8601); default: the record's finalized_at")
]
VerifyOpt = Annotated[str, typer.Option("--verify-url", envvar="HOCBA_VERIFY_URL", help="Base URL in the QR code")]


@app.command("render")
def render_cmd(
    files: Annotated[list[Path], typer.Argument(help="Record files")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output PDF (one record)")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", help="Output folder (many records)")] = None,
    profile: ProfileOpt = Profile.PDFA_3B,
    now: NowOpt = None,
    verify_url: VerifyOpt = DEFAULT_VERIFY_URL,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes")] = 1,
    database: archiving.ArchiveDatabaseOpt = None,
    storage: archiving.ArchiveStorageOpt = None,
) -> None:
    """Render records to PDF/A học bạ with every signature field of their plan.

    With --database and --storage each book is registered in the archive (its first revision, its record, its
    school, student and staff) as soon as it is rendered; `hocba sign` with the same options then keeps every
    signature there."""
    try:
        options = RenderOptions(profile=profile, now=parse_now(now), verify_url=verify_url)
    except ValueError as exc:
        err.print(f"[red]--now: {exc}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if (output is None) == (out_dir is None):
        err.print("[red]Cần đúng một trong -o hoặc --out-dir / give exactly one of -o or --out-dir[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    with archiving.maybe_opened(database, storage) as archive:
        if output is not None:
            raise typer.Exit(_render_one(files, output, options, archive))
        assert out_dir is not None
        raise typer.Exit(_render_many(files, out_dir, options, jobs, archive))


def _register(archive: ArchiveService | None, record: Record, pdf: bytes, where: Path) -> None:
    if archive is None:
        return
    registered = register_book(archive, record, pdf)
    if registered.earlier:  # an earlier rendering, perhaps signed since
        version = registered.version
        err.print(
            f"[yellow]{where}: {version.document_id} đã có trong lưu trữ (phiên bản {version.version}, "
            f"{version.status.value}); hãy ký bản đã lưu / already archived, sign the archived copy[/yellow]"
        )


def _render_one(files: list[Path], output: Path, options: RenderOptions, archive: ArchiveService | None) -> int:
    report = load_file(files[0]) if len(files) == 1 else None
    if report is None or len(report.records) != 1:
        err.print(
            "[red]-o nhận đúng một hồ sơ; dùng --out-dir cho nhiều hồ sơ / -o takes exactly one record; "
            "use --out-dir for many[/red]"
        )
        return EXIT_BAD_INPUT
    for problem in report.file_problems:
        show_problem(report.file, problem)
    item = report.records[0]
    for problem in item.problems:
        show_problem(report.file, problem)
    if item.record is None:
        return EXIT_BAD_INPUT
    document = render(item.record, options)
    _register(archive, item.record, document.pdf, output)
    write_atomic(output, document.pdf)
    out.print(f"{output} ({document.pages} trang, {document.document_id})")
    return EXIT_OK


def _render_many(
    files: list[Path], out_dir: Path, options: RenderOptions, workers: int, archive: ArchiveService | None
) -> int:
    jobs, rejected = batch.plan_jobs(files, out_dir)
    by_path = {job.out: job for job in jobs}

    def done(outcome: batch.Outcome) -> None:
        if outcome.out is not None:
            _register(archive, by_path[outcome.out].record(), outcome.out.read_bytes(), outcome.out)
        bar.advance(task)

    for item in rejected:
        where = item.source if item.index is None else f"{item.source} #{item.index}"
        for problem in item.problems:
            show_problem(where, problem)
    with progress() as bar:
        task = bar.add_task("Đang tạo học bạ / rendering", total=len(jobs))
        outcomes = batch.run_jobs(jobs, options, workers, on_done=done)
    failed = [o for o in outcomes if o.error]
    for o in failed:
        err.print(f"[red]{o.source} #{o.index}: {o.error}[/red]")
    out.print(
        f"{len(outcomes) - len(failed)} PDF → {out_dir}; {len(rejected)} bị từ chối / rejected; "
        f"{len(failed)} lỗi / failed"
    )
    if failed:
        return EXIT_INTERNAL
    return EXIT_BAD_INPUT if rejected else EXIT_OK


def main() -> None:
    tune_collector()
    quiet_libraries()
    try:
        wiring.start(Settings.from_env())
    except SettingsError as exc:
        show(exc)
        sys.exit(EXIT_BAD_INPUT)
    app()
