"""The one raw-signature helper behind the PKCS#12 source, the reference token and the development services."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from signer import raw_signature

DATA = "Học bạ số".encode()


def test_rsa_pkcs1v15_over_data_or_its_digest() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for signature in (
        raw_signature(key, DATA, "sha256"),
        raw_signature(key, DATA, "sha256", "rsassa_pkcs1v15"),
        raw_signature(key, hashlib.sha256(DATA).digest(), "sha256", prehashed=True),
    ):
        assert signature is not None
        key.public_key().verify(signature, DATA, padding.PKCS1v15(), hashes.SHA256())


def test_ecdsa_over_data_or_its_digest() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    for signature in (
        raw_signature(key, DATA, "sha256", "ecdsa"),
        raw_signature(key, hashlib.sha256(DATA).digest(), "sha256", prehashed=True),
    ):
        assert signature is not None
        key.public_key().verify(signature, DATA, ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize("mechanism", ["rsassa_pss", "ecdsa"])
def test_anything_else_is_the_callers_to_handle(mechanism: str) -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert raw_signature(rsa_key, DATA, "sha256", mechanism) is None
    assert raw_signature(ed25519.Ed25519PrivateKey.generate(), DATA, "sha256") is None
