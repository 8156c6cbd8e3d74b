"""Judging one signature or one document timestamp: its integrity, the time its timestamp proves, its certificate
at that time, and what changed in the book after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import cms, core, tsp, x509
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from records import SigningPlan

from . import _verdict
from ._cms import timestamp_tokens
from ._contexts import Contexts, online_or_embedded
from ._history import changes_allowed
from ._report import Message, SignatureCheck
from .checks import common_name


def _utc(moment: datetime | None) -> datetime | None:
    """A plain UTC datetime: asn1crypto's own zone objects drag a large graph into every copy of the report."""
    return moment.astimezone(UTC) if moment is not None else None


def _claimed_time(signer_info: cms.SignerInfo) -> datetime | None:
    """The genTime of the signature's first timestamp token: a claim until the token validates."""
    for token in timestamp_tokens(signer_info):
        content = token["content"]["encap_content_info"]["content"]
        info = tsp.TSTInfo.load(content.native if isinstance(content, core.OctetString) else bytes(content))
        moment: datetime = info["gen_time"].native
        return moment
    return None


def _trust_messages(sub: str | None) -> list[Message]:
    return [_verdict.message(sub)] if sub else []


def _role(plan: SigningPlan | None, name: str) -> str:
    if plan is None:
        return ""
    try:
        return plan.entry(name).label
    except KeyError:
        return ""


def _common_name(cert: x509.Certificate | None) -> str:
    return common_name(cert) if cert is not None else ""


def _integrity(status: Any) -> tuple[str | None, list[Message]]:
    if not status.intact:
        return "HASH_FAILURE", [_verdict.message("HASH_FAILURE")]
    if not status.valid:
        return "SIG_CRYPTO_FAILURE", [_verdict.message("SIG_CRYPTO_FAILURE")]
    return None, []


# What the book's own data can settle when the responders could not: no usable answer, or an out-of-date one.
RETRY_EMBEDDED = {
    "TRY_LATER",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE",
    "OUT_OF_BOUNDS_NOT_REVOKED",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE",
    "GENERIC",
}
_EMBEDDED_NOTE = (
    "Dấu thời gian lưu trữ được kiểm tra bằng dữ liệu xác thực gắn trong tệp, tại thời điểm của nó",
    "The archive timestamp was checked with the validation data embedded in the file, at its own time",
)


def still_valid(cert: x509.Certificate, now: datetime | None) -> bool:
    not_after: datetime = cert["tbs_certificate"]["validity"]["not_after"].native
    return not_after > (now or datetime.now(UTC))


def _modification(diff: object) -> str:
    level = getattr(diff, "modification_level", None)
    return level.name if level is not None else "OTHER"


async def _timestamp_trust(
    sig: EmbeddedPdfSignature, contexts: Contexts, poe_after: datetime | None
) -> tuple[Any, Any, bool]:
    """(status with the difference analysis, status that decided trust, whether the embedded data decided it)."""
    status = await online_or_embedded(
        contexts, lambda fetch: async_validate_pdf_timestamp(sig, validation_context=contexts.at(poe_after, fetch))
    )
    if status.trusted or poe_after is not None:
        return status, status, False
    _, sub = _verdict.of_trust(status)
    if sub not in RETRY_EMBEDDED or not still_valid(status.signing_cert, contexts.now):
        return status, status, False
    # The responders are gone or the embedded answers are out of date: the newest archive timestamp is judged at
    # its own time from the data the seal embedded for exactly this.
    again = await async_validate_pdf_timestamp(
        sig, validation_context=contexts.at(status.timestamp, fetch=False), skip_diff=True
    )
    contexts.responders_down = contexts.responders_down or bool(again.trusted)
    return status, (again if again.trusted else status), again.trusted


async def check_document_timestamp(
    sig: EmbeddedPdfSignature, contexts: Contexts, poe_after: datetime | None
) -> tuple[SignatureCheck, datetime | None]:
    """The check of a document timestamp and the time it proves (None when it proves nothing)."""
    status, trust, embedded = await _timestamp_trust(sig, contexts, poe_after)
    indication, sub = _verdict.of_trust(trust)
    problems = [] if indication == _verdict.PASSED else _trust_messages(sub)
    integrity_sub, broken = _integrity(status)
    if integrity_sub:
        indication, sub, problems = _verdict.FAILED, integrity_sub, broken
    if _modification(status.diff_result) not in ("NONE", "LTA_UPDATES"):
        indication, sub = _verdict.FAILED, "FORMAT_FAILURE"
        problems.append(_verdict.message("FORMAT_FAILURE"))
    proven = _utc(status.timestamp) if indication == _verdict.PASSED else None
    check = SignatureCheck(
        sig.field_name,
        "archive_timestamp",
        _common_name(status.signing_cert),
        "Dấu thời gian lưu trữ",
        None,
        proven,
        status.intact,
        status.valid,
        bool(trust.trusted),
        _verdict.revocation(trust),
        status.coverage.name if status.coverage else "",
        _modification(status.diff_result),
        "",
        tuple(problems),
        indication,
        sub,
        timestamp_trusted=proven is not None,
        judged_at=_utc(status.timestamp) if embedded else poe_after,
        notes=(_EMBEDDED_NOTE,) if embedded else (),
    )
    return check, proven


