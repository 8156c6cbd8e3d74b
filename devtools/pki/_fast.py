"""Faster signing inside the development PKI's services.

certomancer parses the issuing key (with cryptography's full RSA key check) for every OCSP response,
CRL and timestamp it signs. The development PKI's keys never change while it runs, so they are parsed once.
It also builds its certificates as asn1crypto values, which re-encode themselves whenever a timestamp token or
an OCSP response embeds them (at a cost in every token); parsed back from their DER they keep their encoding.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from asn1crypto import algos, keys, x509
from certomancer import crypto_utils
from certomancer.registry import PKIArchitecture
from cryptography.hazmat.primitives import serialization

from signer import raw_signature


@lru_cache(maxsize=64)
def _key(der: bytes) -> Any:
    # Our own freshly generated keys: the RSA consistency check would only cost time.
    return serialization.load_der_private_key(der, password=None, unsafe_skip_rsa_key_validation=True)


class CachingBackend(crypto_utils.PycaCryptographyBackend):
    def generic_sign(
        self, private_key: keys.PrivateKeyInfo, tbs_bytes: bytes, sd_algo: algos.SignedDigestAlgorithm
    ) -> bytes:
        key = _key(private_key.dump())
        signature = raw_signature(key, tbs_bytes, sd_algo.hash_algo, sd_algo.signature_algo)
        if signature is not None:
            return signature
        result: bytes = super().generic_sign(private_key, tbs_bytes, sd_algo)
        return result


def install() -> None:
    if not isinstance(crypto_utils.CRYPTO_BACKEND, CachingBackend):
        crypto_utils.CRYPTO_BACKEND = CachingBackend()


def with_parsed_certificates(arch: PKIArchitecture) -> PKIArchitecture:
    """`arch` with each certificate replaced by the same certificate parsed from its DER (identical bytes)."""
    for label in list(arch._cert_specs):
        arch._cert_cache[label] = x509.Certificate.load(arch.get_cert(label).dump())
    return arch
