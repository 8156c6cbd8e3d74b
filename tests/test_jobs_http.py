"""Jobs over HTTP with the embedded runner (threads of the service's own process): a teacher's sitting with a
remote key confirmed in a phone app, followed by polling and as server-sent events; an Idempotency-Key that
starts the work once; cancelling; an export whose bag downloads; an archivist's integrity check; and who may
see whose jobs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.wiring import Services
from archive import Role
from devtools.pki import free_port
from devtools.pki.confirm import Answer, ConfirmService, serve_confirm
from workflows.jobs import JobKind, new_job

from .http_fixtures import Site, embedded, open_site
from .signing_fixtures import School

YEAR = "2024-2025"
"""The sample school's year."""


@pytest.fixture
def confirming(school: School) -> Iterator[ConfirmService]:
    with serve_confirm(school.folder, free_port()) as service:
        yield service


@pytest.fixture
def site(school: School, tmp_path: Path, confirming: ConfirmService) -> Iterator[Site]:
    settings = embedded(
        school, tmp_path, tsa_url=school.pki.tsa_url, confirm_url=confirming.url, exports=tmp_path / "exports"
    )
    with open_site(school, settings) as opened:
        yield opened


def wait_for(site: Site, role: Role, url: str, timeout: float = 60.0) -> dict[str, Any]:
    headers = site.as_role(role)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = site.client.get(url, headers=headers).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"{url} did not end: {job}")


