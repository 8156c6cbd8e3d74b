"""The signing service's calls to the TSA and the OCSP/CRL responders: bounded by the policy's timeout and retried
with backoff when the failure may pass (a responder slow on a busy machine, a dropped connection). A refusal
(revoked, untrusted) is an answer and is never retried."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from asn1crypto import tsp
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from .model import SigningPolicy

T = TypeVar("T")


async def retrying(
    attempt: Callable[[], Awaitable[T]], retry_on: tuple[type[BaseException], ...], policy: SigningPolicy
) -> T:
    """`attempt()` up to `policy.network_attempts` times, waiting `policy.network_backoff` × 1, 2, 4 … between."""
    for number in range(policy.network_attempts):
        try:
            return await attempt()
        except retry_on:
            if number + 1 == policy.network_attempts:
                raise
            await asyncio.sleep(policy.network_backoff * 2**number)
    raise AssertionError("unreachable")  # network_attempts >= 1


class RetryingTimeStamper(HTTPTimeStamper):
    """pyHanko's HTTP timestamp client with the policy's timeout, retried with backoff; a timeout of the request
    itself is a `TimestampRequestError` like any other failure to get an answer."""

    def __init__(self, url: str, session: aiohttp.ClientSession, policy: SigningPolicy) -> None:
        super().__init__(url, timeout=policy.network_timeout, session=session)
        self._policy = policy

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        async def once() -> tsp.TimeStampResp:
            try:
                response: tsp.TimeStampResp = await super(RetryingTimeStamper, self).async_request_tsa_response(req)
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise TimestampRequestError(f"The TSA did not answer: {exc!r}") from exc
            return response

        return await retrying(once, (TimestampRequestError,), self._policy)
