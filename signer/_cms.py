"""Small readers of CMS structures that pyHanko keeps internal."""

from __future__ import annotations

from asn1crypto import cms, core


def timestamp_tokens(signer_info: cms.SignerInfo) -> list[cms.ContentInfo]:
    """The RFC 3161 signature timestamp tokens in a signature's unsigned attributes."""
    unsigned = signer_info["unsigned_attrs"]
    if isinstance(unsigned, core.Void):
        return []
    return [
        token for attr in unsigned if attr["type"].native == "signature_time_stamp_token" for token in attr["values"]
    ]
