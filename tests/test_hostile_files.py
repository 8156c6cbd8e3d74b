"""Hostile files against `hocba verify`: every one ends in a coded answer (one JSON document, never a
traceback), within the verifier's time and memory bounds, each measured in a process of its own."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from signer import SignerError, VerifyPolicy, verify

from . import hostile
from .signing_fixtures import School

MAX_RSS_MB = 300
MAX_SECONDS = 10.0


# Started from a small process of its own: a child forked from the test process would count the test process's
# memory in its peak.
_MEASURE = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
sys.stderr.write(f"\\npeak-rss-kb={usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_verify(school: School, pdf: bytes, tmp_path: Path) -> tuple[int, dict[str, Any], float, float]:
    """Exit code, JSON report, peak RSS (MB) and wall time of `hocba verify --offline --json` on `pdf`."""
    path = tmp_path / "upload.pdf"
    path.write_bytes(pdf)
    verify = [sys.executable, "-c", "from api.cli import main; main()", "verify", str(path), "--offline", "--json"]
    verify += ["--trust", str(school.folder / "root.pem")]
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", _MEASURE, *verify], capture_output=True, timeout=120, check=False)
    elapsed = time.monotonic() - started
    stderr = run.stderr.decode(errors="replace")
    assert "Traceback" not in stderr, stderr
    peak_kb = int(stderr.rsplit("peak-rss-kb=", 1)[1].split()[0])
    return run.returncode, json.loads(run.stdout), peak_kb / 1024, elapsed


@pytest.fixture(scope="module")
def sealed(school: School) -> bytes:
    return school.sign_all(school.book(school.primary), school.primary)


CASES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "xmp_bomb_1gib": (hostile.xmp_bomb, "signer.too_large"),
    "100mb_appended": (lambda pdf: pdf + b"\0" * (100 << 20), "signer.too_large"),
    "1000_updates": (lambda pdf: hostile.many_updates(pdf, 1000), "signer.too_complex"),
    "100k_deep_object": (hostile.deep_object, "signer.too_complex"),
    "self_reference": (hostile.self_reference, ""),
    "huge_length": (hostile.huge_length, ""),
    "malformed_update": (hostile.malformed_update, ""),
    "encrypted": (hostile.encrypted, "signer.encrypted"),
    "encapsulated_cms": (hostile.encapsulated_cms, ""),
    "near_the_size_limit": (hostile.near_the_size_limit, ""),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file(school: School, sealed: bytes, tmp_path: Path, case: str) -> None:
    build, code = CASES[case]
    exit_code, report, rss, elapsed = run_verify(school, build(sealed), tmp_path)
    assert rss < MAX_RSS_MB and elapsed < MAX_SECONDS, (case, rss, elapsed)
    if code:
        assert exit_code == 2 and report["error"]["code"] == code, report
        assert report["error"]["message_vi"] and report["error"]["message_en"]
    else:  # read as a book that was changed, or refused as unreadable: never genuine, always an answer
        assert exit_code in (1, 2) and not report["ok"], report
        if exit_code == 2:
            assert report["error"]["code"].startswith("signer."), report


def test_a_sealed_book_stays_within_the_bounds(school: School, sealed: bytes, tmp_path: Path) -> None:
    exit_code, report, rss, elapsed = run_verify(school, sealed, tmp_path)
    assert exit_code == 0 and report["verdict"] == "genuine"
    assert rss < MAX_RSS_MB and elapsed < MAX_SECONDS


def test_errors_are_json_too(school: School, tmp_path: Path) -> None:
    exit_code, report, _, _ = run_verify(school, b"not a pdf", tmp_path)
    assert exit_code == 2 and report["error"]["code"] == "signer.unreadable" and report["verdict"] == "unreadable"


def test_one_endless_analysis_is_stopped_by_the_time_bound(
    school: School, sealed: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A single step that never ends (as a crafted difference analysis can) is interrupted where it runs."""

    async def endless(*args: object, **kwargs: object) -> None:
        while True:
            time.sleep(0.01)  # blocking, as pure-Python parsing is: no await gives the loop a chance

    # the module that calls pyHanko
    monkeypatch.setattr(importlib.import_module("signer._judging"), "async_validate_pdf_signature", endless)
    started = time.monotonic()
    with pytest.raises(SignerError) as stopped:
        verify(sealed, [school.policy.trust_roots[0]], offline=True, policy=VerifyPolicy(max_seconds=0.5))
    assert stopped.value.code == "signer.too_complex" and time.monotonic() - started < 5
