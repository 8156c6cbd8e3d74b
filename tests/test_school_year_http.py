"""A whole school year over HTTP, on the embedded default (SQLite, the filesystem store, jobs in the service's
threads) and on the production engine (PostgreSQL, SeaweedFS, Celery's real worker over RabbitMQ): the office
checks and renders the class, every subject teacher signs their rows with a CSC remote key, then the homeroom
teacher and the principal, the office seals with the school's key; the sealed book verifies, the archivist's
integrity check is intact, and the year's export downloads as a bag."""

from __future__ import annotations

import io
import json
import os
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from api.settings import Settings
from api.worker import celery_app
from archive import Account, Role, upgrade_database
from devtools.pki import DEV_PASSWORD, free_port
from devtools.pki.csc import CscService, serve_csc
from records import canonical_json, dumps_jsonl, generate_sample, signing_plan
from records.rules import year_average
from templates import document_id

from .conftest import as_json, to_record
from .db_fixtures import pg_schema_url
from .http_fixtures import Site, open_site
from .signing_fixtures import School
from .storage_fixtures import S3Server, new_bucket
from .test_jobs_http import YEAR

STUDENTS = 3


@pytest.fixture(scope="module")
def csc(school: School) -> Iterator[CscService]:
    with serve_csc(school.folder, free_port()) as service:
        yield service


def _settings(school: School, csc: CscService, tmp_path: Path, **where: Any) -> Settings:
    code = school.thcs.school.code
    return Settings(
        trust_roots=(school.folder / "root.pem",),
        tsa_url=school.pki.tsa_url,
        csc_url=csc.url,
        seal_key=f"file:{school.pki.p12_path(f'school:{code}')}",
        exports=tmp_path / "exports",
        **where,
    )


