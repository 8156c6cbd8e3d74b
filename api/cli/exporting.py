"""`hocba export`: a school year's sealed books as a BagIt bag for external media; `hocba export verify` checks
one, manifests first, then every signature offline from the books' own validation data."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from archive import (
    DEFAULT_DATABASE,
    DEFAULT_STORAGE,
    ArchiveError,
    check_bag,
)
from signer import UnreadableDocumentError, load_roots, verify
from workflows import export_year

from .. import wiring
from ..reports import check_as_json
from .archiving import DatabaseOpt, StorageOpt, opened
from .console import EXIT_BAD_INPUT, EXIT_NOT_GENUINE, EXIT_OK, err, out

app = typer.Typer(help="Year-end export to external media (BagIt).")
INDEX_COLUMNS = ("personal_id", "full_name", "class_name", "document_id", "version", "status", "pdf")
TrustOpt = Annotated[list[Path], typer.Option("--trust", help="Trusted root certificate(s)")]


@app.callback(invoke_without_command=True)
def export(
    ctx: typer.Context,
    school: Annotated[str | None, typer.Option("--school", help="School code")] = None,
    year: Annotated[str | None, typer.Option("--year", help="School year, YYYY-YYYY")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="New folder for the bag")] = None,
    trust: TrustOpt = [],  # noqa: B006
    database: DatabaseOpt = DEFAULT_DATABASE,
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Write the sealed books of one school year, their XML and JSON, the audit excerpt and verification reports."""
    if ctx.invoked_subcommand is not None:
        return
    trust = trust or list(wiring.settings().trust_roots)
    if not (school and year and out_dir and trust):
        err.print("[red]Cần --school, --year, --out và --trust / --school, --year, --out and --trust are needed[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    roots = list(load_roots(trust))
    with opened(database, storage) as archive:
        done = export_year(archive, school, year, roots, out_dir, check_as_json)
    if done.empty:
        err.print(f"[red]Không có học bạ đã lưu trữ của {school} năm {year} / no sealed books found[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    out.print(
        f"Đã xuất / exported {done.sealed} học bạ (+ {done.superseded} phiên bản đã bị thay thế / superseded "
        f"versions) → {out_dir}"
    )
    for name in done.failed:
        err.print(f"[red]không hợp lệ / does not verify: {escape(name)}[/red]")
    raise typer.Exit(EXIT_OK if not done.failed else EXIT_NOT_GENUINE)


@app.command("verify")
def export_verify(
    folder: Annotated[Path, typer.Argument(help="The bag")],
    trust: TrustOpt = [],  # noqa: B006
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Exit 0 when the manifests hold and every book verifies offline; 1 naming what does not."""
    try:
        bag = check_bag(folder)
    except ArchiveError as exc:
        err.print(f"[red]{exc.code}: {escape(str(exc))}[/red]")
        raise typer.Exit(EXIT_NOT_GENUINE) from None
    # The roots given on the command line are the verifier's own; the bag's copy is used only when none is given.
    roots = list(load_roots(trust or [folder / "data" / "trust" / "roots.pem"]))
    results: dict[str, bool] = {}
    for path in sorted((folder / "data" / "books").rglob("*.pdf")):
        try:
            results[str(path.relative_to(folder / "data"))] = verify(path.read_bytes(), roots, offline=True).ok
        except UnreadableDocumentError:
            results[str(path.relative_to(folder / "data"))] = False
    failed = [name for name, ok in results.items() if not ok]
    summary = {"bag_valid": True, "books": len(results), "failed": failed, "info": dict(bag.info)}
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        colour = "green" if not failed else "red"
        out.print(f"[{colour}]Gói hợp lệ / bag valid; {len(results) - len(failed)}/{len(results)} học bạ hợp lệ[/]")
        for name in failed:
            err.print(f"[red]không hợp lệ / does not verify: {escape(name)}[/red]")
    raise typer.Exit(EXIT_OK if not failed and results else EXIT_NOT_GENUINE)
