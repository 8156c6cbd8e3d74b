"""`make run`: `hocba demo-serve` seeds the demo school and serves it; its accounts sign in, the teacher sees
their books (the first ones with their row already signed), and Ctrl-C stops the service and the PKI cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from devtools.demo_site import DEMO_PASSWORD
from devtools.pki import free_port


def test_make_run_serves_the_demo_school_until_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    folder = tmp_path / "site"
    command = [sys.executable, "-c", "from api.cli import main; main()", "demo-serve", "--port", str(port)]
    command += ["--folder", str(folder), "--students", "3"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "the demo did not start"
                time.sleep(0.5)
        login = httpx.post(f"{base}/v1/auth/token", data={"username": "gv.toan", "password": DEMO_PASSWORD})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        books = httpx.get(f"{base}/v1/books", headers=headers).json()["items"]
        assert len(books) == 3
        states = []
        for book in books:
            detail = httpx.get(f"{base}/v1/books/{book['document_id']}", headers=headers).json()
            states.append({f["field"]: f["status"] for f in detail["fields"]}["gvbm.toan"])
        assert sorted(states) == ["signed", "signed", "waiting"]
        queue = httpx.get(f"{base}/ky", headers=headers)  # the teacher's page, with the demo's USB token in
        assert queue.status_code == 200 and "Ký cả lớp" in queue.text
        plugin = queue.headers["content-security-policy"].rsplit(" ", 1)[-1]
        assert httpx.get(f"{plugin}/certificate").json()["certificate"]
        student = httpx.post(f"{base}/v1/auth/token", data={"username": "hoc.sinh", "password": DEMO_PASSWORD})
        own = {"Authorization": f"Bearer {student.json()['access_token']}"}
        (mine,) = httpx.get(f"{base}/v1/books", headers=own).json()["items"]
        asked = httpx.post(
            f"{base}/v1/copies", json={"document_id": mine["document_id"], "full_name": "HS"}, headers=own
        )
        assert asked.status_code == 201 and asked.json()["status"] == "requested", asked.text
        public = httpx.get(f"{base}/v1/public/documents/{mine['document_id']}").json()
        assert public["status"] == "valid"
        principal = httpx.post(f"{base}/v1/auth/token", data={"username": "hieu.truong", "password": DEMO_PASSWORD})
        assert principal.status_code == 401  # a password alone never opens the principal's account
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=60)[0].decode(errors="replace")
    assert server.returncode == 0, output
    assert "Traceback" not in output and "hieu.truong" in output and DEMO_PASSWORD in output
