"""RFC 3161 timestamps over audit anchors, through pyHanko's HTTP client and its token validation."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime

from asn1crypto import cms
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext

from records import TimestampUnavailableError

from ..errors import AnchorError

# Integrity only: whether the TSA was trusted is judged with the PKI of its day, not by this offline check.
_NO_TRUST = ValidationContext(trust_roots=[], allow_fetching=False)


class RfcTimestamper:
    """`url` None: no TSA configured; tokens already stored can still be checked."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._client = HTTPTimeStamper(url) if url else None

    @property
    def can_stamp(self) -> bool:
        return self._client is not None

    def stamp(self, data: bytes) -> bytes:
        if self._client is None:
            raise TimestampUnavailableError("not_configured")
        try:
            token = asyncio.run(self._client.async_timestamp(hashlib.sha256(data).digest(), "sha256"))
        except (SigningError, OSError) as exc:
            raise TimestampUnavailableError("tsa_failed", url=self.url, exc=str(exc)) from exc
        return bytes(token.dump())

    def check(self, token: bytes, data: bytes) -> datetime:
        return check_token(token, data)


def check_token(token: bytes, data: bytes) -> datetime:
    """Checks what needs no network: the imprint covers `data` and the TSA's signature over it is intact."""
    quiet = logging.getLogger("pyhanko.sign.validation.generic_cms")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # pyHanko logs the (expected) missing trust path with a traceback
    try:
        signed = cms.ContentInfo.load(token)["content"]
        status = asyncio.run(validate_tst_signed_data(signed, _NO_TRUST, lambda algo: hashlib.new(algo, data).digest()))
    except (ValueError, TypeError, KeyError, SignatureValidationError) as exc:
        raise AnchorError(
            "token",
            exc=str(exc),
        ) from exc
    finally:
        quiet.setLevel(level)
    if not (status.get("intact") and status.get("valid")):
        raise AnchorError(
            "signature",
        )
    moment: datetime = status["timestamp"]
    return moment
