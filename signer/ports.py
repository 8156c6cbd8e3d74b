"""What the signing service needs from the outside world."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

import aiohttp
from asn1crypto import x509
from pyhanko.sign.signers import Signer


class KeyKind(StrEnum):
    """What a key source is, which decides how a sitting uses it."""

    FILE = "file"
    """A key file every worker process can open itself: a sitting spreads over every core."""
    TOKEN = "token"
    """A hardware token or HSM: one session, from one process unless asked otherwise."""
    REMOTE = "remote"
    """A remote signing service (CSC, confirmed on a phone): connected once, used from one process."""


class KeySource(Protocol):
    """A signing key with its certificate: a PKCS#12 file, a PKCS#11 token, a remote CSC service … It says what
    it is, so that no caller has to find out by its class."""

    kind: KeyKind
    batch_size: int
    """How many documents' hashes one use of the key takes together (1: one at a time)."""

    async def connect(self, session: aiohttp.ClientSession) -> object:
        """Bind a remote source to the signing service's HTTP session and fetch its certificate (call once); a
        local source has nothing to do."""
        ...

    @property
    def certificate(self) -> x509.Certificate: ...

    def signer(self) -> Signer:
        """The pyHanko signer; created once and reused for every document of a batch."""
        ...
