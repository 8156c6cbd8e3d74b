"""Loopback serving for the development services: a free port, and an aiohttp application served on 127.0.0.1
in a thread of its own (the remote-signing services: CSC, confirm-in-app)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now (for a development service, a test, a benchmark)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def serve_app(app: web.Application, port: int, name: str) -> Iterator[str]:
    """Serve `app` on `port` for as long as the block runs; yields its base URL."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name=name, daemon=True)
    thread.start()
    runner = web.AppRunner(app)
    # Set up on the service's own thread: the caller's thread may be running a loop of its own (a browser
    # driven by Playwright's synchronous API is).
    asyncio.run_coroutine_threadsafe(runner.setup(), loop).result(timeout=30)
    asyncio.run_coroutine_threadsafe(web.TCPSite(runner, "127.0.0.1", port).start(), loop).result(timeout=30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()
