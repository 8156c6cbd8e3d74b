"""Shared fixtures. Under HOCBA_STRICT=1 (CI) a missing component fails the test instead of skipping it."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from records import Record, dumps_jsonl, generate_sample, validate_record
from signer import install_speedups

# The tests run the signer as the product does: with the speed-ups the composition root installs.
install_speedups()

pytest_plugins = [
    "tests.signing_fixtures",
    "tests.storage_fixtures",
    "tests.db_fixtures",
    "tests.broker_fixtures",
    "tests.browser_fixtures",
]

STRICT = os.environ.get("HOCBA_STRICT") == "1"
# The responders run in this process, beside the work being tested, on a machine that may be busy: an online check
# waits for them as long as a deployment on a slow network would (the setting's default is 3 s).
os.environ.setdefault("HOCBA_FETCH_TIMEOUT", "30")
PREFLIGHT_JARS = ("preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging", "javax.activation", "jaxb-api")


def require(condition: bool, what: str) -> None:
    """Skip when a component is missing on a developer machine; fail in CI."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"required component missing: {what} (HOCBA_STRICT=1)")
    pytest.skip(f"component missing: {what}")


def require_tool(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"command {name}")
    assert path is not None
    return path


def preflight_classpath() -> str:
    jars = [Path(f"/usr/share/java/{name}.jar") for name in PREFLIGHT_JARS]
    require(all(j.is_file() for j in jars), "Apache PDFBox Preflight jars (libpdfbox2-java …)")
    require_tool("java")
    return ":".join(str(j) for j in jars)


def preflight(path: Path) -> str:
    """Apache PDFBox Preflight's verdict on a PDF/A-1b file (its stdout)."""
    run = subprocess.run(
        ["java", "-cp", preflight_classpath(), "org.apache.pdfbox.preflight.Validator_A1b", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return run.stdout + run.stderr


def as_json(value: Any) -> Any:
    """What a record looks like after a trip through a JSON file (Decimal scores become floats)."""
    return json.loads(dumps_jsonl([value]))


@pytest.fixture(scope="session")
def raw_samples() -> dict[str, list[dict[str, Any]]]:
    return {
        "thcs": [as_json(r) for r in generate_sample("thcs", 6, 8, seed=11)],
        "thpt": [as_json(r) for r in generate_sample("thpt", 11, 8, seed=12)],
        "tieu_hoc": [as_json(r) for r in generate_sample("tieu_hoc", 4, 8, seed=13)],
    }


@pytest.fixture
def raw(raw_samples: dict[str, list[dict[str, Any]]]) -> Callable[..., dict[str, Any]]:
    """A fresh, valid record as decoded JSON: raw('thcs'), raw('tieu_hoc', 2)."""

    def make(level: str = "thcs", index: int = 0) -> dict[str, Any]:
        return copy.deepcopy(raw_samples[level][index])

    return make


def to_record(value: dict[str, Any]) -> Record:
    report = validate_record(value)
    assert report.record is not None, [(p.path, p.code) for p in report.errors]
    return report.record


def codes(value: Any) -> set[tuple[str, str]]:
    """(path, code) of every error intake finds in a decoded record."""
    return {(p.path, p.code) for p in validate_record(value).errors}
