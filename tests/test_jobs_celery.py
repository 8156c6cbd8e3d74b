"""Jobs on the production engine: PostgreSQL, SeaweedFS (S3) and Celery workers over RabbitMQ. A teacher's
sitting with a CSC remote key runs in Celery's real worker; and a `hocba worker` killed outright (kill -9) in
the middle of a sitting loses nothing: the broker delivers the job again, the next worker runs it, every book
verifies and no field is signed twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from api.settings import Settings
from api.worker import celery_app
from archive import Role, upgrade_database
from devtools.pki import free_port
from devtools.pki.csc import CscService, serve_csc
from records import generate_sample
from signer import verify
from workflows import register_book

from .conftest import as_json, to_record
from .db_fixtures import pg_schema_url
from .http_fixtures import Site, open_site
from .signing_fixtures import School
from .storage_fixtures import S3Server, new_bucket
from .test_jobs_http import YEAR, wait_for


@pytest.fixture(scope="module")
def csc(school: School) -> Iterator[CscService]:
    with serve_csc(school.folder, free_port()) as service:
        yield service


@pytest.fixture
def settings(
    school: School, csc: CscService, broker: str, pg_run_database: str, s3_server: S3Server, tmp_path: Path
) -> Settings:
    database = pg_schema_url(pg_run_database)
    upgrade_database(database)
    return Settings(
        database=database,
        storage=s3_server.url(new_bucket()),
        trust_roots=(school.folder / "root.pem",),
        tsa_url=school.pki.tsa_url,
        csc_url=csc.url,
        broker=broker,
        queue=f"hocba.test.{uuid.uuid4().hex[:8]}",
        exports=tmp_path / "exports",
    )


def _register_class(site: Site, school: School, count: int) -> list[str]:
    """`count` books of the school's class (the sample's class, its teachers the school's), registered."""
    archive = site.client.app.state.services.archive()  # type: ignore[attr-defined]
    ids = [site.thcs_id]
    for index, raw in enumerate(generate_sample("thcs", 6, count, seed=11)):
        record = to_record(as_json(raw))
        if index != 4:  # the site holds the school's own book already
            ids.append(register_book(archive, record, school.book(record)).version.document_id)
    return sorted(set(ids))


def _sitting(site: Site, school: School) -> dict[str, Any]:
    body = {"school_year": YEAR, "key": {"kind": "csc", "account": school.pki.csc_credential("gv-toan")}}
    started = site.client.post("/v1/sittings", json=body, headers=site.as_role(Role.TEACHER))
    assert started.status_code == 202, started.text
    return dict(started.json())


def _signed_once(site: Site, document_id: str, roots: list[Any]) -> None:
    services = site.client.app.state.services  # type: ignore[attr-defined]
    pdf = services.archive().latest(document_id)
    check = verify(pdf, roots, offline=False)
    names = [s.field for s in check.signatures]
    assert names.count("gvbm.toan") == 1, (document_id, names)
    assert all(s.ok for s in check.signatures), (document_id, [(s.field, s.problems) for s in check.signatures])
    revisions = services.archive().version(document_id).revision_count
    assert revisions == 2, (document_id, revisions)  # the rendered book and one signature: nothing twice


def test_a_sitting_runs_in_celerys_real_worker(settings: Settings, school: School) -> None:
    app = celery_app(settings)
    with open_site(school, settings) as site, start_worker(app, pool="solo", perform_ping_check=False):
        ids = _register_class(site, school, 6)
        job = _sitting(site, school)
        ended = wait_for(site, Role.TEACHER, job["url"], timeout=120)
        assert ended["status"] == "succeeded", ended
        assert ended["result"]["counts"]["signed"] == len(ids) and ended["attempts"] == 1
        roots = list(school.policy.trust_roots)
        for document_id in ids:
            _signed_once(site, document_id, roots)
    app.hocba_services.close()


def _worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HOCBA_DATABASE": settings.database,
        "HOCBA_STORAGE": settings.storage,
        "HOCBA_TRUST": str(settings.trust_roots[0]),
        "HOCBA_TSA_URL": str(settings.tsa_url),
        "HOCBA_CSC_URL": str(settings.csc_url),
        "HOCBA_BROKER": str(settings.broker),
        "HOCBA_QUEUE": settings.queue,
    }
    command = [sys.executable, "-c", "from api.cli import main; main()", "worker", "--concurrency", "1"]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def test_a_worker_killed_mid_sitting_loses_nothing_and_signs_nothing_twice(
    settings: Settings, school: School, tmp_path: Path
) -> None:
    with open_site(school, settings) as site:
        ids = _register_class(site, school, 40)
        first = _worker(settings, tmp_path / "worker.log")
        try:
            job = _sitting(site, school)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                seen = site.client.get(job["url"], headers=site.as_role(Role.TEACHER)).json()
                if seen["done"] >= 3:
                    break
                time.sleep(0.05)
            assert seen["status"] == "running" and seen["done"] < len(ids), seen
            os.killpg(first.pid, signal.SIGKILL)  # the whole worker, pool and all, with no warning
            first.wait(30)
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)
        second = _worker(settings, tmp_path / "worker.log")
        try:
            ended = wait_for(site, Role.TEACHER, job["url"], timeout=180)
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(60)
        assert ended["status"] == "succeeded", (ended, (tmp_path / "worker.log").read_text()[-3000:])
        assert ended["attempts"] == 2
        counts = ended["result"]["counts"]
        # Every book of the year is looked at (the primary book too, which has no row of theirs): those signed
        # before the kill are skipped, the rest signed.
        assert counts["failed"] == 0 and counts["signed"] + counts["skipped"] == len(ids) + 1
        assert counts["skipped"] >= 1 + 3
        roots = list(school.policy.trust_roots)
        for document_id in ids:
            _signed_once(site, document_id, roots)
