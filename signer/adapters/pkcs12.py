"""A key and certificate from a PKCS#12 (.p12/.pfx) file, loaded once."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import aiohttp
from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.signers import SimpleSigner

from ..errors import KeySourceError
from ..ports import KeyKind
from ..raw import raw_signature


class _KeptKeySigner(SimpleSigner):
    """pyHanko's SimpleSigner parses its private key again for every signature, and cryptography checks an RSA
    key's consistency on every parse (it costs more than a signature). The key is parsed once, unchecked: opening
    the PKCS#12 file has just checked it (cryptography checks every key it loads from one)."""

    @cached_property
    def _private_key(self) -> Any:
        return serialization.load_der_private_key(
            self.signing_key.dump(), password=None, unsafe_skip_rsa_key_validation=True
        )

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        signature = raw_signature(self._private_key, data, digest_algorithm, mechanism)
        if signature is None:  # PSS and the rest: pyHanko's own path
            fallback: bytes = super().sign_raw(data, digest_algorithm)
            return fallback
        return signature


class Pkcs12KeySource:
    kind = KeyKind.FILE
    batch_size = 1

    async def connect(self, session: aiohttp.ClientSession) -> object:
        return self  # a local key: nothing to connect

    def __init__(self, path: Path, password: bytes | None) -> None:
        self.path = path
        self._password = password

    @cached_property
    def _signer(self) -> SimpleSigner:
        # Loading the key costs tens of ms (cryptography's key checks); a batch reuses this one signer.
        try:
            loaded: SimpleSigner | None = SimpleSigner.load_pkcs12(str(self.path), passphrase=self._password)
        except (OSError, ValueError) as exc:
            raise KeySourceError("key_file", path=self.path, exc=str(exc)) from exc
        if loaded is None:
            raise KeySourceError(
                "wrong_password",
                path=self.path,
            )
        return _KeptKeySigner(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
            signature_mechanism=loaded.signature_mechanism,
        )

    @property
    def password(self) -> bytes | None:
        return self._password

    @property
    def certificate(self) -> x509.Certificate:
        cert = self._signer.signing_cert
        assert cert is not None
        return cert

    def signer(self) -> SimpleSigner:
        signer: SimpleSigner = self._signer
        return signer
