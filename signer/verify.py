"""Verification of a học bạ: every signature, the archive timestamp, and the book as a whole.

Time is only what a trusted timestamp proves. The newest document (archive) timestamp is judged now; each older
timestamp at the time the next trusted one proves; each signature at the time its own timestamp proves, once that
token validates (intact, its TSA trusted for time-stamping at that time, its status known). A timestamp that does
not validate proves nothing: the signature is then judged at the time a later archive timestamp proves, or now,
and the report says why the timestamp was not trusted. So a key revoked for compromise cannot sign "in the past"
with a self-made TSA.

Validation data comes from the book's DSS and, unless offline, from the responders; fetched answers add to the
embedded ones. Years later, when the responders are gone and the embedded answers are out of date, the newest
archive timestamp is judged at its own time from the embedded data (its TSA certificate must still be within its
validity), which is what the seal embedded it for.

A book changes only by signatures of its plan's fields and the seal's validation data: any other field, any
change a lock forbids, a plan field whose appearance changed without a signature, makes it not genuine.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiohttp
from asn1crypto import cms, core, tsp, x509
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from records import Role, SigningPlan

from . import _names, _pdfread, _reading, _verdict, errors
from ._cms import timestamp_tokens
from ._deadline import OutOfTime, time_bound
from ._history import changes_allowed
from .errors import UnreadableDocumentError
from .model import ARCHIVE_TIMESTAMP_FIELD, VerifyPolicy

__all__ = ["DocumentCheck", "SignatureCheck", "UnreadableDocumentError", "verify"]

Message = tuple[str, str]
T = TypeVar("T")


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
    """The time a trusted timestamp proves (None when there is no timestamp or it was not trusted)."""
    intact: bool
    valid: bool
    trusted: bool
    revocation: str
    """``good``, ``revoked``, ``unknown`` (no usable data) or ``not_checked`` (no trusted path) at the time
    the signature was judged."""
    coverage: str
    modification: str
    pades_level: str
    problems: tuple[Message, ...] = ()
    """(Vietnamese, English) reasons the signature is not good."""
    indication: str = _verdict.PASSED
    """ETSI EN 319 102-1: TOTAL-PASSED, TOTAL-FAILED or INDETERMINATE."""
    sub_indication: str | None = None
    timestamp_trusted: bool | None = None
    """Whether the signature's timestamp validated (None: it has none)."""
    judged_at: datetime | None = None
    """The time the certificate was judged at (None: now)."""
    notes: tuple[Message, ...] = ()
    """What the reader should know without it making the signature bad (an untrusted timestamp)."""

    @property
    def ok(self) -> bool:
        return not self.problems and self.indication == _verdict.PASSED


@dataclass(frozen=True)
class DocumentCheck:
    signatures: tuple[SignatureCheck, ...]
    plan_complete: bool
    sealed: bool
    lta: bool
    pdfa: str | None
    problems: tuple[Message, ...] = field(default=())
    state: str = "unknown"
    """``unsigned``, ``in_progress`` (signatures remain), ``complete`` (only the seal remains), ``sealed``, or
    ``unknown`` (no signing plan in the file)."""
    remaining: tuple[str, ...] = ()
    """The plan's fields still waiting for a signature, in plan order."""

    @property
    def indication(self) -> str:
        found = [s.indication for s in self.signatures]
        return _verdict.worst([*found, _verdict.FAILED if self.problems else _verdict.PASSED])

    @property
    def verdict(self) -> str:
        """``genuine``, ``not_genuine`` or ``indeterminate`` (a check could not be completed)."""
        return {_verdict.PASSED: "genuine", _verdict.FAILED: "not_genuine"}.get(self.indication, "indeterminate")

    @property
    def ok(self) -> bool:
        return not self.problems and all(s.ok for s in self.signatures)


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


