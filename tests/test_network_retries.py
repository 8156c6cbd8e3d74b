"""The TSA and responders are called with the policy's timeout and tried again with backoff when no answer came;
what never answers ends in a coded, retryable error, never a bare TimeoutError."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devtools.pki import free_port
from records import TimestampUnavailableError
from signer import SigningService

from .signing_fixtures import School


@dataclass
class FlakyTsa:
    """A TSA in front of the real one that answers the first `failures` requests with 503."""

    target: str
    failures: int
    seen: int = 0
    url: str = ""


def _handler(tsa: FlakyTsa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            tsa.seen += 1
            if tsa.seen <= tsa.failures:
                self.send_response(503)
                self.end_headers()
                return
            request = urllib.request.Request(
                tsa.target, data=body, headers={"Content-Type": "application/timestamp-query"}
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                data = answer.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def flaky_tsa(school: School) -> Iterator[FlakyTsa]:
    tsa = FlakyTsa(school.pki.tsa_url, failures=2)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(tsa))
    tsa.url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tsa
    server.shutdown()


def test_a_tsa_that_fails_twice_is_asked_again(school: School, flaky_tsa: FlakyTsa) -> None:
    policy = replace(school.policy, tsa_url=flaky_tsa.url, network_backoff=0.01)
    with SigningService(policy) as service:
        signed = service.sign(school.book(school.primary), "gvcn", school.key("gvcn"))
    assert signed and flaky_tsa.seen == 3


def test_a_tsa_that_never_answers_is_a_retryable_coded_error(school: School) -> None:
    policy = replace(school.policy, tsa_url=f"http://127.0.0.1:{free_port()}/tsa", network_backoff=0.01)
    with SigningService(policy) as service, pytest.raises(TimestampUnavailableError) as failed:
        service.sign(school.book(school.primary), "gvcn", school.key("gvcn"))
    assert failed.value.code == "hocba.timestamp_unavailable" and failed.value.retryable