def test_a_teachers_sitting_runs_as_a_job_once_per_key(site: Site) -> None:
    headers = {**site.as_role(Role.TEACHER), "Idempotency-Key": "ngoi-ky-1"}
    body = {"school_year": YEAR, "key": {"kind": "confirm"}}
    started = site.client.post("/v1/sittings", json=body, headers=headers)
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["Location"] == job["url"] == f"/v1/jobs/{job['id']}"
    assert job["params"]["signer_id"] == "gv-toan" and job["params"]["key"] == {"kind": "confirm", "account": "gv-toan"}
    again = site.client.post("/v1/sittings", json=body, headers=headers)
    assert again.status_code == 202 and again.json()["id"] == job["id"] and again.headers["Idempotent-Replayed"]
    other = site.client.post("/v1/sittings", json={**body, "school_year": "2023-2024"}, headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "archive.idempotency_key_reused"
    ended = wait_for(site, Role.TEACHER, job["url"])
    assert ended["status"] == "succeeded", ended
    assert ended["result"]["counts"] == {"signed": 1, "skipped": 1, "failed": 0, "sealed": 0}
    assert ended["done"] == ended["total"] == 2 and ended["attempts"] == 1
    fields = site.client.get(f"/v1/books/{site.thcs_id}", headers=site.as_role(Role.TEACHER)).json()["fields"]
    assert {f["field"]: f["status"] for f in fields}["gvbm.toan"] == "signed"
    events = site.client.get(f"{job['url']}/events", headers=site.as_role(Role.TEACHER))
    assert events.headers["content-type"].startswith("text/event-stream")
    frames = [frame for frame in events.text.split("\n\n") if frame]
    assert (
        frames[-1].startswith("event: end\n") and json.loads(frames[-1].split("data: ", 1)[1])["status"] == "succeeded"
    )
    mine = site.client.get("/v1/jobs", headers=site.as_role(Role.TEACHER)).json()
    assert [j["id"] for j in mine] == [job["id"]]


def test_jobs_are_seen_by_their_starter_and_the_schools_watchers_only(site: Site, confirming: ConfirmService) -> None:
    confirming.answers["gv-toan"] = Answer("confirm", after_polls=10_000)  # the phone is never picked up
    started = site.client.post(
        "/v1/sittings", json={"school_year": YEAR, "key": {"kind": "confirm"}}, headers=site.as_role(Role.TEACHER)
    ).json()
    assert site.client.get(started["url"], headers=site.as_role(Role.PRINCIPAL)).status_code == 200
    hidden = site.client.get(started["url"], headers=site.as_role(Role.DEPUTY))
    assert hidden.status_code == 200  # the school's deputy watches its work too
    assert site.client.get(started["url"], headers=site.as_role(Role.STUDENT)).status_code == 403
    cancelled = site.client.post(f"{started['url']}/cancel", headers=site.as_role(Role.TEACHER))
    assert cancelled.status_code == 202 and cancelled.json()["cancel_requested"]
    confirming.answers["gv-toan"] = Answer("refuse")
    ended = wait_for(site, Role.TEACHER, started["url"])
    assert ended["status"] == "cancelled", ended
    fields = site.client.get(f"/v1/books/{site.thcs_id}", headers=site.as_role(Role.TEACHER)).json()["fields"]
    assert {f["field"]: f["status"] for f in fields}["gvbm.toan"] == "waiting"
    by_principal = site.client.post(f"{started['url']}/retry", headers=site.as_role(Role.PRINCIPAL))
    assert by_principal.status_code == 409 and by_principal.json()["code"] == "job.not_ready"  # not theirs
    confirming.answers["gv-toan"] = Answer("confirm")
    again = site.client.post(f"{started['url']}/retry", headers=site.as_role(Role.TEACHER))
    assert again.status_code == 202 and again.json()["id"] != started["id"]
    resumed = wait_for(site, Role.TEACHER, again.json()["url"])
    assert resumed["status"] == "succeeded" and resumed["result"]["counts"]["signed"] == 1


def test_a_sitting_over_chosen_books_only(site: Site) -> None:
    body = {"school_year": YEAR, "key": {"kind": "confirm"}, "documents": [site.primary_id]}
    started = site.client.post("/v1/sittings", json=body, headers=site.as_role(Role.TEACHER)).json()
    ended = wait_for(site, Role.TEACHER, started["url"])
    assert ended["result"]["counts"] == {"signed": 0, "skipped": 1, "failed": 0, "sealed": 0}


def test_a_key_service_that_is_not_configured_fails_the_job_with_its_code(site: Site) -> None:
    started = site.client.post(
        "/v1/sittings", json={"school_year": YEAR, "key": {"kind": "csc"}}, headers=site.as_role(Role.TEACHER)
    ).json()
    ended = wait_for(site, Role.TEACHER, started["url"])
    assert ended["status"] == "failed" and ended["error"]["code"] == "signer.key_source"
    assert "HOCBA_CSC_URL" in ended["error"]["message_en"]


def test_an_archivists_audit_and_an_export_with_nothing_sealed(site: Site) -> None:
    archivist = site.as_role(Role.ARCHIVIST)
    audit = site.client.post("/v1/archive/audit", json={}, headers=archivist)
    assert audit.status_code == 202
    ended = wait_for(site, Role.ARCHIVIST, audit.json()["url"])
    assert ended["status"] == "succeeded" and ended["result"]["audit"]["intact"] and ended["result"]["fixity"]["intact"]
    assert ended["result"]["fixity"]["checked"] == 2
    export = site.client.post("/v1/exports", json={"school_year": YEAR}, headers=archivist).json()
    done = wait_for(site, Role.ARCHIVIST, export["url"])
    assert done["status"] == "succeeded" and done["result"]["bag"] is None
    nothing = site.client.get(f"/v1/exports/{export['id']}/bag", headers=archivist)
    assert nothing.status_code == 409 and nothing.json()["code"] == "job.not_ready"


def test_jobs_a_stop_left_unfinished_are_taken_up_when_the_service_starts(school: School, tmp_path: Path) -> None:
    settings = embedded(school, tmp_path)
    services = Services(settings)
    left, _ = services.jobs().create(new_job(JobKind.AUDIT, "luu.tru", "31712345", {"sample": None}), datetime.now(UTC))
    services.jobs().start(left.id, datetime.now(UTC))  # its process died while it ran
    services.close()
    with open_site(school, settings, books=False) as site:
        ended = wait_for(site, Role.ARCHIVIST, f"/v1/jobs/{left.id}")
    assert ended["status"] == "succeeded" and ended["attempts"] == 2
