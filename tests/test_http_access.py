"""Accounts over HTTP: signing in (bearer tokens for programs, cookies with an anti-forgery token for pages),
throttling, and the access table walked route × role: allowed roles get an answer, the others 403, a resource
outside the caller's scope 404, and no session 401 — every refusal as problem+json."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest

from api.http.access import GUARDED, RULES, Scope
from archive import CopyEntry, JobStatus, Role, SqlCopies
from workflows.jobs import JobKind, new_job

from .http_fixtures import PASSWORD, Site, embedded, open_site
from .signing_fixtures import School


@pytest.fixture
def site(school: School, tmp_path: Path) -> Iterator[Site]:
    with open_site(school, embedded(school, tmp_path, tsa_url=school.pki.tsa_url)) as opened:
        yield opened


def _requests(site: Site) -> dict[tuple[str, str], tuple[str, Any]]:
    """One example request for every route (method, path template) of the service."""
    names = itertools.count()
    jobs = site.client.app.state.services.jobs()  # type: ignore[attr-defined]
    code = site.accounts[Role.ARCHIVIST].school_code
    now = datetime.now(UTC)
    job, _ = jobs.create(new_job(JobKind.EXPORT, "luu.tru", code, {"school_year": "2024-2025"}), datetime.now(UTC))
    jobs.finish(job.id, JobStatus.SUCCEEDED, datetime.now(UTC), result={"bag": None})
    asked = CopyEntry(
        "SC-EXAMPLE", code or "", site.primary_id, "sao_y", (), {"kind": "student", "full_name": "X"}, now
    )
    SqlCopies(site.client.app.state.services.engine).request(replace(asked, account="hoc.sinh"), "hoc.sinh")  # type: ignore[attr-defined]
    copy = "/v1/copies/SC-EXAMPLE"
    signer = {"staff_id": "pht", "full_name": "X", "title": "T"}
    return {
        ("POST", "/v1/copies"): ("/v1/copies", {"json": {"document_id": site.primary_id, "full_name": "X"}}),
        ("GET", "/v1/copies"): ("/v1/copies", {}),
        ("GET", "/v1/copies/register"): ("/v1/copies/register?year=2026&format=xlsx", {}),
        ("GET", "/v1/copies/{copy_request_id}"): (copy, {}),
        ("GET", "/v1/copies/{copy_request_id}/pdf"): (f"{copy}/pdf", {}),
        ("GET", "/v1/copies/{copy_request_id}/refusal"): (f"{copy}/refusal", {}),
        ("POST", "/v1/copies/{copy_request_id}/check"): (f"{copy}/check", {"json": {"identity_document": "CCCD"}}),
        ("POST", "/v1/copies/{copy_request_id}/issue"): (
            f"{copy}/issue",
            {"json": {"signer": signer, "key": {"kind": "csc"}}},
        ),
        ("POST", "/v1/copies/{copy_request_id}/deliver"): (f"{copy}/deliver", {"json": {"how": "printed"}}),
        ("POST", "/v1/copies/{copy_request_id}/refuse"): (f"{copy}/refuse", {"json": {"reason": "r"}}),
        ("POST", "/v1/copies/{copy_request_id}/revoke"): (f"{copy}/revoke", {"json": {"reason": "r"}}),
        ("GET", "/healthz"): ("/healthz", {}),
        ("GET", "/readyz"): ("/readyz", {}),
        ("GET", "/metrics"): ("/metrics", {}),
        ("POST", "/v1/verify"): ("/v1/verify", {"files": {"file": ("x.pdf", b"%PDF-1.7 x", "application/pdf")}}),
        ("GET", "/static/{name}"): ("/static/hocba.css", {}),
        ("GET", "/ngon-ngu"): ("/ngon-ngu?lang=en&next=/hoc-ba", {"follow_redirects": False}),
        ("GET", "/ky"): ("/ky", {"follow_redirects": False}),
        ("GET", "/ky/{document_id}"): (f"/ky/{site.thcs_id}", {"follow_redirects": False}),
        ("POST", "/ky"): (
            "/ky",
            {
                "data": {"school_year": "2024-2025", "key": "csc", "documents": [site.thcs_id]},
                "follow_redirects": False,
            },
        ),
        ("GET", "/cong-viec/{job_id}"): (f"/cong-viec/{job.id}", {"follow_redirects": False}),
        ("POST", "/cong-viec/{job_id}/huy"): (f"/cong-viec/{job.id}/huy", {"follow_redirects": False}),
        ("GET", "/truong"): ("/truong", {"follow_redirects": False}),
        ("POST", "/dong-dau"): ("/dong-dau", {"data": {"school_year": "2024-2025"}, "follow_redirects": False}),
        ("GET", "/dieu-chinh"): ("/dieu-chinh", {"follow_redirects": False}),
        ("POST", "/dieu-chinh/{correction_id}/duyet"): ("/dieu-chinh/DC-NONE/duyet", {"follow_redirects": False}),
        ("POST", "/dieu-chinh/{correction_id}/tu-choi"): (
            "/dieu-chinh/DC-NONE/tu-choi",
            {"data": {"reason": "r"}, "follow_redirects": False},
        ),
        ("GET", "/luu-tru"): ("/luu-tru", {"follow_redirects": False}),
        ("GET", "/phong-toa"): ("/phong-toa", {"follow_redirects": False}),
        ("POST", "/phong-toa"): (
            "/phong-toa",
            {
                "data": {"scope": "year", "school_year": "2024-2025", "reason": "r", "reference": "x"},
                "follow_redirects": False,
            },
        ),
        ("POST", "/phong-toa/{hold_id}/go"): (
            "/phong-toa/LH-NONE/go",
            {"data": {"reason": "r"}, "follow_redirects": False},
        ),
        ("POST", "/phong-toa/{hold_id}/duyet"): ("/phong-toa/LH-NONE/duyet", {"follow_redirects": False}),
        ("POST", "/luu-tru/kiem-tra"): ("/luu-tru/kiem-tra", {"data": {"sample": "1"}, "follow_redirects": False}),
        ("POST", "/luu-tru/xuat"): (
            "/luu-tru/xuat",
            {"data": {"school_year": "2024-2025"}, "follow_redirects": False},
        ),
        ("GET", "/dang-nhap"): ("/dang-nhap", {}),
        ("POST", "/dang-nhap"): ("/dang-nhap", {"data": {"username": "gv.toan", "password": "x", "csrf": "x"}}),
        ("POST", "/dang-xuat"): ("/dang-xuat", {"follow_redirects": False}),
        ("GET", "/"): ("/", {"follow_redirects": False}),
        ("GET", "/hoc-ba"): ("/hoc-ba", {"follow_redirects": False}),
        ("GET", "/ban-sao"): ("/ban-sao", {"follow_redirects": False}),
        ("GET", "/tien-do"): ("/tien-do", {"follow_redirects": False}),
        ("POST", "/ban-sao"): (
            "/ban-sao",
            {"data": {"document_id": site.primary_id, "full_name": "X"}, "follow_redirects": False},
        ),
        ("GET", "/van-thu/ban-sao"): ("/van-thu/ban-sao", {"follow_redirects": False}),
        ("POST", "/van-thu/ban-sao/{copy_request_id}/kiem-tra"): (
            "/van-thu/ban-sao/SC-EXAMPLE/kiem-tra",
            {"data": {"identity_document": "CCCD 1"}, "follow_redirects": False},
        ),
        ("POST", "/van-thu/ban-sao/{copy_request_id}/cap"): (
            "/van-thu/ban-sao/SC-EXAMPLE/cap",
            {"data": {"staff_id": "pht", "full_name": "X", "title": "T"}, "follow_redirects": False},
        ),
        ("POST", "/van-thu/ban-sao/{copy_request_id}/tu-choi"): (
            "/van-thu/ban-sao/SC-EXAMPLE/tu-choi",
            {"data": {"reason": "r"}, "follow_redirects": False},
        ),
        ("GET", "/xac-thuc"): (f"/xac-thuc?id={site.thcs_id}", {}),
        ("POST", "/xac-thuc"): ("/xac-thuc", {"files": {"file": ("x.pdf", b"%PDF-1.7 x", "application/pdf")}}),
        ("GET", "/v1/public/documents/{document_id}"): (f"/v1/public/documents/{site.thcs_id}", {}),
        ("POST", "/v1/auth/token"): ("/v1/auth/token", {"data": {"username": "gv.toan", "password": PASSWORD}}),
        ("POST", "/v1/auth/login"): ("/v1/auth/login", {"json": {"username": "gv.toan", "password": PASSWORD}}),
        ("POST", "/v1/auth/logout"): ("/v1/auth/logout", {}),
        ("GET", "/v1/auth/me"): ("/v1/auth/me", {}),
        ("POST", "/v1/auth/password"): ("/v1/auth/password", {"json": {"current": PASSWORD, "new": "x"}}),
        ("GET", "/v1/auth/oidc/login"): ("/v1/auth/oidc/login", {"follow_redirects": False}),
        ("GET", "/v1/auth/oidc/callback"): ("/v1/auth/oidc/callback?code=c&state=s", {}),
        ("POST", "/v1/auth/oidc/link"): ("/v1/auth/oidc/link", {"json": {}}),
        ("DELETE", "/v1/auth/oidc/link"): ("/v1/auth/oidc/link", {}),
        ("GET", "/v1/accounts"): ("/v1/accounts", {}),
        ("POST", "/v1/accounts"): (
            "/v1/accounts",
            lambda: {
                "json": {
                    "username": f"gv.moi{next(names)}",
                    "role": "teacher",
                    "password": PASSWORD,
                    "staff_id": "gv-moi",
                }
            },
        ),
        ("POST", "/v1/accounts/{username}/disable"): ("/v1/accounts/gv.nghi/disable", {}),
        ("GET", "/v1/books"): ("/v1/books", {}),
        ("GET", "/v1/books/{document_id}"): (f"/v1/books/{site.thcs_id}", {}),
        ("GET", "/v1/books/{document_id}/pdf"): (f"/v1/books/{site.thcs_id}/pdf", {}),
        ("GET", "/v1/progress"): ("/v1/progress", {}),
        ("POST", "/v1/sittings"): ("/v1/sittings", {"json": {"school_year": "2024-2025", "key": {"kind": "csc"}}}),
        ("POST", "/v1/books/{document_id}/corrections"): (
            f"/v1/books/{site.thcs_id}/corrections",
            {"json": {"changes": [{"path": "award", "value": None}], "reason": "r", "witness": "gvcn"}},
        ),
        ("GET", "/v1/corrections"): ("/v1/corrections", {}),
        ("POST", "/v1/corrections/{correction_id}/approve"): ("/v1/corrections/DC-NONE/approve", {}),
        ("POST", "/v1/corrections/{correction_id}/refuse"): ("/v1/corrections/DC-NONE/refuse", {"json": {}}),
        ("POST", "/v1/corrections/{correction_id}/witness"): ("/v1/corrections/DC-NONE/witness", {}),
        ("POST", "/v1/books/{document_id}/signatures/prepare"): (
            f"/v1/books/{site.thcs_id}/signatures/prepare",
            {"json": {"certificate": "bm8=", "chain": []}},
        ),
        ("POST", "/v1/books/{document_id}/signatures/complete"): (
            f"/v1/books/{site.thcs_id}/signatures/complete",
            {"json": {"session_id": "none", "signature": "bm8="}},
        ),
        ("POST", "/v1/seals"): ("/v1/seals", {"json": {"school_year": "2024-2025"}}),
        ("GET", "/v1/signing/queue"): ("/v1/signing/queue", {}),
        ("POST", "/v1/intake"): ("/v1/intake", {"files": {"file": ("lop.json", b"[]", "application/json")}}),
        ("POST", "/v1/renderings"): ("/v1/renderings", {"json": {"records": [{"school": {"code": code}}]}}),
        ("POST", "/v1/exports"): ("/v1/exports", {"json": {"school_year": "2024-2025"}}),
        ("POST", "/v1/archive/audit"): ("/v1/archive/audit", {"json": {"sample": 1}}),
        ("GET", "/v1/retention/holds"): ("/v1/retention/holds", {}),
        ("POST", "/v1/retention/holds"): (
            "/v1/retention/holds?dry_run=true",
            {"json": {"scope": "year", "school_year": "2024-2025", "reason": "r", "reference": "x"}},
        ),
        ("POST", "/v1/retention/holds/{hold_id}/release"): (
            "/v1/retention/holds/LH-NONE/release",
            {"json": {"reason": "r"}},
        ),
        ("POST", "/v1/retention/holds/{hold_id}/approve"): ("/v1/retention/holds/LH-NONE/approve", {}),
        ("GET", "/v1/retention/review"): ("/v1/retention/review", {}),
        ("GET", "/v1/retention/disposals"): ("/v1/retention/disposals", {}),
        ("POST", "/v1/retention/disposals"): ("/v1/retention/disposals", {"json": {"reason": "r"}}),
        ("POST", "/v1/retention/disposals/{disposal_id}/decide"): (
            "/v1/retention/disposals/HUY-NONE/decide",
            {"json": {"approve": True}},
        ),
        ("POST", "/v1/retention/disposals/{disposal_id}/run"): ("/v1/retention/disposals/HUY-NONE/run", {}),
        ("GET", "/v1/retention/disposals/{disposal_id}/certificate"): (
            "/v1/retention/disposals/HUY-NONE/certificate",
            {},
        ),
        ("GET", "/v1/retention/evidence/{document_id}"): (f"/v1/retention/evidence/{site.thcs_id}", {}),
        ("POST", "/phong-toa/huy"): ("/phong-toa/huy", {"data": {"reason": "r"}, "follow_redirects": False}),
        ("POST", "/phong-toa/huy/{disposal_id}/quyet-dinh"): (
            "/phong-toa/huy/HUY-NONE/quyet-dinh",
            {"data": {"approve": "yes"}, "follow_redirects": False},
        ),
        ("POST", "/phong-toa/huy/{disposal_id}/thuc-hien"): (
            "/phong-toa/huy/HUY-NONE/thuc-hien",
            {"follow_redirects": False},
        ),
        ("GET", "/v1/retention/report"): ("/v1/retention/report?format=csv", {}),
        ("POST", "/v1/retention/renewals"): ("/v1/retention/renewals", {"json": {"dry_run": True}}),
        ("POST", "/luu-tru/gia-han"): ("/luu-tru/gia-han", {"data": {"dry_run": "1"}, "follow_redirects": False}),
        ("GET", "/v1/jobs"): ("/v1/jobs", {}),
        ("GET", "/v1/jobs/{job_id}"): (f"/v1/jobs/{job.id}", {}),
        ("GET", "/v1/jobs/{job_id}/events"): (f"/v1/jobs/{job.id}/events", {}),
        ("POST", "/v1/jobs/{job_id}/cancel"): (f"/v1/jobs/{job.id}/cancel", {}),
        ("POST", "/v1/jobs/{job_id}/retry"): (f"/v1/jobs/{job.id}/retry", {}),
        ("GET", "/v1/exports/{job_id}/bag"): (f"/v1/exports/{job.id}/bag", {}),
    }


def _routes(site: Site) -> dict[tuple[str, str], str]:
    """Every route of the service with its rule; the OpenAPI description lists no route that is not guarded."""
    described = {
        (method.upper(), path)
        for path, operations in site.client.get("/v1/openapi.json").json()["paths"].items()
        for method in operations
    }
    assert described <= set(GUARDED), described - set(GUARDED)
    return dict(GUARDED)


def is_page_path(path: str) -> bool:
    return not path.startswith(("/v1/", "/healthz", "/readyz", "/metrics", "/static/"))


def _allowed(rule: str, role: Role | None) -> bool:
    row = RULES[rule]
    if row is Scope.PUBLIC:
        return True
    return role is not None and isinstance(row, dict) and role in row


def test_every_route_names_a_rule_and_has_an_example(site: Site) -> None:
    assert set(_routes(site)) == set(_requests(site))


@pytest.mark.parametrize("role", [None, *Role])
def test_every_route_for_every_role(site: Site, role: Role | None) -> None:
    examples = _requests(site)
    for (method, path), rule in sorted(_routes(site).items()):
        url, kwargs = examples[(method, path)]
        kwargs = dict(kwargs() if callable(kwargs) else kwargs)
        headers = site.as_role(role) if role is not None else {}
        site.client.cookies.clear()  # a sign-in example leaves a session cookie behind
        answer = site.client.request(method, url, headers=headers, **kwargs)
        where = f"{method} {path} as {role}"
        if _allowed(rule, role):
            assert answer.status_code not in (401, 403) and answer.status_code < 500, (where, answer.text)
            continue
        if is_page_path(path):  # people's pages: to the sign-in form without a session, else the reason
            if role is None:
                assert answer.status_code == 303 and answer.headers["location"].startswith("/dang-nhap"), where
            else:
                assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html"), where
            continue
        assert answer.headers["content-type"] == "application/problem+json", where
        if role is None:
            assert answer.status_code == 401 and answer.json()["code"] == "auth.required", where
            assert answer.headers["WWW-Authenticate"] == "Bearer"
        else:
            assert answer.status_code == 403 and answer.json()["code"] == "auth.forbidden", where


def test_books_are_scoped_to_the_caller(site: Site, school: School) -> None:
    def listed(role: Role) -> set[str]:
        answer = site.client.get("/v1/books", headers=site.as_role(role))
        assert answer.status_code == 200, answer.text
        return {item["document_id"] for item in answer.json()["items"]}

    both = {site.thcs_id, site.primary_id}
    assert listed(Role.PRINCIPAL) == both and listed(Role.CLERK) == both
    assert listed(Role.TEACHER) == {site.thcs_id}  # the primary book has no subject rows: no field of theirs
    assert listed(Role.STUDENT) == {site.primary_id}
    assert listed(Role.PARENT) == {site.thcs_id}
    student = site.as_role(Role.STUDENT)
    hidden = site.client.get(f"/v1/books/{site.thcs_id}", headers=student)
    assert hidden.status_code == 404 and hidden.json()["code"] == "archive.unknown_document"
    assert site.client.get(f"/v1/books/{site.thcs_id}/pdf", headers=student).status_code == 404
    pdf = site.client.get(f"/v1/books/{site.primary_id}/pdf", headers=student)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    elsewhere = site.client.get("/v1/books?school_code=99999999", headers=site.as_role(Role.PRINCIPAL))
    assert elsewhere.json()["items"] == []
    detail = site.client.get(f"/v1/books/{site.thcs_id}", headers=site.as_role(Role.TEACHER)).json()
    statuses = {f["field"]: f["status"] for f in detail["fields"]}
    assert statuses["gvbm.toan"] == "waiting" and statuses["hieu_truong"] == "later"
    watched = site.client.get("/v1/progress", headers=site.as_role(Role.SUPERVISOR)).json()
    assert watched == {"schools": {school.thcs.school.code: {"signing": 2}}}


def test_lists_page_with_a_cursor(site: Site) -> None:
    headers = site.as_role(Role.PRINCIPAL)
    first = site.client.get("/v1/books?limit=1", headers=headers).json()
    second = site.client.get(f"/v1/books?limit=1&cursor={first['next_cursor']}", headers=headers).json()
    assert [first["items"][0]["document_id"], second["items"][0]["document_id"]] == sorted(
        [site.thcs_id, site.primary_id]
    )
    last = site.client.get(f"/v1/books?limit=1&cursor={second['next_cursor']}", headers=headers).json()
    assert last == {"items": [], "next_cursor": None}
    bad = site.client.get("/v1/books?cursor=%%%", headers=headers)
    assert bad.status_code == 400 and bad.json()["code"] == "request.bad_cursor"


def test_programs_sign_in_with_a_password_and_a_second_factor(site: Site) -> None:
    wrong = site.client.post("/v1/auth/token", data={"username": "gv.toan", "password": "sai-mật-khẩu"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"] == "Bearer"
    good = site.client.post("/v1/auth/token", data={"username": "GV.Toan", "password": PASSWORD})
    assert good.status_code == 200 and good.json()["token_type"] == "bearer"
    me = site.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {good.json()['access_token']}"})
    assert me.json()["username"] == "gv.toan" and me.json()["role"] == "teacher"
    alone = site.client.post("/v1/auth/token", data={"username": "hieu.truong", "password": PASSWORD})
    assert alone.status_code == 401 and alone.json()["code"] == "auth.failed"
    assert (
        "second factor"
        in site.client.post(
            "/v1/auth/token", data={"username": "hieu.truong", "password": PASSWORD}, headers={"Accept-Language": "en"}
        ).json()["detail"]
    )


def test_failed_logins_are_throttled_with_retry_after(site: Site) -> None:
    for _ in range(5):
        assert site.client.post("/v1/auth/token", data={"username": "van.thu", "password": "x"}).status_code == 401
    throttled = site.client.post("/v1/auth/token", data={"username": "van.thu", "password": PASSWORD})
    assert throttled.status_code == 429 and throttled.json()["code"] == "auth.throttled"
    assert int(throttled.headers["Retry-After"]) > 0 and throttled.json()["retryable"]


def test_pages_use_a_cookie_and_must_repeat_the_anti_forgery_token(site: Site) -> None:
    login = site.client.post("/v1/auth/login", json={"username": "gv.toan", "password": PASSWORD})
    assert login.status_code == 200
    cookie = login.headers.get_list("set-cookie")
    assert any("hocba_session=" in c and "HttpOnly" in c and "Secure" in c and "SameSite=strict" in c for c in cookie)
    assert site.client.get("/v1/auth/me").json()["username"] == "gv.toan"
    forged = site.client.post("/v1/auth/logout")
    assert forged.status_code == 403 and forged.json()["code"] == "auth.forbidden"
    csrf = login.json()["csrf_token"]
    assert site.client.post("/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    site.client.cookies.clear()
    assert site.client.get("/v1/auth/me").status_code == 401


def test_the_administrator_manages_accounts_of_their_school_only(site: Site) -> None:
    admin = site.as_role(Role.ADMIN)
    made = site.client.post(
        "/v1/accounts",
        headers=admin,
        json={"username": "gv.ly", "role": "teacher", "password": PASSWORD, "staff_id": "gv-ly"},
    )
    assert made.status_code == 201 and made.json()["account"]["school_code"] == site.accounts[Role.ADMIN].school_code
    power = site.client.post(
        "/v1/accounts", headers=admin, json={"username": "qt2", "role": "admin", "password": PASSWORD, "staff_id": "x"}
    )
    assert power.status_code == 403
    principal = site.client.post(
        "/v1/accounts",
        headers=admin,
        json={"username": "ht.moi", "role": "principal", "password": PASSWORD, "staff_id": "ht2"},
    )
    assert principal.json()["otpauth_uri"].startswith("otpauth://") and len(principal.json()["recovery_codes"]) == 10
    assert site.client.post("/v1/accounts/so.gd/disable", headers=admin).status_code == 404  # not of the school
    gone = site.client.post("/v1/accounts/gv.toan/disable", headers=admin)
    assert gone.status_code == 200 and gone.json()["status"] == "disabled"
    assert (
        site.client.get("/v1/books", headers={"Authorization": f"Bearer {site.token(Role.TEACHER)}"}).status_code == 401
    )
    assert pyotp.parse_uri(principal.json()["otpauth_uri"])
