"""`hocba render` and `hocba sign` with an archive: every signature kept, the seal writes the locked book."""

from __future__ import annotations

import json
from pathlib import Path

from archive import ArchiveService, LockMode, SqlCatalog, VersionStatus, open_database, open_store, sha256_hex
from templates import read_plan

from .signing_fixtures import School
from .storage_fixtures import S3Server, new_bucket
from .test_sign_cli import invoke, sign_args


def _archive(database_url: str, storage: str) -> ArchiveService:
    return ArchiveService(open_store(storage), SqlCatalog(open_database(database_url)))


def plan_of(book: Path) -> list[tuple[str, str]]:
    return [(e.field, e.signer_id) for e in read_plan(book.read_bytes()).entries]


def _records_file(school: School, folder: Path) -> Path:
    path = folder / "hoc-sinh.json"
    path.write_text(json.dumps(school.primary.model_dump(mode="json", exclude_none=True), ensure_ascii=False))
    return path


def test_signing_from_the_command_line_keeps_every_revision_and_the_seal_archives_the_book(
    school: School, tmp_path: Path, database_url: str, s3_server: S3Server
) -> None:
    storage = s3_server.url(new_bucket())
    where = ["--database", database_url, "--storage", storage]
    folder = tmp_path / "lop"
    folder.mkdir()
    book = folder / "hb.pdf"
    assert invoke("render", str(_records_file(school, tmp_path)), "-o", str(book), *where).exit_code == 0
    rendered = book.read_bytes()
    archive = _archive(database_url, storage)
    (first,) = archive._catalog.versions()
    assert first.status is VersionStatus.SIGNING and first.head_sha256 == sha256_hex(rendered)

    *people, seal = plan_of(book)
    for field, signer_id in people:
        done = invoke("sign", str(book), "--field", field, *sign_args(school, signer_id), *where)
        assert done.exit_code == 0, done.output

    stale = tmp_path / "old-copy.pdf"
    stale.write_bytes(rendered)
    refused = invoke("sign", str(stale), "--field", people[0][0], *sign_args(school, people[0][1]), *where)
    assert refused.exit_code == 2 and "hocba.stale_revision" in refused.output
    assert stale.read_bytes() == rendered, "a refused copy is left as it was"
    repaired = invoke("latest", str(stale), *where)
    assert repaired.exit_code == 0, repaired.output
    assert stale.read_bytes() == book.read_bytes(), "the stale copy is now the archive's latest revision"

    sitting = invoke("sign", "--batch", str(folder), "--as", seal[1], *sign_args(school, seal[1]), *where)
    assert sitting.exit_code == 0 and '"sealed": 1' in sitting.output, sitting.output

    (sealed,) = archive._catalog.versions()
    assert sealed.status is VersionStatus.SEALED and sealed.sealed_sha256 == sha256_hex(book.read_bytes())
    revisions = archive._catalog.revisions(sealed.document_id, sealed.version)
    assert [r.field for r in revisions] == [None, *(f for f, _ in people), seal[0]]
    stored = archive._store.stat(sealed.sealed_key or "")
    assert stored.lock is not None and stored.lock.mode is LockMode.COMPLIANCE
    assert archive._catalog.anchors() and archive.verify_audit().intact

    report = invoke("verify", str(book), "--trust", str(school.folder / "root.pem"), "--database", database_url)
    assert report.exit_code == 0, report.output
    assert invoke("latest", str(stale), "--out", str(tmp_path / "sealed.pdf"), *where).exit_code == 0
    assert (tmp_path / "sealed.pdf").read_bytes() == book.read_bytes(), "once sealed, the latest is the sealed book"


def test_archiving_refuses_half_a_configuration_and_books_it_never_registered(
    school: School, tmp_path: Path, database_url: str
) -> None:
    book = tmp_path / "hb.pdf"
    book.write_bytes(school.book(school.primary))
    before = book.read_bytes()
    field, signer_id = plan_of(book)[0]
    half = invoke("sign", str(book), "--field", field, *sign_args(school, signer_id), "--database", database_url)
    assert half.exit_code == 2 and "--storage" in half.output
    unknown = invoke(
        "sign",
        str(book),
        "--field",
        field,
        *sign_args(school, signer_id),
        "--database",
        database_url,
        "--storage",
        f"file://{tmp_path / 'objects'}",
    )
    assert unknown.exit_code == 2 and "archive.unknown_document" in unknown.output
    assert book.read_bytes() == before, "nothing is signed for a book the archive does not know"
