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
from datetime import datetime

from asn1crypto import x509
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from records import Role, SigningPlan

from . import _reading, errors
from ._conformance import plan_problems
from ._contexts import Contexts
from ._deadline import OutOfTime, time_bound
from ._judging import check_document_timestamp, check_signature
from ._report import DocumentCheck, Message, SignatureCheck
from .errors import UnreadableDocumentError
from .model import ARCHIVE_TIMESTAMP_FIELD, VerifyPolicy, is_archive_timestamp

__all__ = ["DocumentCheck", "SignatureCheck", "UnreadableDocumentError", "verify"]


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
    contexts: Contexts,
    plan: SigningPlan | None,
    allowed: frozenset[str],
    signed: frozenset[str],
    has_dss: bool,
    deadline: float,
) -> list[SignatureCheck]:
    """Newest first: each timestamp's proven time is what the older ones are judged at. Past `deadline` no
    further signature is examined (`verify` turns that into its coded refusal, as it does the timer's)."""
    checks: dict[int, SignatureCheck] = {}
    poe: datetime | None = None  # the earliest time proven by a trusted document timestamp after the one at hand
    for index in reversed(range(len(signatures))):
        if time.monotonic() > deadline:
            raise OutOfTime
        sig = signatures[index]
        if sig.sig_object_type == "/DocTimeStamp":
            checks[index], proven = await check_document_timestamp(sig, contexts, poe)
            poe = proven or poe
        else:
            checks[index] = await check_signature(sig, contexts, poe, plan, allowed, signed, has_dss)
    return [checks[i] for i in range(len(signatures))]


def _open(pdf: bytes, policy: VerifyPolicy) -> tuple[PdfFileReader, list[EmbeddedPdfSignature]]:
    reader = _reading.open_untrusted(pdf, policy)
    signatures = list(reader.embedded_signatures)
    if len(signatures) > policy.max_signatures:
        raise errors.TooComplexError(
            "signatures",
            signatures=str(len(signatures)),
            max_signatures=policy.max_signatures,
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
    policy = policy or VerifyPolicy()
    try:
        with time_bound(policy.max_seconds + 1):
            return asyncio.run(_verify(pdf, roots, offline, now, policy))
    except OutOfTime as exc:
        raise errors.TooComplexError(
            "time",
            max_seconds=policy.max_seconds,
        ) from exc
    except errors.SignerError:
        raise
    except PdfDecodeLimitError as exc:
        raise errors.TooLargeError("decompressed", exc=str(exc)) from exc
    except MemoryError as exc:
        raise errors.TooLargeError("memory") from exc
    except RecursionError as exc:
        raise errors.TooComplexError("nesting") from exc
    except Exception as exc:  # a hostile file can break the parser anywhere: it is unreadable, never a crash
        raise UnreadableDocumentError(
            "parse",
            name=str(type(exc).__name__),
            exc=str(exc),
        ) from exc


async def _verify(
    pdf: bytes, roots: list[x509.Certificate], offline: bool, now: datetime | None, policy: VerifyPolicy
) -> DocumentCheck:
    deadline = time.monotonic() + policy.max_seconds
    reader, signatures = _open(pdf, policy)
    plan = _reading.plan_of(reader)
    # A renewal adds an archive timestamp in a field of its own; only document timestamps may use those names.
    renewals = {s.field_name for s in signatures if s.sig_object_type == "/DocTimeStamp"}
    allowed = (
        frozenset((*plan.fields(), ARCHIVE_TIMESTAMP_FIELD, *filter(is_archive_timestamp, renewals)))
        if plan
        else frozenset(s.field_name for s in signatures)
    )
    signed = frozenset(s.field_name for s in signatures)
    dss = DocumentSecurityStore.read_dss(reader) if "/DSS" in reader.root else None
    contexts = Contexts(roots, dss, offline, now, policy)
    try:
        checks = await _check_all(signatures, contexts, plan, allowed, signed, dss is not None, deadline)
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
    problems += plan_problems(signatures, plan)
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
