"""The archivist's commands end to end: a demo class signed and archived on PostgreSQL and S3 (and on the
embedded SQLite and filesystem store), then audit, fixity and reconciliation from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from minio.error import S3Error
from typer.testing import CliRunner

from api.cli import app
from archive import ArchiveService, SqlCatalog, VersionStatus, open_database, open_store

from .db_fixtures import pg_schema_url
from .storage_fixtures import SECRET, S3Server, new_bucket

runner = CliRunner()


def run(*args: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, list(args))
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        raise AssertionError(f"{args}: exit {result.exit_code}\n{result.stdout}\n{result.stderr}") from None


def test_demo_archives_on_postgresql_and_s3(pg_run_database: str, s3_server: S3Server, tmp_path: Path) -> None:
    database, bucket = pg_schema_url(pg_run_database), new_bucket()
    storage = s3_server.url(bucket)
    demo = ["demo", "--out", str(tmp_path / "refused"), "--students", "1", "--storage", storage, "--database", database]
    outdated = runner.invoke(app, demo)
    assert outdated.exit_code != 0 and "archive.database_outdated" in outdated.output
    assert "hocba db upgrade" in outdated.output
    upgraded = runner.invoke(app, ["db", "upgrade", "--database", database])
    assert upgraded.exit_code == 0 and "→" in upgraded.output
    assert "already current" in runner.invoke(app, ["db", "upgrade", "--database", database]).output
    code, summary = run(
        "demo", "--out", str(tmp_path), "--students", "1", "--storage", storage, "--database", database, "--json"
    )
    assert (code, summary["sealed_count"], summary["archived_count"]) == (0, 1, 1)
    assert SECRET not in json.dumps(summary), "the storage secret is never printed"

    archive = ArchiveService(open_store(storage), SqlCatalog(open_database(database)))
    (version,) = archive._catalog.versions()
    assert version.status is VersionStatus.SEALED and version.sealed_key
    sealed_file = Path(str(summary["sealed"][0]))  # type: ignore[index]
    assert archive._store.get(version.sealed_key) == sealed_file.read_bytes()
    revisions = archive._catalog.revisions(version.document_id, 1)
    assert len(revisions) == version.revision_count >= 4  # rendered + every signature of the plan
    assert revisions[0].signer_id is None and all(r.signer_id and r.field for r in revisions[1:])
    assert (revisions[-1].signer_id or "").startswith("school:"), "the seal's revision is the last"

    code, audit = run("audit", "verify", "--database", database, "--storage", storage, "--json")
    assert (code, audit["intact"]) == (0, True) and audit["anchors"] == 1
    code, fixity = run("fixity", "run", "--database", database, "--storage", storage, "--json")
    assert (code, fixity["intact"], fixity["checked"]) == (0, True, version.revision_count + 1)

    raw = s3_server.raw()
    head = raw.stat_object(bucket, version.sealed_key)
    with pytest.raises(S3Error) as refused:
        raw.remove_object(bucket, version.sealed_key, version_id=head.version_id)
    assert refused.value.code in {"AccessDenied", "InvalidRequest"}


def test_embedded_defaults_fixity_failure_and_reconcile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, summary = run(
        "demo",
        "--out",
        "demo",
        "--students",
        "1",
        "--level",
        "tieu_hoc",
        "--json",
        "--database",
        "sqlite:///./var/hocba.db",
        "--storage",
        "file://./var/objects",
    )
    assert (code, summary["archived_count"]) == (0, 1)
    # The commands find the same archive through their embedded defaults.
    assert run("audit", "verify", "--json")[0] == 0
    assert run("reconcile", "--json") == (0, {"finished": [], "undone": [], "orphans": []})
    fresh = {"dry_run": False, "renewed": [], "within_years": 10}
    assert run("retention", "renew", "--json") == (0, fresh), "a fresh lock is not due"
    code, would = run("retention", "renew", "--within-years", "101", "--dry-run", "--json")
    assert code == 0 and would["dry_run"] is True and would["renewed"]
    code, due = run("retention", "renew", "--within-years", "101", "--json")
    assert code == 0 and any(str(k).startswith("sealed/") for k in due["renewed"])  # type: ignore[attr-defined]
    assert due["renewed"] == would["renewed"]  # the dry run moved nothing: the same were due
    victim = next((tmp_path / "var" / "objects" / "data" / "revisions").rglob("*.pdf"))
    victim.unlink()
    code, fixity = run("fixity", "run", "--json")
    assert code == 1 and fixity["missing"] == [str(victim.relative_to(tmp_path / "var" / "objects" / "data"))]
    code, audit = run("audit", "verify", "--storage", "file://./var/objects", "--json")
    assert code == 0 and audit["problems"] == [], "a lost revision is a fixity finding, not a broken audit trail"


def test_anchoring_twice_without_new_events_changes_nothing(tmp_path: Path) -> None:
    database, storage = f"sqlite:///{tmp_path / 'h.db'}", f"file://{tmp_path / 'o'}"
    archive = ArchiveService(open_store(storage), SqlCatalog(open_database(database)))
    archive.audit("system", "test.event", {}, {})
    for _ in range(2):
        result = runner.invoke(app, ["audit", "anchor", "--database", database, "--storage", storage])
        assert result.exit_code == 0, result.stdout
    assert len(archive._catalog.anchors()) == 1
    assert len(list(archive._store.keys("anchors/"))) == 1


def test_archive_benchmark_prints_every_figure() -> None:
    code, figures = run("bench", "archive", "--count", "3", "--fixity-books", "5")
    assert code == 0
    for tag in ("fs", "s3"):
        for name in ("put_ms_median", "put_locked_ms_median", "get_ms_median", "seal_ms_median"):
            assert float(str(figures[f"{tag}_{name}"])) > 0, (tag, name)
        assert f"{tag}_overhead_ms_per_book" in figures
    assert float(str(figures["fixity_books_per_s"])) > 0 and figures["fixity_books"] == 5
