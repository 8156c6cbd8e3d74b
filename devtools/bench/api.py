"""HTTP figures (`hocba bench api`): the service run as it is deployed (`hocba serve` in a process of its own,
jobs in its threads), the development PKI's OCSP, CRL and TSA in another, the CSC remote-signing service in this
one.

- verify: `POST /v1/verify` of a sealed book, p50 and p99, with 8 clients at once;
- status: `GET /v1/jobs/{id}` sent at a steady 200 requests a second (an open loop: a slow answer does not slow
  the sending), p50 and p99;
- sitting: a teacher's sitting of `books` books through the API (`POST /v1/sittings`, a CSC key) against
  `hocba sign --batch` over the same rendered books with the same CSC key, books per second and their ratio.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from archive import Account, ArchiveService, FileStore, Role, SqlAccounts, SqlCatalog, open_database
from records import Record, signing_plan, write_atomic
from signer import Pkcs12KeySource, SigningPolicy, SigningService, install_speedups, load_roots, verify
from templates import document_id, render
from workflows import AccountBook, register_book

from .. import pki
from ..pki.csc import serve_csc
from .render import sample_records
from .sign import _served_apart

_PASSWORD = "bench-password-1"
_SIGNER = "gv-toan"


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p99_ms": round(p99 * 1000, 1)}


@contextmanager
def school_services(folder: Path, records: list[Record]) -> Iterator[tuple[Path, pki.DevPki, dict[str, str]]]:
    """The development PKI for the records' school (its staff and its seal) served apart, with a CSC service,
    and the environment of a service on SQLite and files in `folder` that uses them."""
    people = {m.id: pki.Person(m.id, m.full_name) for r in records for m in r.staff}
    seal = f"school:{records[0].school.code}"
    people[seal] = pki.Person(seal, records[0].school.name)
    pki.init(folder / "pki", records[0].school.name, list(people.values()), pki.free_port())
    with _served_apart(folder / "pki") as served, serve_csc(folder / "pki", pki.free_port()) as csc:
        env = {
            **os.environ,
            "HOCBA_DATABASE": f"sqlite:///{folder / 'hocba.db'}",
            "HOCBA_STORAGE": f"file://{folder / 'objects'}",
            "HOCBA_TRUST": str(folder / "pki" / "root.pem"),
            "HOCBA_TSA_URL": served.tsa_url,
            "HOCBA_CSC_URL": csc.url,
        }
        yield folder, served, env


@contextmanager
def _service(env: dict[str, str], port: int) -> Iterator[str]:
    command = [sys.executable, "-m", "api", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the service did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def api_figures(books: int = 200, verify_requests: int = 200, status_seconds: float = 10.0) -> dict[str, Any]:
    install_speedups()
    records = sample_records(books, seed=31)
    with tempfile.TemporaryDirectory() as tmp, school_services(Path(tmp), records) as (folder, served, env):
        env["HOCBA_PUBLIC_RATE"] = "1000000"
        sealed = _sealed_book(served, folder / "pki", records[0])
        roots = list(load_roots([folder / "pki" / "root.pem"]))
        direct = []
        for _ in range(5):
            start = time.perf_counter()
            assert verify(sealed, roots, offline=True).ok
            direct.append(time.perf_counter() - start)
        _seed(env, folder, records)
        with _service(env, pki.free_port()) as base:
            token = _token(base)
            figures: dict[str, Any] = {
                "verify_in_process_ms": round(statistics.median(direct) * 1000, 1),
                "verify_alone": asyncio.run(_verify(base, sealed, 10, clients=1)),
                "verify": asyncio.run(_verify(base, sealed, verify_requests, clients=8)),
            }
            credential = served.csc_credential(_SIGNER)
            api_rate, job_url = _api_sitting(base, token, records[0].school_year, credential, books)
            figures["status"] = asyncio.run(_status(base, token, job_url, status_seconds))
        cli_rate = _cli_sitting(env, folder, records, credential)
    figures["sitting"] = {
        "books": books,
        "api_books_per_s": round(api_rate, 2),
        "cli_batch_books_per_s": round(cli_rate, 2),
        "ratio_api_to_cli": round(api_rate / cli_rate, 3),
    }
    return figures


def _sealed_book(served: pki.DevPki, folder: Path, record: Record) -> bytes:
    policy = SigningPolicy(trust_roots=load_roots([folder / "root.pem"]), tsa_url=served.tsa_url)
    pdf = render(record).pdf
    with SigningService(policy) as service:
        for entry in signing_plan(record).entries:
            pdf = service.sign(pdf, entry.field, Pkcs12KeySource(served.p12_path(entry.signer_id), pki.DEV_PASSWORD))
    return pdf


def _seed(env: dict[str, str], folder: Path, records: list[Record]) -> None:
    """The books rendered, in a folder for the command line and registered in the service's archive."""
    engine = open_database(env["HOCBA_DATABASE"])
    try:
        archive = ArchiveService(FileStore(folder / "objects"), SqlCatalog(engine))
        for record in records:
            pdf = render(record).pdf
            write_atomic(folder / "books" / f"{document_id(record)}.pdf", pdf)
            register_book(archive, record, pdf)
        account = Account("gv.toan", Role.TEACHER, school_code=records[0].school.code, staff_id=_SIGNER)
        AccountBook(SqlAccounts(engine)).create(account, _PASSWORD, "bench")
    finally:
        engine.dispose()


