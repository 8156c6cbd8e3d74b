"""ETSI TS 119 102-2 validation report: the machine-readable verdict other EU-style validators and auditors read.

Each signature is validated by pyHanko's AdES process (ETSI EN 319 102-1): the long-term (LTA) process when the
book carries an archive timestamp, otherwise the process with time. pyHanko writes one report per signature;
they are merged into one `ValidationReport` with one `SignatureValidationReport` per signature and the
validation objects (certificates, revocation data, timestamps) listed once.
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.sign.validation.ades import ades_lta_validation, ades_with_time_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.report.tools import generate_report
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
from pyhanko_certvalidator.registry import SimpleTrustManager

from ._deadline import OutOfTime, time_bound
from ._reading import open_untrusted
from .checks import CLOCK_TOLERANCE
from .errors import TooComplexError, UnreadableDocumentError
from .model import VerifyPolicy

NAMESPACES = {
    "vr": "http://uri.etsi.org/19102/v1.2.1#",
    "XAdES": "http://uri.etsi.org/01903/v1.3.2#",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "xs": "http://www.w3.org/2001/XMLSchema",
}
_VR = "{" + NAMESPACES["vr"] + "}"

MAIN_PASSED = "urn:etsi:019102:mainindication:total-passed"


def _spec(roots: list[x509.Certificate], offline: bool, bounds: VerifyPolicy) -> PdfSignatureValidationSpec:
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=roots),
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(
                ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
                intermediate_ca_cert_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            )
        ),
        time_tolerance=CLOCK_TOLERANCE,
    )
    rule = RevinfoOnlineFetchingRule.LOCAL_ONLY if offline else RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=rule,
                fetcher_backend=AIOHttpFetcherBackend(per_request_timeout=bounds.fetch_timeout),
            ),
        )
    )


async def _reports(pdf: bytes, roots: list[x509.Certificate], offline: bool, policy: VerifyPolicy) -> list[str]:
    try:
        signatures = list(open_untrusted(pdf, policy).embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UnreadableDocumentError("reports", exc=str(exc)) from exc
    spec = _spec(roots, offline, policy)
    archived = any(s.sig_object_type == "/DocTimeStamp" for s in signatures)
    reports = []
    for sig in signatures:
        if sig.sig_object_type != "/Sig":
            continue  # document timestamps are judged inside the LTA process, as the book's evidence record
        result: Any
        if archived:
            result = await ades_lta_validation(sig, spec)
        else:
            result = await ades_with_time_validation(
                sig.signed_data,
                spec.signature_validation_spec,
                raw_digest=sig.compute_digest(),
                extra_status_kwargs=sig.summarise_integrity_info(),
                status_cls=PdfSignatureStatus,
            )
        reports.append(generate_report(sig, result))
    return reports


def merge_reports(reports: list[str]) -> str:
    """One ValidationReport holding every signature's report; validation objects listed once (by Id)."""
    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    merged = ET.Element(f"{_VR}ValidationReport")
    objects = ET.Element(f"{_VR}SignatureValidationObjects")
    seen: set[str] = set()
    for text in reports:
        root = ET.fromstring(text)
        merged.extend(root.findall(f"{_VR}SignatureValidationReport"))
        for obj in root.iterfind(f"{_VR}SignatureValidationObjects/{_VR}ValidationObject"):
            key = obj.get("id") or ET.tostring(obj, encoding="unicode")
            if key not in seen:
                seen.add(key)
                objects.append(obj)
    if len(objects):
        merged.append(objects)
    ET.indent(merged)
    return ET.tostring(merged, encoding="unicode", xml_declaration=True)


def etsi_report(
    pdf: bytes, roots: list[x509.Certificate], offline: bool = False, policy: VerifyPolicy | None = None
) -> str:
    """The ETSI TS 119 102-2 report (XML text) for every signature of `pdf`, within the same bounds as `verify`
    (the responders' timeout, the wall time)."""
    policy = policy or VerifyPolicy()
    try:
        with time_bound(policy.max_seconds + 1):
            return merge_reports(asyncio.run(_reports(pdf, roots, offline, policy)))
    except OutOfTime as exc:
        raise TooComplexError(
            "etsi_report",
            max_seconds=policy.max_seconds,
        ) from exc