def _revinfo_policy() -> CertRevTrustPolicy:
    return CertRevTrustPolicy(
        # No revocation answer for a signer means "could not be checked", never "probably fine".
        RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
        ),
        # Revocation data gathered after the signature (at sealing, or now) speaks for the signing time.
        retroactive_revinfo=True,
    )


class _Contexts:
    """The book's certificates and revocation data, loaded once, judged at any moment: online (the book's data
    plus what the responders answer) and, when asked, from the book's data alone (what a book must fall back on
    when the responders are gone: pyHanko otherwise lets a failed fetch hide the embedded answers)."""

    def __init__(
        self, roots: list[x509.Certificate], dss: Any, offline: bool, now: datetime | None, policy: VerifyPolicy
    ) -> None:
        self.roots, self.dss, self.offline, self.now = roots, dss, offline, now
        self.backend = None if offline else AIOHttpFetcherBackend(per_request_timeout=policy.fetch_timeout)
        self.present = self._load(fetch=not offline)
        self._embedded = self.present if offline else None
        self.responders_down = False

    def _load(self, fetch: bool) -> ValidationContext:
        kwargs: dict[str, Any] = {
            "trust_roots": self.roots,
            "allow_fetching": fetch,
            "revinfo_policy": _revinfo_policy(),
            "moment": self.now,
        }
        if fetch:
            kwargs["fetcher_backend"] = self.backend
        if self.dss is not None:
            context: ValidationContext = self.dss.as_validation_context(kwargs)
            return context
        if not fetch:  # nothing to fetch and nothing embedded: revocation will be reported as unknown
            kwargs.update(crls=[], ocsps=[])
        return ValidationContext(**kwargs)

    def at(self, moment: datetime | None, fetch: bool = True) -> ValidationContext:
        """Shared, not parsed again per signature (loading a DSS into a context costs tens of ms). Once the
        responders have failed a check the book's own data then passed, the rest is judged from the book's data:
        each further attempt would only wait for the timeout again."""
        fetch = fetch and not self.responders_down
        if fetch or self.offline:
            base = self.present
        else:
            self._embedded = self._embedded or self._load(fetch=False)
            base = self._embedded
        return ValidationContext(
            trust_manager=base.path_builder.trust_manager,
            certificate_registry=base.certificate_registry,
            revinfo_manager=base.revinfo_manager,
            moment=moment or self.now,
            allow_fetching=fetch and not self.offline,
            revinfo_policy=_revinfo_policy(),
        )

    async def close(self) -> None:
        if self.backend is not None:
            await self.backend.close()


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
    return str(cert.subject.native.get("common_name", "")) if cert is not None else ""


def _integrity(status: Any) -> tuple[str | None, list[Message]]:
    if not status.intact:
        return "HASH_FAILURE", [_verdict.message("HASH_FAILURE")]
    if not status.valid:
        return "SIG_CRYPTO_FAILURE", [_verdict.message("SIG_CRYPTO_FAILURE")]
    return None, []


async def _online_or_embedded(contexts: _Contexts, check: Callable[[bool], Awaitable[T]]) -> T:
    """`check(fetch=True)`; when a responder's failure escapes the validator as a network error (a timeout), the
    same check from the book's data, and the responders are not asked again."""
    try:
        return await check(not contexts.offline)
    except (TimeoutError, aiohttp.ClientError, OSError):
        if contexts.offline or contexts.responders_down:
            raise
        contexts.responders_down = True
        return await check(False)