def _token(base: str, username: str = "gv.toan", otp: str | None = None) -> str:
    form = {"username": username, "password": _PASSWORD, **({"otp": otp} if otp else {})}
    answer = httpx.post(f"{base}/v1/auth/token", data=form)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


async def _verify(base: str, pdf: bytes, requests: int, clients: int) -> dict[str, Any]:
    samples: list[float] = []
    queue = iter(range(requests))

    async def client(http: httpx.AsyncClient) -> None:
        for _ in queue:
            start = time.perf_counter()
            answer = await http.post(f"{base}/v1/verify", files={"file": ("hb.pdf", pdf, "application/pdf")})
            samples.append(time.perf_counter() - start)
            assert answer.status_code == 200 and answer.json()["verdict"] == "genuine", answer.text[:300]

    async with httpx.AsyncClient(timeout=120) as http:
        warm = [http.post(f"{base}/v1/verify", files={"file": ("hb.pdf", pdf, "application/pdf")}) for _ in range(4)]
        await asyncio.gather(*warm)  # the check's worker processes start on first use: not what is measured
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return {"clients": clients, "requests": requests, "bytes": len(pdf), **_percentiles(samples)}


def _api_sitting(base: str, token: str, year: str, credential: str, books: int) -> tuple[float, str]:
    headers = {"Authorization": f"Bearer {token}"}
    body = {"school_year": year, "key": {"kind": "csc", "account": credential}}
    start = time.perf_counter()
    job = httpx.post(f"{base}/v1/sittings", json=body, headers=headers).json()
    while True:
        seen = httpx.get(f"{base}{job['url']}", headers=headers).json()
        if seen["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    assert seen["status"] == "succeeded" and seen["result"]["counts"]["signed"] == books, seen
    return books / elapsed, str(job["url"])


async def _status(base: str, token: str, url: str, seconds: float) -> dict[str, Any]:
    """GET the job at a steady 200 requests a second for `seconds`."""
    return await steady_reads(base, url, {"Authorization": f"Bearer {token}"}, seconds)


async def steady_reads(base: str, url: str, headers: dict[str, str], seconds: float) -> dict[str, Any]:
    """GET `url` at a steady 200 requests a second for `seconds` (an open loop: a slow answer does not slow the
    sending)."""
    rate, samples = 200, []
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:

        async def one() -> None:
            start = time.perf_counter()
            answer = await http.get(f"{base}{url}", headers=headers)
            samples.append(time.perf_counter() - start)
            assert answer.status_code == 200

        tasks = []
        begin = time.perf_counter()
        for i in range(int(rate * seconds)):
            delay = begin + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
        achieved = len(samples) / (time.perf_counter() - begin)
    return {"target_rps": rate, "achieved_rps": round(achieved, 1), "requests": len(samples), **_percentiles(samples)}


def _cli_sitting(
    env: dict[str, str], folder: Path, records: list[Record], credential: str, signer: str = _SIGNER
) -> float:
    command = [sys.executable, "-m", "api", "sign", "--batch", str(folder / "books"), "--as", signer]
    command += ["--csc-url", env["HOCBA_CSC_URL"], "--csc-credential", credential]
    command += ["--trust", env["HOCBA_TRUST"], "--tsa", env["HOCBA_TSA_URL"]]
    alone = {k: v for k, v in env.items() if k not in ("HOCBA_DATABASE", "HOCBA_STORAGE")}  # the folder's books only
    start = time.perf_counter()
    done = subprocess.run(command, env=alone, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"hocba sign --batch failed: {(done.stdout + done.stderr)[-2000:]}")
    return len(records) / elapsed
