"""A raw signature with a private key object: the two mechanisms the service's books use, in one place.

The PKCS#12 key source, the reference token client of two-phase signing, and the development PKI's services
(TSA, OCSP, CRL, the confirming phone) all sign this way.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

MECHANISMS = ("rsassa_pkcs1v15", "ecdsa")


def raw_signature(
    key: Any, data: bytes, digest_algorithm: str, mechanism: str | None = None, prehashed: bool = False
) -> bytes | None:
    """RSA PKCS#1 v1.5 or ECDSA over `data` (a digest of it already, when `prehashed`) with `digest_algorithm`
    ("sha256", …). `mechanism` ("rsassa_pkcs1v15", "ecdsa"), when given, must be the key's. None for anything
    else (RSA-PSS, another key type): the caller's own path handles it."""
    algorithm: Any = getattr(hashes, digest_algorithm.upper())()
    if prehashed:
        algorithm = utils.Prehashed(algorithm)
    if isinstance(key, rsa.RSAPrivateKey) and mechanism in (None, "rsassa_pkcs1v15"):
        signature: bytes = key.sign(data, padding.PKCS1v15(), algorithm)
        return signature
    if isinstance(key, ec.EllipticCurvePrivateKey) and mechanism in (None, "ecdsa"):
        return key.sign(data, ec.ECDSA(algorithm))
    return None
