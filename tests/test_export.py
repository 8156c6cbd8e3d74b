"""`hocba export` writes a BagIt bag of a school year; `hocba export verify` checks its manifests and re-verifies
every book offline."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import bagit
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from api.cli import app
from api.reports import check_as_json
from archive import (
    ArchiveService,
    BagInvalidError,
    ExportError,
    SqlCatalog,
    check_bag,
    open_database,
    open_store,
    write_bag,
)
from workflows import export_year

runner = CliRunner()


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("archived")
    database, storage = f"sqlite:///{folder / 'hocba.db'}", f"file://{folder / 'objects'}"
    args = ["demo", "--out", str(folder), "--students", "2", "--level", "tieu_hoc", "--json"]
    result = runner.invoke(app, [*args, "--database", database, "--storage", storage])
    assert result.exit_code == 0, result.stdout
    archive = ArchiveService(open_store(storage), SqlCatalog(open_database(database)))
    assert len(archive.sealed_versions(*_school_year(database))) == 2
    return {"database": database, "storage": storage, "root": str(folder / "pki" / "root.pem"), "folder": str(folder)}


def _school_year(database: str) -> tuple[str, str]:
    with open_database(database).connect() as conn:
        row = conn.execute(text("SELECT school_code, school_year FROM documents")).first()
    assert row is not None
    return str(row[0]), str(row[1])


def export(archived: dict[str, str], out: Path) -> int:
    code: int = _export(archived, out).exit_code
    return code


def _export(archived: dict[str, str], out: Path) -> Any:
    school, year = _school_year(archived["database"])
    args = ["export", "--school", school, "--year", year, "--out", str(out), "--trust", archived["root"]]
    args += ["--database", archived["database"], "--storage", archived["storage"]]
    return runner.invoke(app, args)


def verify(bag: Path, *extra: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, ["export", "verify", str(bag), "--json", *extra])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}


def test_export_writes_a_valid_bag_that_verifies_offline(archived: dict[str, str], tmp_path: Path) -> None:
    bag = tmp_path / "bag"
    done = _export(archived, bag)
    assert done.exit_code == 0
    info = check_bag(bag).info
    assert (info["Book-Count"], info["Verification-Failures"]) == ("2", "0")
    assert "exported 2 học bạ (+ 0" in done.stdout, "what the command says is what bag-info says"
    with (bag / "data" / "index.csv").open(encoding="utf-8-sig", newline="") as handle:
        index = list(csv.DictReader(handle))
    assert len(index) == 2 and all((bag / "data" / row["pdf"]).is_file() for row in index)
    assert all(len(row["personal_id"]) == 12 and row["full_name"] and row["status"] == "sealed" for row in index)
    assert info["School-Year"] and info["Source-Organization"].startswith("Trường")
    books = sorted((bag / "data" / "books").rglob("*"))
    assert sorted(p.suffix for p in books if p.is_file()) == [".json", ".json", ".pdf", ".pdf", ".xml", ".xml"]
    events = [json.loads(line) for line in (bag / "data" / "audit" / "events.jsonl").read_text().splitlines()]
    assert {"document.registered", "revision.stored", "book.sealed"} <= {e["action"] for e in events}
    reports = [json.loads(p.read_text()) for p in (bag / "data" / "verification").glob("*.json")]
    assert len(reports) == 2 and all(r["ok"] and r["lta"] for r in reports)
    code, summary = verify(bag, "--trust", archived["root"])
    assert (code, summary["books"], summary["failed"]) == (0, 2, [])


def test_a_changed_file_breaks_the_manifest(archived: dict[str, str], tmp_path: Path) -> None:
    bag = tmp_path / "bag"
    export(archived, bag)
    book = next((bag / "data" / "books").rglob("*.pdf"))
    data = bytearray(book.read_bytes())
    data[len(data) // 2] ^= 0x01
    book.write_bytes(bytes(data))
    with pytest.raises(BagInvalidError):
        check_bag(bag)
    assert verify(bag)[0] == 1


def test_a_forged_book_with_rewritten_manifests_fails_signature_verification(
    archived: dict[str, str], tmp_path: Path
) -> None:
    bag = tmp_path / "bag"
    export(archived, bag)
    book = sorted((bag / "data" / "books").rglob("*.pdf"))[0]
    data = bytearray(book.read_bytes())
    data[len(data) // 3] ^= 0x01
    book.write_bytes(bytes(data))
    bagit.Bag(str(bag)).save(manifests=True)  # someone who also rewrites the manifests
    code, summary = verify(bag, "--trust", archived["root"])
    assert code == 1 and summary["failed"] == [str(book.relative_to(bag / "data"))]


def test_export_never_writes_into_a_folder_that_is_not_empty(archived: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "bag").mkdir()
    (tmp_path / "bag" / "keep.txt").write_text("mine")
    assert export(archived, tmp_path / "bag") == 1
    assert [p.name for p in (tmp_path / "bag").iterdir()] == ["keep.txt"]
    with pytest.raises(ExportError) as refused:
        write_bag(tmp_path / "bag", {"x.txt": b"x"}, {})
    assert refused.value.code == "archive.export_failed"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".bag.")], "no half-written bag left"


def test_a_year_without_books_writes_nothing(archived: dict[str, str], tmp_path: Path) -> None:
    archive = ArchiveService(open_store(archived["storage"]), SqlCatalog(open_database(archived["database"])))
    school, _ = _school_year(archived["database"])
    done = export_year(archive, school, "1999-2000", [], tmp_path / "bag", check_as_json)
    assert done.empty and not done.failed and not (tmp_path / "bag").exists()
