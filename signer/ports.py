"""What the signing service needs from the outside world."""

from __future__ import annotations

from typing import Protocol

from asn1crypto import x509
from pyhanko.sign.signers import Signer


class KeySource(Protocol):
    """A signing key with its certificate: a PKCS#12 file, a PKCS#11 token, a remote CSC service …"""

    @property
    def certificate(self) -> x509.Certificate: ...

    def signer(self) -> Signer:
        """The pyHanko signer; created once and reused for every document of a batch."""
        ...
