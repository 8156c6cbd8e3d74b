"""A quicker TSA for the development PKI: the same tokens as certomancer's, with what never changes encoded once.

certomancer builds each token as asn1crypto values: the certificates it embeds, the TSA's name and every wrapper
are copied, re-tagged and re-encoded for every token, which costs three times the signature. A TSA's token differs
from one request to the next only in its TSTInfo (the hash, serial, time and nonce) and the signed attributes
over it. Those are still built with asn1crypto; the wrappers around them (RFC 5652 SignedData, RFC 3161
TimeStampResp) are written from their encodings, with the constant parts encoded when the TSA is summoned.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from asn1crypto import algos, cms, core, tsp, x509
from certomancer.crypto_utils import generic_sign
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel, PKIArchitecture, ServiceLabel
from certomancer.services import TimeStamper, get_nonce, simple_cms_attribute
from werkzeug.wrappers import Request, Response

_SEQUENCE, _SET, _INTEGER, _OCTETS = 0x30, 0x31, 0x02, 0x04
_CONTEXT_0, _CONTEXT_0_EXPLICIT = 0xA0, 0xA0  # [0] IMPLICIT of a constructed type has the same tag as EXPLICIT


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _der(tag: int, *parts: bytes) -> bytes:
    """One DER value: `tag`, then the length of the parts, then the parts."""
    content = b"".join(parts)
    return bytes([tag]) + _length(len(content)) + content


class QuickTimeStamper(TimeStamper):
    """certomancer's `TimeStamper` for `base`'s TSA, answering with the same token in a fraction of the time."""

    def __init__(self, base: TimeStamper) -> None:
        super().__init__(
            base.tsa_cert,
            base.tsa_key,
            base.signature_algo,
            base.certs_to_embed,
            base.fixed_dt,
            base.policy,
            base.md_algorithm,
        )
        cert = self.tsa_cert
        self._tsa_name = x509.GeneralName(name="directory_name", value=cert.subject)
        self._digest_algorithm = algos.DigestAlgorithm({"algorithm": self.md_algorithm})
        self._signing_certificate = simple_cms_attribute(
            "signing_certificate",
            tsp.SigningCertificate({"certs": [tsp.ESSCertID({"cert_hash": hashlib.sha1(cert.dump()).digest()})]}),
        )
        # DER orders a SET OF by its members' encodings.
        embedded = sorted({c.dump() for c in [*self.certs_to_embed, cert]})
        sid = cms.IssuerAndSerialNumber({"issuer": cert.issuer, "serial_number": cert.serial_number})
        self._head = _der(_INTEGER, b"\x03") + _der(
            _SET, self._digest_algorithm.dump()
        )  # SignedData's version, digests
        self._tst_info_type = cms.ContentType("tst_info").dump()
        self._certificates = _der(_CONTEXT_0, *embedded)
        self._signer_head = _der(_INTEGER, b"\x01") + sid.dump() + self._digest_algorithm.dump()
        self._signature_algorithm = self.signature_algo.dump()
        self._granted = tsp.PKIStatusInfo({"status": tsp.PKIStatus("granted")}).dump()
        self._signed_data = cms.ContentType("signed_data").dump()

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(self.response_bytes(req, self.fixed_dt or datetime.now(tz=UTC)))

    def response_bytes(self, req: tsp.TimeStampReq, when: datetime) -> bytes:
        """The DER of the TimeStampResp answering `req` at `when`."""
        info = {
            "version": "v1",
            "policy": self.policy,
            "message_imprint": req["message_imprint"],
            "serial_number": get_nonce(),
            "gen_time": when,
            "tsa": self._tsa_name,
        }
        if isinstance(req["nonce"], core.Integer):
            info["nonce"] = req["nonce"]
        tst_info = tsp.TSTInfo(info).dump()
        attributes = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(when)})),
                self._signing_certificate,
                simple_cms_attribute("message_digest", hashlib.new(self.md_algorithm, tst_info).digest()),
            ]
        ).dump()
        signature = generic_sign(self.tsa_key, attributes, self.signature_algo)
        signer_info = _der(
            _SEQUENCE,
            self._signer_head,
            _CONTEXT_0.to_bytes(1, "big") + attributes[1:],  # the signed attributes, [0] IMPLICIT
            self._signature_algorithm,
            _der(_OCTETS, signature),
        )
        signed_data = _der(
            _SEQUENCE,
            self._head,
            _der(_SEQUENCE, self._tst_info_type, _der(_CONTEXT_0_EXPLICIT, _der(_OCTETS, tst_info))),
            self._certificates,
            _der(_SET, signer_info),
        )
        token = _der(_SEQUENCE, self._signed_data, _der(_CONTEXT_0_EXPLICIT, signed_data))
        return _der(_SEQUENCE, self._granted, token)


class QuickAnimator(Animator):
    """certomancer's services, with each TSA answering through a `QuickTimeStamper` (made again when the
    architecture is reloaded, as after a revocation)."""

    def __init__(self, architectures: AnimatorArchStore) -> None:
        super().__init__(architectures, with_web_ui=False)
        self._stampers: dict[tuple[str, str], tuple[PKIArchitecture, QuickTimeStamper]] = {}

    def serve_timestamp_response(self, request: Request, *, label: str, arch: str) -> Response:
        pki_arch = self.architectures[ArchLabel(arch)]
        made = self._stampers.get((arch, label))
        if made is None or made[0] is not pki_arch:
            stamper = QuickTimeStamper(pki_arch.service_registry.summon_timestamper(ServiceLabel(label)))
            made = self._stampers[(arch, label)] = (pki_arch, stamper)
        req = tsp.TimeStampReq.load(request.stream.read())
        return Response(made[1].response_bytes(req, self.at_time(request)), mimetype="application/timestamp-reply")
