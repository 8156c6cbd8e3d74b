"""The HTTP face: health and readiness, the public check of a book, and errors as problem+json in the client's
language, with security headers and a request id on every answer."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, File, UploadFile
from fastapi.testclient import TestClient

from api.http import create_app
from api.http.bodylimit import BodyLimit
from api.http.limits import RateLimiter
from api.http.observing import JsonFormatter
from api.settings import Settings
from devtools.pki import free_port

from .hostile import xmp_bomb
from .signing_fixtures import School


@pytest.fixture
def client(school: School, tmp_path: Path) -> TestClient:
    settings = Settings(
        database=f"sqlite:///{tmp_path / 'hocba.db'}",
        storage=f"file://{tmp_path / 'objects'}",
        trust_roots=(school.folder / "root.pem",),
    )
    return TestClient(create_app(settings))


def test_health_and_readiness_on_the_embedded_default(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "storage": "ok"}


def test_readiness_names_what_does_not_answer(school: School, tmp_path: Path) -> None:
    settings = Settings(database="postgresql+psycopg://nobody@127.0.0.1:1/none", storage=f"file://{tmp_path}")
    ready = TestClient(create_app(settings)).get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["database"] == "archive.database_unavailable"


def test_anyone_can_check_a_book(client: TestClient, school: School) -> None:
    signed = school.sign_all(school.book(school.primary), school.primary)
    answer = client.post("/v1/verify", files={"file": ("hb.pdf", signed, "application/pdf")})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["ok"] and report["verdict"] == "genuine" and report["state"] == "sealed"
    for header in ("X-Content-Type-Options", "Content-Security-Policy", "X-Request-ID"):
        assert header in answer.headers
    etsi = client.post(
        "/v1/verify", files={"file": ("hb.pdf", signed, "application/pdf")}, headers={"Accept": "application/xml"}
    )
    assert etsi.status_code == 200 and etsi.headers["content-type"].startswith("application/xml")
    assert b"ValidationReport" in etsi.content and b"mainindication:total-passed" in etsi.content


def test_a_file_that_cannot_be_checked_is_a_problem_in_the_clients_language(client: TestClient) -> None:
    upload = {"file": ("x.pdf", b"%PDF-1.7 not really", "application/pdf")}
    english = client.post("/v1/verify", files=upload, headers={"Accept-Language": "en"})
    assert english.status_code == 422 and english.headers["content-type"] == "application/problem+json"
    body = english.json()
    assert body["code"] == "signer.unreadable" and body["detail"] == body["message_en"] and not body["retryable"]
    vietnamese = client.post("/v1/verify", files=upload)
    assert vietnamese.json()["detail"] == vietnamese.json()["message_vi"]
    assert vietnamese.headers["content-language"] == "vi"


def test_a_hostile_file_is_refused_with_its_code(client: TestClient, school: School) -> None:
    sealed = school.sign_all(school.book(school.primary), school.primary)
    answer = client.post("/v1/verify", files={"file": ("bomb.pdf", xmp_bomb(sealed), "application/pdf")})
    assert answer.status_code == 413 and answer.json()["code"] == "signer.too_large"


def test_a_request_without_its_file_lists_the_field(client: TestClient) -> None:
    answer = client.post("/v1/verify")
    assert answer.status_code == 422 and answer.json()["code"] == "request.invalid"
    assert [f["path"] for f in answer.json()["fields"]] == ["body.file"]


def test_metrics_count_requests_by_route_and_verifications_by_verdict(
    client: TestClient, school: School, caplog: pytest.LogCaptureFixture
) -> None:
    signed = school.sign_all(school.book(school.primary), school.primary)
    with caplog.at_level(logging.INFO, logger="hocba.http"):
        client.post(
            "/v1/verify", files={"file": ("hb.pdf", signed, "application/pdf")}, headers={"X-Request-ID": "r42"}
        )
    exposition = client.get("/metrics").text
    assert 'hocba_verifications_total{verdict="genuine"} 1.0' in exposition
    assert 'hocba_http_request_seconds_count{method="POST",route="/v1/verify",status="200"} 1.0' in exposition
    (line,) = [r for r in caplog.records if getattr(r, "fields", {}).get("request_id") == "r42"]
    formatted = json.loads(JsonFormatter().format(line))
    assert formatted["route"] == "/v1/verify" and formatted["status"] == 200 and formatted["message"] == "request"


def test_the_client_request_id_is_kept_and_a_strange_one_replaced(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc123"}).headers["X-Request-ID"] == "abc123"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert replaced != "<script>" and replaced.isalnum()


def test_hocba_serve_answers_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "HOCBA_DATABASE": f"sqlite:///{tmp_path / 'hocba.db'}",
        "HOCBA_STORAGE": f"file://{tmp_path / 'objects'}",
    }
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        assert "server" not in ready.headers  # the server does not announce itself
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert server.returncode == 0, output
    assert "Traceback" not in output


def test_the_public_check_is_rate_limited_per_address(school: School, tmp_path: Path) -> None:
    settings = Settings(storage=f"file://{tmp_path}", trust_roots=(school.folder / "root.pem",), public_rate=2)
    client = TestClient(create_app(settings))
    upload = {"file": ("x.pdf", b"%PDF-1.7 not really", "application/pdf")}
    assert [client.post("/v1/verify", files=upload).status_code for _ in range(2)] == [422, 422]
    limited = client.post("/v1/verify", files=upload, headers={"Accept-Language": "en"})
    assert limited.status_code == 429 and limited.json()["code"] == "request.rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1 and "try again" in limited.json()["detail"]


def test_a_token_bucket_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(60)] == [0.0] * 60
    assert limiter.take("a") == pytest.approx(1.0) and limiter.take("b") == 0.0  # each address its own bucket
    now[0] += 1.0
    assert limiter.take("a") == 0.0


def _echo_length_app(limit: int) -> FastAPI:
    app = FastAPI()
    app.add_middleware(BodyLimit, max_bytes=limit)

    @app.post("/upload")
    async def upload(file: Annotated[UploadFile, File()]) -> dict[str, int]:
        return {"size": len(await file.read())}

    return app


def test_a_body_over_the_bound_is_refused_while_it_arrives() -> None:
    client = TestClient(_echo_length_app(2_000))
    small = client.post("/upload", files={"file": ("a.pdf", b"x" * 500, "application/pdf")})
    assert small.status_code == 200 and small.json() == {"size": 500}
    declared = client.post("/upload", files={"file": ("a.pdf", b"x" * 5_000, "application/pdf")})
    assert declared.status_code == 413 and declared.json()["code"] == "request.too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the body is counted as it comes
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
        for _ in range(10):
            yield b"x" * 1_000

    streamed = client.post("/upload", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert streamed.status_code == 413, streamed.text


def test_cross_origin_requests_are_not_allowed_by_default(client: TestClient) -> None:
    preflight = client.options(
        "/v1/verify", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_the_openapi_description_documents_the_public_check(client: TestClient) -> None:
    spec = client.get("/v1/openapi.json").json()
    verify = spec["paths"]["/v1/verify"]["post"]
    assert set(verify["responses"]["200"]["content"]) == {"application/json", "application/xml"}
    for status in ("413", "422", "429"):
        assert "application/problem+json" in verify["responses"][status]["content"], status
    assert {"/healthz", "/readyz"} <= set(spec["paths"])
