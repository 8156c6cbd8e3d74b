"""The audit trail on both databases: an edited, deleted, reordered or truncated history is caught and the first
broken event named — by the service and by `hocba audit verify`."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from api.cli import app
from archive import (
    AnchorError,
    ArchiveService,
    AuditEvent,
    BookFacts,
    DocumentKind,
    FileStore,
    RfcTimestamper,
    SqlCatalog,
    check_token,
    open_database,
    sha256_hex,
)
from archive.audit_model import event_hash

from .signing_fixtures import School

runner = CliRunner()


def book(n: int) -> BookFacts:
    return BookFacts(
        f"HB-AUDIT-{n:04d}",
        DocumentKind.HOC_BA,
        "79000701",
        "Trường THCS Nguyễn Du",
        "2025-2026",
        f"07921200{n:04d}",
        f"Học sinh {n}",
        sha256_hex(str(n).encode()),
        "{}",
    )


@pytest.fixture
def history(database_url: str, tmp_path: Path) -> Iterator[tuple[ArchiveService, Engine, str, str]]:
    """Two sealed books and a fixity run: 7 events, anchored after each seal (heads #3 and #6)."""
    engine = open_database(database_url)
    storage = f"file://{tmp_path / 'objects'}"
    archive = ArchiveService(FileStore(tmp_path / "objects"), SqlCatalog(engine))
    for n in (1, 2):
        pdf = f"%PDF book {n}".encode()
        archive.register(book(n), pdf)
        archive.record_revision(f"HB-AUDIT-{n:04d}", pdf, pdf + b" signed", "hieu_truong", "HT01")
        archive.seal(f"HB-AUDIT-{n:04d}", pdf + b" signed")
    archive.fixity()
    assert archive._catalog.head()[0] == 7
    yield archive, engine, database_url, storage
    engine.dispose()


def unguard(engine: Engine) -> None:
    """What an intruder with the database's admin rights does first: remove the append-only triggers."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_anchors DISABLE TRIGGER USER"))
        else:
            for trigger in ("no_update", "no_delete"):
                conn.execute(text(f"DROP TRIGGER audit_events_{trigger}"))
                conn.execute(text(f"DROP TRIGGER audit_anchors_{trigger}"))


def cli_verify(database_url: str, storage: str | None) -> tuple[int, dict[str, object]]:
    args = ["audit", "verify", "--database", database_url, "--json"]
    args += ["--storage", storage] if storage else []
    result = runner.invoke(app, args)
    return result.exit_code, json.loads(result.stdout)


def test_an_untouched_history_verifies(history: tuple[ArchiveService, Engine, str, str]) -> None:
    archive, _, url, storage = history
    assert archive.verify_audit().intact
    code, report = cli_verify(url, storage)
    assert (code, report["intact"], report["events"], report["anchors"]) == (0, True, 7, 2)


Tamper = Callable[[Engine], None]


def edit(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text('UPDATE audit_events SET payload = \'{"sha256":"forged"}\' WHERE seq = 2'))


def delete(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 2"))


def reorder(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_events SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_events SET seq = 3 WHERE seq = -1"))


def truncate(engine: Engine) -> None:
    """The last events and the database's own anchor rows go: only the locked store remembers."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq >= 5"))
        conn.execute(text("DELETE FROM audit_anchors WHERE head_seq >= 5"))
        conn.execute(text("UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_events WHERE seq = 4)"))


@pytest.mark.parametrize(
    ("tamper", "first", "words"),
    [(edit, 2, "edited"), (delete, 2, "missing"), (reorder, 2, "link"), (truncate, 6, "truncated")],
    ids=["edited", "deleted", "reordered", "truncated"],
)
def test_tampering_is_caught_and_the_first_broken_event_named(
    history: tuple[ArchiveService, Engine, str, str], tamper: Tamper, first: int, words: str
) -> None:
    archive, engine, url, storage = history
    unguard(engine)
    tamper(engine)
    report = archive.verify_audit()
    assert not report.intact and report.broken is not None
    assert report.broken.seq == first and words in report.broken.reason_en
    code, shown = cli_verify(url, storage)
    assert (code, shown["first_broken_event"]) == (1, first)


def test_a_rewritten_chain_with_fresh_hashes_is_caught_by_its_anchor(
    history: tuple[ArchiveService, Engine, str, str],
) -> None:
    """An intruder who edits event 2 and recomputes every later hash gets a self-consistent chain; the anchor
    written to the locked store at #3 still holds the old head."""
    archive, engine, _, _ = history
    unguard(engine)
    events = list(archive._catalog.events())
    prev = events[0].hash
    with engine.begin() as conn:
        for event in events[1:]:
            payload = '{"sha256":"forged"}' if event.seq == 2 else event.payload
            digest = event_hash(event.seq, event.at, event.actor, event.action, event.refs, payload, prev)
            conn.execute(
                text("UPDATE audit_events SET payload = :p, prev_hash = :v, hash = :h WHERE seq = :s"),
                {"p": payload, "v": prev, "h": digest, "s": event.seq},
            )
            conn.execute(
                text("UPDATE audit_anchors SET head_hash = :h WHERE head_seq = :s"), {"h": digest, "s": event.seq}
            )
            prev = digest
    report = archive.verify_audit()
    assert report.broken is not None and report.broken.seq == 3 and "rewritten" in report.broken.reason_en
    assert archive.verify_audit(with_storage=False).intact, "the database alone cannot tell: storage anchors can"


def test_truncation_is_invisible_to_the_database_alone_and_caught_with_storage(
    history: tuple[ArchiveService, Engine, str, str],
) -> None:
    archive, engine, url, storage = history
    unguard(engine)
    truncate(engine)
    assert archive.verify_audit(with_storage=False).intact
    assert cli_verify(url, None)[0] == 0
    assert cli_verify(url, storage)[0] == 1


def test_anchors_carry_an_rfc3161_timestamp_over_the_head(database_url: str, tmp_path: Path, school: School) -> None:
    stamper = RfcTimestamper(school.pki.tsa_url)
    archive = ArchiveService(FileStore(tmp_path / "o"), SqlCatalog(open_database(database_url)), timestamper=stamper)
    archive.register(book(9), b"%PDF nine")
    archive.seal("HB-AUDIT-0009", b"%PDF nine")
    ((anchor, key, token),) = archive._catalog.anchors()
    assert token is not None and (anchor.head_seq, anchor.head_hash) == archive._catalog.head()
    check_token(token, anchor.statement())
    with pytest.raises(AnchorError):
        check_token(token, anchor.statement().replace(b'"head_seq":2', b'"head_seq":3'))
    assert archive.verify_audit().intact
    # An anchor object rewritten in storage (by someone who got round the lock) no longer matches its timestamp.
    path = tmp_path / "o" / "data" / key
    body = json.loads(path.read_bytes())
    body["head_hash"] = "f" * 64
    path.chmod(stat.S_IWUSR | stat.S_IRUSR)
    path.write_text(json.dumps(body))
    report = archive.verify_audit()
    assert not report.intact and any("anchor" in p for p in report.problems)


def test_events_read_back_exactly_as_hashed(history: tuple[ArchiveService, Engine, str, str]) -> None:
    archive, *_ = history
    events: list[AuditEvent] = list(archive._catalog.events())
    assert [e.seq for e in events] == list(range(1, 8))
    assert all(e.at.endswith("Z") and len(e.at) == 27 for e in events)
    assert events[-1].payload_dict["checked"] == 6  # 2 books × (rendered + signed) + 2 sealed
