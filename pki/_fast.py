"""Faster signing inside the development PKI's services.

certomancer parses the issuing key (with cryptography's full RSA key check, ~27 ms) for every OCSP response,
CRL and timestamp it signs. The development PKI's keys never change while it runs, so they are parsed once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from asn1crypto import algos, keys
from certomancer import crypto_utils
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


@lru_cache(maxsize=64)
def _key(der: bytes) -> Any:
    # Our own freshly generated keys: the RSA consistency check would only cost time.
    return serialization.load_der_private_key(der, password=None, unsafe_skip_rsa_key_validation=True)


class CachingBackend(crypto_utils.PycaCryptographyBackend):
    def generic_sign(
        self, private_key: keys.PrivateKeyInfo, tbs_bytes: bytes, sd_algo: algos.SignedDigestAlgorithm
    ) -> bytes:
        key = _key(private_key.dump())
        algo = sd_algo.signature_algo
        digest = getattr(hashes, sd_algo.hash_algo.upper())()
        if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            signature: bytes = key.sign(tbs_bytes, padding.PKCS1v15(), digest)
            return signature
        if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            signature = key.sign(tbs_bytes, ec.ECDSA(digest))
            return signature
        result: bytes = super().generic_sign(private_key, tbs_bytes, sd_algo)
        return result


def install() -> None:
    if not isinstance(crypto_utils.CRYPTO_BACKEND, CachingBackend):
        crypto_utils.CRYPTO_BACKEND = CachingBackend()