# What the book's own data can settle when the responders could not: no usable answer, or an out-of-date one.
_RETRY_EMBEDDED = {
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


def _still_valid(cert: x509.Certificate, now: datetime | None) -> bool:
    not_after: datetime = cert["tbs_certificate"]["validity"]["not_after"].native
    return not_after > (now or datetime.now(UTC))


def _modification(diff: object) -> str:
    level = getattr(diff, "modification_level", None)
    return level.name if level is not None else "OTHER"


async def _timestamp_trust(
    sig: EmbeddedPdfSignature, contexts: _Contexts, poe_after: datetime | None
) -> tuple[Any, Any, bool]:
    """(status with the difference analysis, status that decided trust, whether the embedded data decided it)."""
    status = await _online_or_embedded(
        contexts, lambda fetch: async_validate_pdf_timestamp(sig, validation_context=contexts.at(poe_after, fetch))
    )
    if status.trusted or poe_after is not None:
        return status, status, False
    _, sub = _verdict.of_trust(status)
    if sub not in _RETRY_EMBEDDED or not _still_valid(status.signing_cert, contexts.now):
        return status, status, False
    # The responders are gone or the embedded answers are out of date: the newest archive timestamp is judged at
    # its own time from the data the seal embedded for exactly this.
    again = await async_validate_pdf_timestamp(
        sig, validation_context=contexts.at(status.timestamp, fetch=False), skip_diff=True
    )
    contexts.responders_down = contexts.responders_down or bool(again.trusted)
    return status, (again if again.trusted else status), again.trusted


async def _check_document_timestamp(
    sig: EmbeddedPdfSignature, contexts: _Contexts, poe_after: datetime | None
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
    sig: EmbeddedPdfSignature, contexts: _Contexts, poe_after: datetime | None, fetch: bool, diff: bool
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


async def _check_signature(
    sig: EmbeddedPdfSignature,
    contexts: _Contexts,
    poe_after: datetime | None,
    plan: SigningPlan | None,
    allowed: frozenset[str],
    signed: frozenset[str],
    has_dss: bool,
) -> SignatureCheck:
    down = contexts.responders_down
    judged = await _online_or_embedded(contexts, lambda fetch: _judge(sig, contexts, poe_after, fetch, diff=True))
    if contexts.responders_down and not down:
        judged.notes.append(_UNREACHABLE_NOTE)
    indication, sub = _verdict.of_trust(judged.trust)
    if indication != _verdict.PASSED and sub in _RETRY_EMBEDDED and not contexts.offline and has_dss:
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


def _state(plan: SigningPlan | None, signed: frozenset[str]) -> tuple[str, tuple[str, ...]]:
    if plan is None:
        return "unknown", ()
    remaining = tuple(f for f in plan.fields() if f not in signed)
    seal = {e.field for e in plan.entries if e.role is Role.SCHOOL_SEAL}
    if not signed & set(plan.fields()):
        return "unsigned", remaining
    if not remaining:
        return "sealed", ()
    return ("complete" if set(remaining) <= seal else "in_progress"), remaining


async def _check_all(
    signatures: list[EmbeddedPdfSignature],
    contexts: _Contexts,
    plan: SigningPlan | None,
    allowed: frozenset[str],
    signed: frozenset[str],
    has_dss: bool,
    deadline: float,
    policy: VerifyPolicy,
) -> list[SignatureCheck]:
    """Newest first: each timestamp's proven time is what the older ones are judged at."""
    checks: dict[int, SignatureCheck] = {}
    poe: datetime | None = None  # the earliest time proven by a trusted document timestamp after the one at hand
    for index in reversed(range(len(signatures))):
        if time.monotonic() > deadline:
            raise errors.TooComplexError(
                f"Kiểm tra vượt quá {policy.max_seconds:.0f} giây; tệp quá phức tạp",
                f"Verification took over {policy.max_seconds:.0f} s; the file is too complex",
            )
        sig = signatures[index]
        if sig.sig_object_type == "/DocTimeStamp":
            checks[index], proven = await _check_document_timestamp(sig, contexts, poe)
            poe = proven or poe
        else:
            checks[index] = await _check_signature(sig, contexts, poe, plan, allowed, signed, has_dss)
    return [checks[i] for i in range(len(signatures))]


def _open(pdf: bytes, policy: VerifyPolicy) -> tuple[PdfFileReader, list[EmbeddedPdfSignature]]:
    reader = _reading.open_untrusted(pdf, policy)
    signatures = list(reader.embedded_signatures)
    if len(signatures) > policy.max_signatures:
        raise errors.TooComplexError(
            f"Tệp có quá nhiều chữ ký ({len(signatures)}; tối đa {policy.max_signatures})",
            f"The file has too many signatures ({len(signatures)}; at most {policy.max_signatures})",
        )
    return reader, signatures


def verify(
    pdf: bytes,
    roots: list[x509.Certificate],
    offline: bool = False,
    now: datetime | None = None,
    policy: VerifyPolicy | None = None,
) -> DocumentCheck:
    """Verify `pdf` against `roots`. `now` is the verifier's present (None: the clock). A file that cannot be
    read, or that exceeds a bound of `policy`, is a coded `SignerError` (never another exception)."""
    _pdfread.install()
    _names.install()
    policy = policy or VerifyPolicy()
    try:
        with time_bound(policy.max_seconds + 1):
            return asyncio.run(_verify(pdf, roots, offline, now, policy))
    except OutOfTime as exc:
        raise errors.TooComplexError(
            f"Kiểm tra vượt quá {policy.max_seconds:.0f} giây; tệp quá phức tạp",
            f"Verification took over {policy.max_seconds:.0f} s; the file is too complex",
        ) from exc
    except errors.SignerError:
        raise
    except PdfDecodeLimitError as exc:
        raise errors.TooLargeError(
            f"Tệp giải nén ra quá nhiều dữ liệu: {exc}", f"The file decompresses to too much data: {exc}"
        ) from exc
    except MemoryError as exc:
        raise errors.TooLargeError("Tệp cần quá nhiều bộ nhớ", "The file needs too much memory") from exc
    except RecursionError as exc:
        raise errors.TooComplexError("Cấu trúc tệp lồng quá sâu", "The file's structure is nested too deeply") from exc
    except Exception as exc:  # a hostile file can break the parser anywhere: it is unreadable, never a crash
        raise UnreadableDocumentError(
            f"Không đọc được tệp PDF ({type(exc).__name__}: {exc})",
            f"Cannot read the PDF ({type(exc).__name__}: {exc})",
        ) from exc


async def _verify(
    pdf: bytes, roots: list[x509.Certificate], offline: bool, now: datetime | None, policy: VerifyPolicy
) -> DocumentCheck:
    deadline = time.monotonic() + policy.max_seconds
    reader, signatures = _open(pdf, policy)
    plan = _reading.plan_of(reader)
    allowed = (
        frozenset((*plan.fields(), ARCHIVE_TIMESTAMP_FIELD)) if plan else frozenset(s.field_name for s in signatures)
    )
    signed = frozenset(s.field_name for s in signatures)
    dss = DocumentSecurityStore.read_dss(reader) if "/DSS" in reader.root else None
    contexts = _Contexts(roots, dss, offline, now, policy)
    try:
        checks = await _check_all(signatures, contexts, plan, allowed, signed, dss is not None, deadline, policy)
    finally:
        await contexts.close()
    ordered = tuple(checks)
    problems: list[Message] = []
    if not ordered:
        problems.append(("Tài liệu chưa có chữ ký nào", "The document carries no signature"))
    foreign = _reading.foreign_form(reader, allowed)
    if foreign:
        names = ", ".join(foreign)
        problems.append(
            (
                f"Tài liệu có trường biểu mẫu ngoài kế hoạch ký: {names}",
                f"The document carries form fields outside its signing plan: {names}",
            )
        )
    state, remaining = _state(plan, signed)
    seal_fields = {e.field for e in plan.entries if e.role is Role.SCHOOL_SEAL} if plan else set()
    part = _reading.pdfa_of(reader)
    return DocumentCheck(
        ordered,
        plan is not None and not remaining,
        bool(seal_fields & signed),
        any(c.kind == "archive_timestamp" for c in ordered),
        f"PDF/A-{part}B" if part else None,
        tuple(problems),
        state,
        remaining,
    )
