"""The signed attributes of a PAdES signature, with the signer's ESS signing-certificate-v2 built once.

asn1crypto re-encodes a freshly built value every time it is copied into a larger structure, and pyHanko
copies the signed attributes several times (dumped to be signed, retagged into the SignerInfo, dumped with the
whole CMS): for the signing-certificate-v2 value, whose issuer name is deeply nested, that was a noticeable part of
every signature. A value parsed back from its DER keeps its encoding and copies for free.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from asn1crypto import tsp, x509
from pyhanko.sign import attributes
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.signers import Signer
from pyhanko.sign.signers.pdf_cms import CAdESSignedAttributeProviderSpec, PdfCMSSignedAttributes


@lru_cache(maxsize=256)
def _signing_certificate(cert_der: bytes) -> tsp.SigningCertificateV2:
    built = as_signing_certificate_v2(x509.Certificate.load(cert_der))
    return tsp.SigningCertificateV2.load(built.dump())


class _KeptSigningCertificate(attributes.SigningCertificateV2Provider):
    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        return _signing_certificate(self.signing_cert.dump())


class _PadesSignedAttributes(CAdESSignedAttributeProviderSpec):
    """pyHanko's own PAdES attribute set (what it uses when none is installed), with the kept value."""

    def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str) -> Iterable[Any]:
        for provider in super().signed_attr_providers(data_digest, digest_algorithm):
            if type(provider) is attributes.SigningCertificateV2Provider:
                yield _KeptSigningCertificate(provider.signing_cert)
            else:
                yield provider


def install(signer: Signer) -> None:
    """Make `signer` build PAdES signed attributes with the kept signing-certificate value. Every signature
    of this service is PAdES with no extra CAdES attributes, so one fixed attribute set serves them all."""
    if signer.signed_attr_prov_spec is None and signer.signing_cert is not None:
        signer.signed_attr_prov_spec = _PadesSignedAttributes(
            attr_settings=PdfCMSSignedAttributes(), signing_cert=signer.signing_cert, is_pades=True, timestamper=None
        )
