"""A key on a PKCS#11 token or HSM (a school's USB token, an HSM; SoftHSM2 in tests)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import aiohttp
from asn1crypto import x509
from pkcs11.exceptions import UserAlreadyLoggedIn
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

from ..errors import KeySourceError
from ..ports import KeyKind

DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


class Pkcs11KeySource:
    """One session for the life of the source: a principal's batch logs in to the token once."""

    kind = KeyKind.TOKEN
    batch_size = 1

    async def connect(self, session: aiohttp.ClientSession) -> object:
        return self  # a local key: nothing to connect

    def __init__(
        self,
        token_label: str,
        pin: str,
        key_label: str,
        module: str = DEFAULT_MODULE,
        ca_chain: tuple[x509.Certificate, ...] = (),
    ) -> None:
        self.token_label, self.key_label, self.module = token_label, key_label, module
        self._pin = pin
        self._chain = ca_chain

    @cached_property
    def _session(self) -> Any:
        try:
            return self._open(self._pin)
        except UserAlreadyLoggedIn:
            # A PKCS#11 login holds for the whole process: another source already logged in to this token.
            return self._open(None)

    def _open(self, pin: str | None) -> Any:
        try:
            return open_pkcs11_session(self.module, token_criteria=TokenCriteria(label=self.token_label), user_pin=pin)
        except UserAlreadyLoggedIn:
            raise
        except Exception as exc:  # python-pkcs11 raises its own hierarchy (no token, wrong PIN, locked …)
            raise KeySourceError(
                "token",
                token_label=self.token_label,
                name=str(type(exc).__name__),
                exc=str(exc),
            ) from exc

    @cached_property
    def _signer(self) -> PKCS11Signer:
        signer = PKCS11Signer(self._session, key_label=self.key_label, cert_label=self.key_label, ca_chain=self._chain)
        algorithm = signer.signing_cert.public_key.algorithm
        if algorithm == "ec":
            # SoftHSM 2.6 signs ECDSA only through the raw mechanism (pyHanko then hashes itself).
            signer = PKCS11Signer(
                self._session,
                key_label=self.key_label,
                cert_label=self.key_label,
                ca_chain=self._chain,
                use_raw_mechanism=True,
            )
        return signer

    @property
    def certificate(self) -> x509.Certificate:
        cert: x509.Certificate = self._signer.signing_cert
        return cert

    def signer(self) -> PKCS11Signer:
        return self._signer

    def close(self) -> None:
        if "_session" in self.__dict__:
            self._session.close()
