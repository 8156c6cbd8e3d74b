"""Reading a PDF that came from outside: bounded before and while it is parsed.

Size and revision count are checked on the bytes before any parsing; pyHanko's decode limits bound every stream
it decompresses (per stream and for the whole document); nesting too deep for the parser, an encrypted file or a
malformed object are coded refusals, never a traceback. The plan, the PDF/A claim and the form are read through
the same bounded reader (qpdf, which the signing path uses on the service's own books, has no decompression
limit).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import DecodeLimits, DocumentDecodeBudget, StreamDecodeLimits
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.pdf_utils.reader import PdfFileReader

from records import SigningPlan
from templates import PIECE_KEY

from . import errors
from .model import VerifyPolicy
from .stages import declared_part

# The form tree and the page tree are walked with these bounds whatever the file claims.
_MAX_NODES = 10_000


def _limits(policy: VerifyPolicy) -> DecodeLimits:
    return DecodeLimits(
        per_stream=StreamDecodeLimits(max_output_size=policy.max_stream_bytes),
        document_budget=DocumentDecodeBudget(base_allowance=policy.max_decoded_bytes, max_ratio=1),
    )


def open_untrusted(pdf: bytes, policy: VerifyPolicy) -> PdfFileReader:
    """A pyHanko reader over `pdf` once the cheap bounds hold; the bounded decoding applies to every read."""
    policy.check_size(len(pdf))
    if b"%PDF-" not in pdf[:1024]:
        raise errors.UnreadableDocumentError("open_untrusted")
    # Every revision ends with a startxref; a file with more of them than allowed is refused before parsing.
    if pdf.count(b"startxref") > policy.max_revisions:
        raise _too_many_revisions(policy)
    reader = PdfFileReader(io.BytesIO(pdf), decode_limits=_limits(policy))
    if reader.encrypted:
        raise errors.EncryptedDocumentError()
    if reader.xrefs.total_revisions > policy.max_revisions:
        raise _too_many_revisions(policy)
    return reader


def _too_many_revisions(policy: VerifyPolicy) -> errors.SignerError:
    return errors.TooComplexError(
        "too_many_revisions",
        max_revisions=policy.max_revisions,
    )


def plan_of(reader: PdfFileReader) -> SigningPlan | None:
    """The signing plan the book carries, or None (not a book of this service, or an unreadable plan)."""
    try:
        stored = reader.root["/PieceInfo"][PIECE_KEY]["/Private"]["/SigningPlan"]
        text = stored.data.decode() if isinstance(stored, generic.StreamObject) else str(stored)
        return SigningPlan.from_json(text)
    except PdfDecodeLimitError:
        raise
    except Exception:  # an altered or hostile plan is no plan; the signatures say what was altered
        return None


def pdfa_of(reader: PdfFileReader) -> str | None:
    """The PDF/A part ("1", "2", "3") the current XMP declares."""
    try:
        xmp = reader.root["/Metadata"]
        data = xmp.data if isinstance(xmp, generic.StreamObject) else b""
    except PdfDecodeLimitError:
        raise
    except Exception:  # an unreadable XMP claims nothing
        return None
    return declared_part(data)


def _key(raw: Any) -> Any:
    return (raw.idnum, raw.generation) if isinstance(raw, generic.IndirectObject) else id(raw)


def _items(container: Any, key: str) -> list[Any]:
    """The entries of an array under `key`, not dereferenced (so that a loop is seen by reference)."""
    container = container.get_object() if isinstance(container, generic.IndirectObject) else container
    if not isinstance(container, generic.DictionaryObject) or key not in container:
        return []
    value = container[key]  # dereferenced (`get` is not)
    return list(value.iterate()) if isinstance(value, generic.ArrayObject) else []


def _value(container: generic.DictionaryObject, key: str, default: Any = None) -> Any:
    """`container[key]` dereferenced (pyHanko's `get` returns the reference itself), or `default`."""
    try:
        return container[key]
    except KeyError:
        return default


def _pages(reader: PdfFileReader) -> Iterator[generic.DictionaryObject]:
    seen: set[Any] = set()
    pending: list[Any] = [reader.root.raw_get("/Pages")]
    while pending and len(seen) < _MAX_NODES:
        raw = pending.pop()
        if _key(raw) in seen:
            continue
        seen.add(_key(raw))
        node = raw.get_object()
        if not isinstance(node, generic.DictionaryObject):
            continue
        if "/Kids" in node:
            pending.extend(reversed(_items(node, "/Kids")))
        else:
            yield node


def foreign_form(reader: PdfFileReader, allowed: frozenset[str]) -> list[str]:
    """Whatever the current revision's form or pages carry besides the signature fields in `allowed`: fields of
    another kind, signature fields outside the plan, widgets outside the form tree."""
    foreign: set[str] = set()
    in_tree: set[Any] = set()
    pending: list[tuple[Any, str, Any]] = [
        (f, "", None)
        for f in _items(reader.root.raw_get("/AcroForm") if "/AcroForm" in reader.root else None, "/Fields")
    ]
    while pending and len(in_tree) < _MAX_NODES:
        raw, parent, inherited = pending.pop()
        field = raw.get_object()
        if not isinstance(field, generic.DictionaryObject) or _key(raw) in in_tree:
            continue
        in_tree.add(_key(raw))
        leaf = str(field["/T"]) if "/T" in field else None
        name = (f"{parent}.{leaf}" if parent else leaf) if leaf is not None else parent
        kind = _value(field, "/FT", inherited)
        kids = _items(field, "/Kids")
        if not kids and (kind != "/Sig" or name not in allowed):
            foreign.add(name or "?")
        pending.extend((kid, name, kind) for kid in kids)
    for number, page in enumerate(_pages(reader), start=1):
        for raw in _items(page, "/Annots"):
            annot = raw.get_object()
            is_widget = isinstance(annot, generic.DictionaryObject) and _value(annot, "/Subtype") == "/Widget"
            if is_widget and _key(raw) not in in_tree:
                foreign.add(f"widget (page {number})")
    return sorted(foreign)