@dataclass
class _Judged:
    """One signature judged once: the status with the difference analysis, the one that decided trust."""

    result: Any
    trust: Any
    ts_trusted: bool | None
    judged_at: datetime | None
    notes: list[Message]


async def _judge(
    sig: EmbeddedPdfSignature, contexts: Contexts, poe_after: datetime | None, fetch: bool, diff: bool
) -> _Judged:
    claimed = _claimed_time(sig.signer_info)
    ts_context = contexts.at(poe_after, fetch)
    result = await async_validate_pdf_signature(
        sig,
        signer_validation_context=contexts.at(claimed or poe_after, fetch),
        ts_validation_context=ts_context,
        skip_diff=not diff,
    )
    tsv = result.timestamp_validity
    ts_trusted: bool | None = None if tsv is None else bool(tsv.intact and tsv.valid and tsv.trusted)
    if tsv is None or ts_trusted:
        return _Judged(result, result, ts_trusted, claimed or poe_after, [])
    # The token proves nothing: the certificate is judged at the time a later archive timestamp proves, or now.
    _, ts_sub = _verdict.of_trust(tsv)
    reason = _verdict.message(ts_sub or "GENERIC") if tsv.intact and tsv.valid else _verdict.message("HASH_FAILURE")
    note = (
        f"Dấu thời gian của chữ ký không được tin cậy: {reason[0]}",
        f"The signature's timestamp is not trusted: {reason[1]}",
    )
    trust = await async_validate_pdf_signature(
        sig, signer_validation_context=contexts.at(poe_after, fetch), ts_validation_context=ts_context, skip_diff=True
    )
    return _Judged(result, trust, ts_trusted, poe_after, [note])


_UNREACHABLE_NOTE = (
    "Không liên lạc được máy chủ OCSP/CRL; đã kiểm tra bằng dữ liệu xác thực gắn trong tệp",
    "The OCSP/CRL responders could not be used; checked with the validation data embedded in the file",
)


async def check_signature(
    sig: EmbeddedPdfSignature,
    contexts: Contexts,
    poe_after: datetime | None,
    plan: SigningPlan | None,
    allowed: frozenset[str],
    signed: frozenset[str],
    has_dss: bool,
) -> SignatureCheck:
    down = contexts.responders_down
    judged = await online_or_embedded(contexts, lambda fetch: _judge(sig, contexts, poe_after, fetch, diff=True))
    if contexts.responders_down and not down:
        judged.notes.append(_UNREACHABLE_NOTE)
    indication, sub = _verdict.of_trust(judged.trust)
    embedded_only = contexts.offline or contexts.responders_down  # then the book's data alone was what judged it
    if indication != _verdict.PASSED and sub in RETRY_EMBEDDED and not embedded_only and has_dss:
        # Online answers add to the embedded ones; a responder that is gone never makes a good book fail.
        again = await _judge(sig, contexts, poe_after, fetch=False, diff=False)
        if _verdict.of_trust(again.trust)[0] == _verdict.PASSED:
            contexts.responders_down = True
            judged = _Judged(
                judged.result, again.trust, again.ts_trusted, again.judged_at, [*again.notes, _UNREACHABLE_NOTE]
            )
            indication, sub = _verdict.PASSED, None
    result, trust, ts_trusted = judged.result, judged.trust, judged.ts_trusted
    problems = [] if indication == _verdict.PASSED else _trust_messages(sub)
    integrity_sub, broken = _integrity(result)
    if integrity_sub:
        indication, sub, problems = _verdict.FAILED, integrity_sub, broken
    if not changes_allowed(result.diff_result, allowed, signed) or result.docmdp_ok is False:
        indication, sub = _verdict.FAILED, "FORMAT_FAILURE"
        problems.append(_verdict.message("FORMAT_FAILURE"))
    tsv = trust.timestamp_validity or result.timestamp_validity
    proven = _utc(tsv.timestamp) if ts_trusted and tsv is not None else None
    level = "B-B" if proven is None else ("B-LTA" if poe_after else ("B-LT" if has_dss else "B-T"))
    return SignatureCheck(
        sig.field_name,
        "signature",
        _common_name(result.signing_cert),
        _role(plan, sig.field_name),
        _utc(result.signer_reported_dt),
        proven,
        result.intact,
        result.valid,
        trust.trusted,
        _verdict.revocation(trust),
        result.coverage.name if result.coverage else "",
        _modification(result.diff_result),
        level,
        tuple(problems),
        indication,
        sub,
        timestamp_trusted=ts_trusted,
        judged_at=_utc(judged.judged_at),
        notes=tuple(judged.notes),
    )
