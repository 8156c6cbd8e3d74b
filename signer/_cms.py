"""Small readers of CMS structures that pyHanko keeps internal."""

from __future__ import annotations

from asn1crypto import cms, core, x509


def timestamp_tokens(signer_info: cms.SignerInfo) -> list[cms.ContentInfo]:
    """The RFC 3161 signature timestamp tokens in a signature's unsigned attributes."""
    unsigned = signer_info["unsigned_attrs"]
    if isinstance(unsigned, core.Void):
        return []
    return [
        token for attr in unsigned if attr["type"].native == "signature_time_stamp_token" for token in attr["values"]
    ]


def token_signer(token: cms.ContentInfo) -> x509.Certificate | None:
    """The certificate among the token's own that signed it (named by issuer and serial, or by key identifier)."""
    signed = token["content"]
    sid = signed["signer_infos"][0]["sid"]
    for choice in signed["certificates"] or ():
        cert: x509.Certificate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            if sid.chosen["issuer"] == cert.issuer and sid.chosen["serial_number"].native == cert.serial_number:
                return cert
        elif sid.chosen.native == cert.key_identifier:
            return cert
    return None
