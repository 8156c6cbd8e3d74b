"""A real browser for the page tests: Debian's Chromium driven by Playwright for Python (never `playwright
install`), and the service served over HTTP on loopback for it (the same app the test client drives)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from devtools.pki import free_port

from .conftest import require, require_tool

T = TypeVar("T")
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One browser per test module: while it runs, Playwright keeps an event loop running on the test's thread,
    so it must be gone before other modules' tests (which call `asyncio.run`) begin."""
    require(Path(CHROMIUM).is_file(), "Debian's chromium (make installs it)")
    require_tool("chromedriver")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@contextmanager
def served(app: Any) -> Iterator[str]:
    """`app` on a loopback port (`localhost`: a secure context, so the session's Secure cookies are kept)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the service did not start"
        time.sleep(0.05)
    try:
        yield f"http://localhost:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands (WCAG 2.1 A and AA rules). The page's
    CSP forbids scripts, so the context that runs this must be opened with `bypass_csp=True`."""
    require(AXE.is_file(), "axe-core (make installs it from the npm registry)")
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))"
    )
    return [f"{v['id']} ({v['impact']}, {v['nodes']})" for v in found if v["impact"] in ("serious", "critical")]


def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a thread of its own: Playwright's synchronous API keeps an event loop running on the test's
    thread, and the archive's and the verifier's calls run loops of their own."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()
