"""Verification of a học bạ: every signature, the archive timestamp, and the book as a whole.

Each signature's certificate is judged at the time its RFC 3161 timestamp proves it existed (point-in-time
validation), so a certificate revoked or expired after signing does not undo a signature made before. Revocation
data comes from the book's own DSS first, then (unless offline) from the OCSP responders and CRLs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import cms, core, tsp, x509
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from records import Role, SigningPlan
from templates import PlanMissingError, read_plan

from . import _names, _pdfread
from ._cms import timestamp_tokens
from .errors import SignerError
from .service import pdfa_part


class UnreadableDocumentError(SignerError):
    code = "signer.unreadable"


@dataclass(frozen=True)
class SignatureCheck:
    field: str
    kind: str
    """``signature`` or ``archive_timestamp``."""
    signer: str
    role: str
    signing_time: datetime | None
    """As the signer's software reported it (not proof)."""
    timestamp_time: datetime | None
    """From the TSA: the proven time."""
    intact: bool
    valid: bool
    trusted: bool
    revocation: str
    """``good``, ``revoked`` or ``unknown`` at the proven time."""
    coverage: str
    modification: str
    pades_level: str
    problems: tuple[tuple[str, str], ...] = ()
    """(Vietnamese, English) reasons when something is wrong."""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class DocumentCheck:
    signatures: tuple[SignatureCheck, ...]
    plan_complete: bool
    sealed: bool
    lta: bool
    pdfa: str | None
    problems: tuple[tuple[str, str], ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems and all(s.ok for s in self.signatures)


def _timestamp_time(signer_info: cms.SignerInfo) -> datetime | None:
    """When the TSA saw the signature: the genTime of its first signature timestamp token."""
    for token in timestamp_tokens(signer_info):
        content = token["content"]["encap_content_info"]["content"]
        info = tsp.TSTInfo.load(content.native if isinstance(content, core.OctetString) else bytes(content))
        moment: datetime = info["gen_time"].native
        return moment
    return None


def _revinfo_policy() -> CertRevTrustPolicy:
    return CertRevTrustPolicy(
        # No revocation answer for a signer means "not trusted", never "probably fine".
        RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
        ),
        # Revocation data gathered after the signature (at sealing, or now) speaks for the signing time.
        retroactive_revinfo=True,
    )


def _present_context(roots: list[x509.Certificate], offline: bool, dss: Any) -> ValidationContext:
    """The context for "now": the book's DSS (certificates, OCSP responses, CRLs) loaded once."""
    kwargs: dict[str, Any] = {"trust_roots": roots, "allow_fetching": not offline, "revinfo_policy": _revinfo_policy()}
    if dss is not None:
        context: ValidationContext = dss.as_validation_context(kwargs)
        return context
    if offline:  # nothing to fetch and nothing embedded: the revocation status will be reported as unknown
        kwargs.update(crls=[], ocsps=[])
    return ValidationContext(**kwargs)


def _context_at(present: ValidationContext, moment: datetime | None, offline: bool) -> ValidationContext:
    """The same certificates and revocation data judged at `moment`: shared, not parsed again per signature
    (loading a DSS into a context costs tens of ms)."""
    return ValidationContext(
        trust_manager=present.path_builder.trust_manager,
        certificate_registry=present.certificate_registry,
        revinfo_manager=present.revinfo_manager,
        moment=moment,
        allow_fetching=not offline,
        revinfo_policy=_revinfo_policy(),
    )


def _problems(status: Any, kind: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not status.intact:
        out.append(("Nội dung đã bị thay đổi sau khi ký", "The signed content was altered"))
    elif not status.valid:
        out.append(("Chữ ký không hợp lệ về mật mã", "The signature is cryptographically invalid"))
    if not status.trusted:
        out.append(
            ("Chứng thư số không được tin cậy hoặc không xác định được trạng thái", "The certificate is not trusted")
        )
    changed = getattr(status, "docmdp_ok", True) is False or status.modification_level == ModificationLevel.OTHER
    if kind == "signature" and changed:
        out.append(
            ("Có sửa đổi không được phép sau khi ký", "The document was modified in a way not allowed after signing")
        )
    return out


def _role(plan: SigningPlan | None, name: str) -> str:
    if plan is None:
        return ""
    try:
        return plan.entry(name).label
    except KeyError:
        return ""


def _check_one(
    sig: EmbeddedPdfSignature,
    offline: bool,
    dss: Any,
    plan: SigningPlan | None,
    present: ValidationContext,
    later_archive: bool,
) -> SignatureCheck:
    name = sig.field_name
    if sig.sig_object_type == "/DocTimeStamp":
        status = validate_pdf_timestamp(sig, validation_context=present)
        return SignatureCheck(
            name,
            "archive_timestamp",
            str(status.signing_cert.subject.native.get("common_name", "")),
            "Dấu thời gian lưu trữ",
            None,
            status.timestamp,
            status.intact,
            status.valid,
            status.trusted,
            "good" if status.trusted else "unknown",
            "",
            "",
            "",
            tuple(_problems(status, "archive_timestamp")),
        )
    proven = _timestamp_time(sig.signer_info)
    context = _context_at(present, proven, offline)
    result = validate_pdf_signature(sig, signer_validation_context=context, ts_validation_context=present)
    revoked = result.revocation_details is not None
    level = "B-B" if proven is None else ("B-LTA" if later_archive else ("B-LT" if dss is not None else "B-T"))
    return SignatureCheck(
        name,
        "signature",
        result.signing_cert.subject.native.get("common_name", ""),
        _role(plan, name),
        result.signer_reported_dt,
        proven,
        result.intact,
        result.valid,
        result.trusted,
        "revoked" if revoked else ("good" if result.trusted else "unknown"),
        result.coverage.name if result.coverage else "",
        result.modification_level.name if result.modification_level else "",
        level,
        tuple(_problems(result, "signature")),
    )


def verify(pdf: bytes, roots: list[x509.Certificate], offline: bool = False) -> DocumentCheck:
    _pdfread.install()
    _names.install()
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UnreadableDocumentError(f"Không đọc được tệp PDF: {exc}", f"Cannot read the PDF: {exc}") from exc
    try:
        plan: SigningPlan | None = read_plan(pdf)
    except (PlanMissingError, ValueError):
        plan = None
    dss = DocumentSecurityStore.read_dss(reader) if "/DSS" in reader.root else None
    # Timestamp tokens are judged now; each signature at the time its timestamp proves.
    present = _present_context(roots, offline, dss)
    archive_index = max((i for i, s in enumerate(signatures) if s.sig_object_type == "/DocTimeStamp"), default=-1)
    checks = tuple(
        _check_one(sig, offline, dss, plan, present, later_archive=i < archive_index)
        for i, sig in enumerate(signatures)
    )
    signed = {c.field for c in checks if c.kind == "signature"}
    seal_fields = {e.field for e in plan.entries if e.role is Role.SCHOOL_SEAL} if plan else set()
    problems: list[tuple[str, str]] = []
    if not checks:
        problems.append(("Tài liệu chưa có chữ ký nào", "The document carries no signature"))
    plan_complete = plan is not None and all(f in signed for f in plan.fields())
    part = pdfa_part(pdf)
    return DocumentCheck(
        checks,
        plan_complete,
        bool(seal_fields & signed),
        archive_index >= 0,
        f"PDF/A-{part}B" if part else None,
        tuple(problems),
    )
