"""A bound on every request's body, enforced while it arrives: a declared `Content-Length` over the bound is
refused before anything is read, and a body that grows past it (chunked, or lying about its length) is cut off.
Without it the multipart parser would spool any upload to disk before a route could look at its size."""

from __future__ import annotations

import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import REQUEST_WORDING, problem_body


class _BodyTooLargeError(Exception):
    """Raised inside the application when the body grows past the bound."""


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _refuse(send, self.max_bytes)
            return
        seen = 0
        started = exceeded = False

        async def bounded_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the application makes of a body cut off, the answer is ours
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_BodyTooLargeError):  # the application stopped reading: answered below
            await self.app(scope, bounded_receive, guarded_send)
        if exceeded and not started:
            await _refuse(send, self.max_bytes)


async def _refuse(send: Send, max_bytes: int) -> None:
    """The problem, in Vietnamese: the request was refused before anything of it was parsed."""
    vi, en = REQUEST_WORDING["request.too_large"]
    message_vi, message_en = vi.format(limit=max_bytes), en.format(limit=max_bytes)
    body = problem_body(413, "request.too_large", message_vi, message_en, False, retryable=False, limit=max_bytes)
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": data})