def _wait(site: Site, headers: dict[str, str], job: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        seen: dict[str, Any] = site.client.get(job["url"], headers=headers).json()
        if seen["status"] in ("succeeded", "failed", "cancelled"):
            assert seen["status"] == "succeeded", seen
            return seen
        time.sleep(0.1)
    raise AssertionError(f"{job['url']} did not end")


def _post(site: Site, headers: dict[str, str], url: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = site.client.post(url, json=body, headers=headers)
    assert answer.status_code == 202, answer.text
    return _wait(site, headers, answer.json())


def _school_year(site: Site, school: School) -> list[str]:
    records = [to_record(as_json(raw)) for raw in generate_sample("thcs", 6, STUDENTS, seed=11)]
    code = records[0].school.code
    office = site.as_role(Role.CLERK)
    upload = {
        "file": ("lop6a1.jsonl", dumps_jsonl([json.loads(canonical_json(r)) for r in records]), "application/json")
    }
    checked = site.client.post("/v1/intake", files=upload, headers=office)
    assert checked.status_code == 200, checked.text
    rendered = _post(site, office, "/v1/renderings", {"records": checked.json()["records"]})
    assert rendered["result"]["counts"] == {"rendered": STUDENTS, "kept": 0, "failed": 0}
    plan = signing_plan(records[0])
    for entry in plan.entries:
        if entry.signer_id.startswith("school:"):
            continue
        role = Role.PRINCIPAL if entry.field == "hieu_truong" else Role.TEACHER
        signer = site.as_account(Account(f"u.{entry.signer_id}", role, school_code=code, staff_id=entry.signer_id))
        queue = site.client.get("/v1/signing/queue", headers=signer).json()["items"]
        if entry.group == 1 or queue:
            assert {item["field"] for item in queue} == {entry.field}, (entry.field, queue)
        key = {"kind": "csc", "account": school.pki.csc_credential(entry.signer_id)}
        sat = _post(site, signer, "/v1/sittings", {"school_year": YEAR, "key": key})
        assert sat["result"]["counts"]["failed"] == 0, sat["result"]
    sealed = _post(site, office, "/v1/seals", {"school_year": YEAR})
    assert sealed["result"]["counts"] == {"signed": STUDENTS, "skipped": 0, "failed": 0, "sealed": STUDENTS}
    books = site.client.get(f"/v1/books?school_year={YEAR}", headers=office).json()["items"]
    assert [b["status"] for b in books] == ["sealed"] * STUDENTS
    pdf = site.client.get(f"/v1/books/{books[0]['document_id']}/pdf", headers=office)
    check = site.client.post("/v1/verify", files={"file": ("hb.pdf", pdf.content, "application/pdf")}).json()
    assert check["verdict"] == "genuine" and check["state"] == "sealed", check
    archivist = site.as_role(Role.ARCHIVIST)
    audit = _post(site, archivist, "/v1/archive/audit", {})
    assert audit["result"]["audit"]["intact"] and audit["result"]["fixity"]["intact"]
    exported = _post(site, archivist, "/v1/exports", {"school_year": YEAR})
    assert exported["result"]["sealed"] == STUDENTS and exported["result"]["failed"] == []
    bag = site.client.get(f"/v1/exports/{exported['id']}/bag", headers=archivist)
    assert bag.status_code == 200 and bag.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(bag.content)).namelist()
    assert "bag-info.txt" in names and sum(n.endswith(".pdf") for n in names) == STUDENTS
    progress = site.client.get(f"/v1/progress?school_year={YEAR}", headers=site.as_role(Role.SUPERVISOR)).json()
    assert progress == {"schools": {code: {"sealed": STUDENTS}}}
    metrics = _metrics(site.client.get("/metrics").text)
    signatures = sum(len(signing_plan(r).entries) for r in records)
    assert metrics["hocba_signatures_total"] == signatures and metrics["hocba_seals_total"] == STUDENTS
    assert metrics['hocba_jobs{kind="sitting",state="succeeded"}'] == len(plan.entries)
    return [b["document_id"] for b in books]


def _fix(book: str) -> dict[str, Any]:
    """A correction of the book's mathematics second-term score, with the year average that follows from it."""
    records = {
        document_id(r): r for r in (to_record(as_json(raw)) for raw in generate_sample("thcs", 6, STUDENTS, seed=11))
    }
    (maths,) = [s for s in records[book].subjects if s.code == "toan"]
    assert isinstance(maths.term1, Decimal) and isinstance(maths.term2, Decimal)
    term2 = maths.term2 + Decimal("0.1") if maths.term2 < 10 else maths.term2 - Decimal("0.1")
    changes = [
        {"path": "subjects[toan].term2", "value": float(term2)},
        {"path": "subjects[toan].year", "value": float(year_average(maths.term1, term2))},
    ]
    return {"changes": changes, "reason": "Nhập nhầm điểm", "witness": "gvcn"}


def _corrections(site: Site, school: School, books: list[str]) -> None:
    """A teacher asks, the principal refuses one request and approves another, the witness confirms: the
    corrected book waits for its signatures as the book's next version, with its minutes."""
    code = school.thcs.school.code
    teacher = site.as_account(Account("u.gv-toan", Role.TEACHER, school_code=code, staff_id="gv-toan"))
    principal = site.as_account(Account("u.ht", Role.PRINCIPAL, school_code=code, staff_id="ht"))
    witness = site.as_account(Account("u.gvcn", Role.TEACHER, school_code=code, staff_id="gvcn"))
    body = {"changes": [{"path": "subjects[toan].term2", "value": 7.0}], "reason": "Nhập nhầm điểm", "witness": "gvcn"}
    wrong = site.client.post(f"/v1/books/{books[0]}/corrections", json={**body, "witness": "gv-toan"}, headers=teacher)
    assert wrong.status_code == 400 and wrong.json()["problems"][0]["code"] == "correction.same_person"
    refused = site.client.post(f"/v1/books/{books[1]}/corrections", json=_fix(books[1]), headers=teacher).json()
    no_reason = site.client.post(f"/v1/corrections/{refused['id']}/refuse", json={}, headers=principal)
    assert no_reason.status_code == 400 and no_reason.json()["problems"][0]["path"] == "reason"
    said = site.client.post(f"/v1/corrections/{refused['id']}/refuse", json={"reason": "Đúng rồi"}, headers=principal)
    assert said.json()["status"] == "refused"
    asked = site.client.post(f"/v1/books/{books[0]}/corrections", json=_fix(books[0]), headers=teacher)
    assert asked.status_code == 201, asked.text
    correction = asked.json()
    assert site.client.post(f"/v1/corrections/{correction['id']}/approve", headers=teacher).status_code == 403
    approved = site.client.post(f"/v1/corrections/{correction['id']}/approve", headers=principal).json()
    assert approved["status"] == "approved" and approved["principal_id"] == "ht"
    not_them = site.client.post(f"/v1/corrections/{correction['id']}/witness", headers=teacher)
    assert not_them.status_code == 400 and not_them.json()["code"] == "records.correction_refused"
    done = site.client.post(f"/v1/corrections/{correction['id']}/witness", headers=witness).json()
    assert done["status"] == "witnessed" and done["minutes_document_id"]
    book = site.client.get(f"/v1/books/{books[0]}", headers=principal).json()
    assert (book["version"], book["status"]) == (2, "signing")
    listed = site.client.get(f"/v1/corrections?document_id={books[0]}", headers=principal).json()
    assert [c["status"] for c in listed] == ["witnessed"]
    assert site.client.get("/v1/corrections", headers=site.as_role(Role.STUDENT)).status_code == 403


def _metrics(text: str) -> dict[str, float]:
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line[:1] != "#"}


def test_a_school_year_on_the_embedded_default(
    school: School, csc: CscService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOCBA_SEAL_SECRET", DEV_PASSWORD.decode())
    where = {"database": f"sqlite:///{tmp_path / 'hocba.db'}", "storage": f"file://{tmp_path / 'objects'}"}
    with open_site(school, _settings(school, csc, tmp_path, **where), books=False) as site:
        books = _school_year(site, school)
        _corrections(site, school, books)


def test_a_school_year_on_postgresql_seaweedfs_and_celery(
    school: School,
    csc: CscService,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pg_run_database: str,
    s3_server: S3Server,
    broker: str,
) -> None:
    monkeypatch.setenv("HOCBA_SEAL_SECRET", DEV_PASSWORD.decode())
    database = pg_schema_url(pg_run_database)
    upgrade_database(database)
    where = {
        "database": database,
        "storage": s3_server.url(new_bucket()),
        "broker": broker,
        "queue": f"hocba.test.{uuid.uuid4().hex[:8]}",
    }
    settings = _settings(school, csc, tmp_path, **where)
    app = celery_app(settings)
    with ExitStack() as stack:
        site = stack.enter_context(open_site(school, settings, books=False))
        stack.enter_context(start_worker(app, pool="solo", perform_ping_check=False))
        _school_year(site, school)
    app.hocba_services.close()
    assert os.environ["HOCBA_SEAL_SECRET"]
