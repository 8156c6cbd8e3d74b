"""A key and certificate from a PKCS#12 (.p12/.pfx) file, loaded once."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from asn1crypto import x509
from pyhanko.sign.signers import SimpleSigner

from ..errors import KeySourceError


class Pkcs12KeySource:
    def __init__(self, path: Path, password: bytes | None) -> None:
        self.path = path
        self._password = password

    @cached_property
    def _signer(self) -> SimpleSigner:
        # Loading the key costs tens of ms (cryptography's key checks); a batch reuses this one signer.
        try:
            signer: SimpleSigner | None = SimpleSigner.load_pkcs12(str(self.path), passphrase=self._password)
        except (OSError, ValueError) as exc:
            raise KeySourceError(
                f"Không mở được tệp khóa {self.path}: {exc}", f"Cannot open key file {self.path}: {exc}"
            ) from exc
        if signer is None:
            raise KeySourceError(
                f"Không mở được tệp khóa {self.path} (sai mật khẩu?)",
                f"Cannot open key file {self.path} (wrong password?)",
            )
        return signer

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
