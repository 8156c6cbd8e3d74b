"""A quicker TSA for the development PKI: the same tokens as certomancer's, with what never changes encoded once.

certomancer builds each token as asn1crypto values: the certificates it embeds, the TSA's name and every wrapper
are copied, re-tagged and re-encoded for every token, which costs several times the signature. A token differs
from one request to the next only in a few values: the request's hash and nonce, a serial, the time, and the
digest and signature over them. So the token (RFC 3161 TimeStampResp around an RFC 5652 SignedData) is written
from its encodings: what never changes is encoded by asn1crypto when the TSA is summoned, and the rest joined
around the few values each request brings. `tests/test_dev_tsa.py` holds it to certomancer's bytes.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from asn1crypto import algos, cms, core, tsp, x509
from certomancer.crypto_utils import generic_sign
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel, PKIArchitecture, ServiceLabel
from certomancer.services import TimeStamper, get_nonce
from werkzeug.wrappers import Request, Response

_SEQUENCE, _SET, _INTEGER, _OCTETS = 0x30, 0x31, 0x02, 0x04
_CONTEXT_0 = 0xA0  # [0], constructed: EXPLICIT, or IMPLICIT over a SET or SEQUENCE


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _attribute(kind: str, value: bytes) -> bytes:
    """A CMS attribute of one value (`value`'s DER)."""
    return _der(_SEQUENCE, cms.CMSAttributeType(kind).dump(), _der(_SET, value))


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
        digest_algorithm = algos.DigestAlgorithm({"algorithm": self.md_algorithm}).dump()
        tst_info_type = cms.ContentType("tst_info").dump()
        signing_certificate = tsp.SigningCertificate(
            {"certs": [tsp.ESSCertID({"cert_hash": hashlib.sha1(cert.dump()).digest()})]}
        )
        sid = cms.IssuerAndSerialNumber({"issuer": cert.issuer, "serial_number": cert.serial_number})
        # TSTInfo: version 1 and the policy; the TSA's name, [0] EXPLICIT
        self._tst_head = _der(_INTEGER, b"\x01") + self.policy.dump()
        self._tsa_name = _der(_CONTEXT_0, x509.GeneralName(name="directory_name", value=cert.subject).dump())
        # the signed attributes that never change
        self._content_type = _attribute("content_type", tst_info_type)
        self._signing_certificate = _attribute("signing_certificate", signing_certificate.dump())
        # SignedData: version 3 and the digest algorithms; the eContent's type; the certificates (a SET OF,
        # which DER orders by encoding), [0] IMPLICIT
        self._signed_head = _der(_INTEGER, b"\x03") + _der(_SET, digest_algorithm)
        self._tst_info_type = tst_info_type
        self._certificates = _der(_CONTEXT_0, *sorted({c.dump() for c in [*self.certs_to_embed, cert]}))
        # SignerInfo: version 1, the TSA's issuer and serial, the digest and signature algorithms
        self._signer_head = _der(_INTEGER, b"\x01") + sid.dump() + digest_algorithm
        self._signature_algorithm = self.signature_algo.dump()
        # TimeStampResp: granted; the token's content type
        self._granted = tsp.PKIStatusInfo({"status": tsp.PKIStatus("granted")}).dump()
        self._signed_data = cms.ContentType("signed_data").dump()

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(self.response_bytes(req, self.fixed_dt or datetime.now(tz=UTC)))

    def response_bytes(self, req: tsp.TimeStampReq, when: datetime) -> bytes:
        """The DER of the TimeStampResp answering `req` at `when`."""
        nonce = req["nonce"].dump() if isinstance(req["nonce"], core.Integer) else b""
        tst_info = _der(
            _SEQUENCE,
            self._tst_head,
            req["message_imprint"].dump(),
            core.Integer(get_nonce()).dump(),
            core.GeneralizedTime(when).dump(),
            nonce,
            self._tsa_name,
        )
        digest = hashlib.new(self.md_algorithm, tst_info).digest()
        members = [
            self._content_type,
            _attribute("signing_time", core.UTCTime(when).dump()),
            self._signing_certificate,
            _attribute("message_digest", _der(_OCTETS, digest)),
        ]
        attributes = b"".join(sorted(members))  # a SET OF, in DER order
        signature = generic_sign(self.tsa_key, _der(_SET, attributes), self.signature_algo)
        signer_info = _der(
            _SEQUENCE,
            self._signer_head,
            _der(_CONTEXT_0, attributes),  # the signed attributes, [0] IMPLICIT
            self._signature_algorithm,
            _der(_OCTETS, signature),
        )
        signed_data = _der(
            _SEQUENCE,
            self._signed_head,
            _der(_SEQUENCE, self._tst_info_type, _der(_CONTEXT_0, _der(_OCTETS, tst_info))),
            self._certificates,
            _der(_SET, signer_info),
        )
        token = _der(_SEQUENCE, self._signed_data, _der(_CONTEXT_0, signed_data))
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
