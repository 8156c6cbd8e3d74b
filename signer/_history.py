"""What a book's incremental updates may contain: signatures of its plan's fields, and the seal's validation data
with the archive timestamp. Anything else (an annotation, a form fill, a replaced object) is an unsigned change,
and nobody signs on top of one: a signature over it would make the forgery look approved."""

from __future__ import annotations

import hashlib
import io

from asn1crypto import cms
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult, ModificationLevel
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from templates import LastSignature

from . import errors

# DSS additions and document timestamps (the seal's closing update): the only updates that need no signature.
_ALLOWED_UNSIGNED = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


def changes_allowed(result: object, allowed_fields: frozenset[str], signed: frozenset[str]) -> bool:
    """Whether a difference analysis (pyHanko's `DiffResult`, or the `SuspiciousModification` it raised) found
    only what the plan allows after a signature: later plan fields signed, the seal's validation data and the
    archive timestamp. A plan field whose widget changed but that holds no signature is a replaced appearance."""
    if not isinstance(result, DiffResult):
        return False
    if result.modification_level not in (*_ALLOWED_UNSIGNED, ModificationLevel.FORM_FILLING):
        return False
    return all(name in allowed_fields and name in signed for name in result.changed_form_fields)


def _last(signatures: list[EmbeddedPdfSignature]) -> EmbeddedPdfSignature:
    return max(signatures, key=lambda s: s.signed_revision)


def _covers_all(pdf: bytes, last: LastSignature | None) -> bool:
    """Whether the signature that reaches furthest covers every byte of `pdf` but its own contents, with a
    matching digest: then nothing follows it, and the difference analysis can be skipped."""
    if last is None:
        return False
    (start, first, second, rest), contents = last
    if start != 0 or first > second or second + rest != len(pdf):
        return False
    try:
        signer_info = cms.ContentInfo.load(contents)["content"]["signer_infos"][0]
        digest = hashlib.new(signer_info["digest_algorithm"]["algorithm"].native)
        expected = next(
            a["values"][0].native for a in signer_info["signed_attrs"] if a["type"].native == "message_digest"
        )
    except Exception:  # anything unexpected takes the full analysis
        return False
    digest.update(memoryview(pdf)[:first])
    digest.update(memoryview(pdf)[second:])
    return bool(digest.digest() == expected)


def check_trailing(pdf: bytes, last: LastSignature | None) -> None:
    """Refuse (`signer.unsigned_changes`) a book whose latest signature is followed by anything but validation
    data, or an unsigned book with any update after its rendering (a rendered book is one revision). The
    common cases are settled on the bytes (a signature covering the whole file, a file with one cross-reference
    section); anything else is read and analysed by pyHanko."""
    if _covers_all(pdf, last) or (last is None and pdf.count(b"startxref") == 1):
        return
    reader = PdfFileReader(io.BytesIO(pdf))
    total = reader.xrefs.total_revisions
    signatures = list(reader.embedded_signatures)
    if not signatures:
        if total == 1:
            return
        raise errors.UnsignedChangesError(
            "unsigned_book",
            value=str(total - 1),
        )
    newest = _last(signatures)
    if newest.signed_revision == total - 1:
        return
    result = _evaluate(newest)
    if (
        isinstance(result, DiffResult)
        and result.modification_level in _ALLOWED_UNSIGNED
        and not result.changed_form_fields
    ):
        return
    raise errors.UnsignedChangesError(
        "after_last",
        field_name=newest.field_name,
    )


def check_history(reader: PdfFileReader, allowed_fields: frozenset[str]) -> None:
    """Before the seal: from the first signature on, every update is a signature of a plan field (or validation
    data), and every signature is intact. The seal would otherwise lock a book that never verifies."""
    signatures = list(reader.embedded_signatures)
    if not signatures:
        return
    signed = frozenset(s.field_name for s in signatures)
    first = min(signatures, key=lambda s: s.signed_revision)
    if not changes_allowed(_evaluate(first), allowed_fields, signed):
        raise errors.UnsignedChangesError(
            "history",
            field_name=first.field_name,
        )
    for sig in signatures:
        content = "tst_info" if sig.sig_object_type == "/DocTimeStamp" else "data"
        if not all(validate_sig_integrity(sig.signer_info, sig.signer_cert, content, sig.compute_digest())):
            raise errors.UnsignedChangesError(
                "broken_signature",
                field_name=sig.field_name,
            )


def _evaluate(sig: EmbeddedPdfSignature) -> object:
    """pyHanko's difference analysis from the signed revision to the end of the file (its coverage first)."""
    try:
        sig.compute_integrity_info(DEFAULT_DIFF_POLICY)
    except Exception as exc:  # pyHanko raises its own and built-in errors on a malformed update
        return exc
    return sig.diff_result
