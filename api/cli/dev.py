"""`hocba pki …`, `hocba demo` and `hocba bench …`: the development tools' commands, offered when the `devtools`
package and its dependencies (the `dev` extra) are installed."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from rich.progress import Progress, TaskID

from archive import ArchiveService
from devtools import pki
from devtools.bench import (
    api_figures,
    archive_figures,
    copies_figures,
    pages_figures,
    principal_figures,
    render_figures,
    retention_figures,
    review_figures,
    sign_figures,
)
from devtools.demo import run_demo
from devtools.demo_site import DEMO_PASSWORD, DemoSite, demo_site
from workflows import rendering

from .. import wiring
from ..http import create_app
from ..settings import Settings
from .archiving import ArchiveDatabaseOpt, ArchiveStorageOpt
from .console import EXIT_BAD_INPUT, EXIT_INTERNAL, err, out, progress

pki_app = typer.Typer(no_args_is_help=True, help="Development PKI (certomancer): root, school CA, OCSP, CRL, TSA.")
bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks (JSON output).")

JsonOpt = Annotated[
    bool, typer.Option("--json/--pretty", help="One line of JSON (the default, for scripts) or indented JSON")
]


def register(app: typer.Typer) -> None:
    app.add_typer(pki_app, name="pki")
    app.add_typer(bench_app, name="bench")
    app.command("demo")(demo)
    app.command("demo-serve")(demo_serve)


@pki_app.command("init")
def pki_init(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder of the PKI")],
    records: Annotated[
        Path | None, typer.Option("--records", help="Records whose staff and school get certificates")
    ] = None,
    staff: Annotated[
        Path | None, typer.Option("--staff", help='JSON {"school": {code, name}, "staff": [{id, full_name}]}')
    ] = None,
    port: Annotated[int, typer.Option(help="Loopback port of the OCSP/CRL/TSA services (0: pick a free one)")] = 0,
) -> None:
    """Create keys (once) and certificates for every staff member and the school's seal."""
    if records is not None and staff is None:
        school, people = pki.people_from_records(records)
    elif staff is not None and records is None:
        school, people = pki.people_from_staff(staff)
    else:
        err.print("[red]Cần đúng một trong --records hoặc --staff / give exactly one of --records or --staff[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    pki.init(out_dir, school, people, port or pki.free_port())
    out.print(
        f"PKI → {out_dir} (root: {out_dir / 'root.pem'}; PKCS#12: {out_dir / 'p12'}, mật khẩu/password "
        f"{pki.DEV_PASSWORD.decode()})"
    )


@pki_app.command("serve")
def pki_serve(folder: Annotated[Path, typer.Argument()], port: Annotated[int | None, typer.Option()] = None) -> None:
    """Serve OCSP, CRLs and the TSA on 127.0.0.1 until interrupted."""
    with pki.serve(folder, port) as served:
        out.print(f"OCSP/CRL/TSA: {served.url} (TSA {served.tsa_url}); Ctrl-C để dừng / to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@pki_app.command("revoke")
def pki_revoke(folder: Annotated[Path, typer.Argument()], signer_id: Annotated[str, typer.Argument()]) -> None:
    """Revoke a staff member's (or `school:<code>`) certificate; OCSP and CRL answers follow."""
    when = pki.revoke(folder, signer_id)
    out.print(f"Đã thu hồi / revoked {signer_id} at {when.isoformat()}")


class _Bar:
    """The demo's progress on a rich bar: one task per stage."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task: TaskID | None = None

    def start(self, label: str, total: int) -> None:
        self.task = self.bar.add_task(label, total=total)

    def advance(self) -> None:
        if self.task is not None:
            self.bar.advance(self.task)


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's files")] = Path("var/demo"),
    students: Annotated[int, typer.Option(min=1, max=2000)] = 4,
    level: Annotated[str, typer.Option(help="tieu_hoc | thcs | thpt")] = "thcs",
    jobs: Annotated[int, typer.Option(min=1)] = rendering.default_workers(),
    as_json: Annotated[bool, typer.Option("--json")] = False,
    storage: ArchiveStorageOpt = None,
    database: ArchiveDatabaseOpt = None,
) -> None:
    """Records in OUT/records.jsonl, rendered books in OUT/books/, the PKI in OUT/pki/, sealed books in OUT/sealed/.

    With --storage or --database every revision is archived as it is signed and each sealed book is written to
    the locked store with its retention, the audit trail anchored at every seal (defaults: OUT/objects and
    OUT/hocba.db)."""
    if level not in ("tieu_hoc", "thcs", "thpt"):
        raise typer.BadParameter(f"unknown level {level}", param_hint="--level")
    if storage or database:
        storage = storage or f"file://{(out_dir / 'objects').resolve()}"
        database = database or f"sqlite:///{(out_dir / 'hocba.db').resolve()}"

    opener = partial(_archive_service, database, storage) if database and storage else None
    with progress() as bar:
        result = run_demo(out_dir, students, level, jobs, _Bar(bar), opener)
    summary = {
        "records": str(result.records),
        "books": [str(b) for b in result.books],
        "sealed": [str(s) for s in result.sealed],
        "root": str(result.root),
        "rendered": len(result.books),
        "sealed_count": len(result.sealed),
        "archived_count": result.archived,
        "storage": result.storage,
        "database": database,
        "failed": result.failed,
    }
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        out.print(f"Hồ sơ mẫu / sample records: {result.records}")
        out.print(f"Học bạ / books: {len(result.books)} → {out_dir / 'books'}")
        out.print(f"Đã ký và đóng dấu / signed and sealed: {len(result.sealed)} → {out_dir / 'sealed'}")
        out.print(f"Chứng thư gốc để kiểm tra / root for verification: {result.root}")
        if database:
            out.print(f"Đã lưu trữ / archived: {result.archived} → {database} + {result.storage}")
        for problem in result.failed:
            out.print(f"[red]{problem}[/red]")
    if result.failed:
        raise typer.Exit(EXIT_INTERNAL)


@contextmanager
def _archive_service(database: str, storage: str, tsa_url: str) -> Iterator[ArchiveService]:
    with wiring.archive(database, storage, tsa_url) as built:
        yield built.service


def _emit(result: dict[str, Any], as_json: bool) -> None:
    """Every benchmark prints its figures the same way: JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(result, indent=None if as_json else 2, ensure_ascii=False) + "\n")


@bench_app.command("render")
def render_bench(
    docs: Annotated[int, typer.Option(help="Documents timed one by one")] = 60,
    batch_docs: Annotated[
        int, typer.Option("--batch", help="Records in the --jobs 1 / --jobs 2 runs (0: skip)")
    ] = 1000,
    as_json: JsonOpt = True,
) -> None:
    """A THCS book (PDF/A-3b with fields, QR and attachments) against bare ReportLab of the same shape."""
    _emit(render_figures(docs, batch_docs), as_json)


@bench_app.command("sign")
def sign_bench(
    repeats: Annotated[int, typer.Option(help="Principal signatures timed on the same base")] = 20,
    books: Annotated[int, typer.Option(help="Books taken through the whole chain")] = 3,
    bulk: Annotated[int, typer.Option(help="Books in the bulk run (a sitting on every core)")] = 1000,
    as_json: JsonOpt = True,
) -> None:
    """Per-signature, chain, verification and bulk figures (JSON)."""
    _emit(sign_figures(repeats, books, bulk), as_json)


@bench_app.command("archive")
def archive_bench(
    count: Annotated[int, typer.Option(help="Books per measurement")] = 30,
    fixity_books: Annotated[int, typer.Option(help="Books in the fixity run")] = 300,
    database: Annotated[str | None, typer.Option(help="Catalog database (default: a temporary SQLite)")] = None,
    s3: Annotated[str | None, typer.Option(help="s3://… to measure (default: a local SeaweedFS)")] = None,
    as_json: JsonOpt = True,
) -> None:
    """JSON with put/get medians (filesystem and S3), seal overhead, and fixity books/s."""
    _emit(archive_figures(count, fixity_books, database, s3), as_json)


@bench_app.command("api")
def api_bench(
    books: Annotated[int, typer.Option(help="Books in the sitting, through the API and on the command line")] = 200,
    verify_requests: Annotated[int, typer.Option("--verify-requests", help="Checks of a sealed book")] = 200,
    status_seconds: Annotated[float, typer.Option("--status-seconds", help="Seconds of status reads")] = 10.0,
    principal_books: Annotated[
        int, typer.Option("--principal-books", help="Books in the principal's sitting (0: not measured)")
    ] = 1000,
    as_json: JsonOpt = True,
) -> None:
    """The public check at 8 clients, status reads at 200 a second, a teacher's and a principal's sitting through
    the API against `hocba sign --batch` (JSON)."""
    figures = api_figures(books, verify_requests, status_seconds)
    if principal_books:
        figures["principal_sitting"] = principal_figures(principal_books)
    _emit(figures, as_json)


@bench_app.command("pages")
def pages_bench(
    books: Annotated[int, typer.Option(help="The school's primary books")] = 1000,
    reads: Annotated[int, typer.Option(help="Reads of each page")] = 20,
    as_json: JsonOpt = True,
) -> None:
    """The principal's progress and signing pages, the homeroom teacher's signing page and the school's list of
    books through the HTTP service, over a school of BOOKS books (JSON, milliseconds)."""
    _emit(pages_figures(books, reads), as_json)


@bench_app.command("retention")
def retention_bench(
    books: Annotated[int, typer.Option(help="Sealed books renewed (see --sealed)")] = 200,
    review_objects: Annotated[
        int, typer.Option("--review-objects", help="Objects in the disposition review")
    ] = 100_000,
    jobs: Annotated[
        int,
        typer.Option(
            min=0, help="1: renew in this process; N: in N worker processes; 0: as retimestamp (a core each from 1,000)"
        ),
    ] = 0,
    sealed: Annotated[
        int, typer.Option(min=1, help="Books signed and sealed first; the others are copies of them")
    ] = 200,
    as_json: JsonOpt = True,
) -> None:
    """Finding the sealed books whose archive timestamp is due and renewing them (books per second), and the
    yearly disposition review over many objects (JSON)."""
    _emit({**retention_figures(books, jobs, sealed), "review": review_figures(review_objects)}, as_json)


@bench_app.command("copies")
def copies_bench(
    repeats: Annotated[int, typer.Option(help="Copies issued one after another")] = 7,
    status_seconds: Annotated[float, typer.Option("--status-seconds", help="Seconds of public status reads")] = 10.0,
    as_json: JsonOpt = True,
) -> None:
    """Issuing a SAO Y copy of a sealed THCS book end to end, and the copy's public status at 200 reads a
    second (JSON)."""
    _emit(copies_figures(repeats, status_seconds), as_json)


def demo_serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    folder: Annotated[Path, typer.Option("--folder", help="The demo school's data (rebuilt)")] = Path("var/demo-site"),
    students: Annotated[int, typer.Option(min=1, max=200)] = 6,
) -> None:
    """Serve a demo school: its class rendered into an archive, the development PKI and remote-signing services
    running, the first books' subject rows signed, one account per role. Ctrl-C stops it all."""
    with progress() as bar:
        task = bar.add_task("Chuẩn bị trường mẫu / seeding the demo school", total=None)
        with demo_site(folder, students) as site:
            bar.remove_task(task)
            _show_site(site, host, port)
            settings = Settings(
                database=site.database,
                storage=site.storage,
                trust_roots=(site.trust_root,),
                tsa_url=site.tsa_url,
                csc_url=site.csc_url,
                confirm_url=site.confirm_url,
                signing_plugin=site.signing_plugin,
                exports=site.folder / "exports",
                seal_key=site.seal_key,
            )
            os.environ.setdefault("HOCBA_SEAL_SECRET", pki.DEV_PASSWORD.decode())  # the demo PKI's, demo data only
            bar.stop()
            uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", server_header=False)


def _show_site(site: DemoSite, host: str, port: int) -> None:
    base = f"http://{host}:{port}"
    out.print(f"hocba: {base}  (API: {base}/v1/docs)   Ctrl-C to stop")
    out.print(f"Trường / school {site.school_code}, năm học / year {site.school_year}: {site.books} books")
    out.print(f"Mật khẩu mọi tài khoản / every account's password: {DEMO_PASSWORD}")
    out.print(f"Học bạ đã đóng dấu / sealed book (hoc.sinh may ask for a copy): {site.sealed_book}")
    for account in site.accounts:
        second = f"  second factor (recovery code): {account.second_factor}" if account.second_factor else ""
        out.print(f"  {account.username:<12} {account.role.value:<11}{second}")
