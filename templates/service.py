"""Rendering use cases: a validated record in, a finished PDF/A học bạ out."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pikepdf
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate

from records import ARCHIVE_TIMESTAMP_FIELD, Minutes, Record, SigningPlan, content_hash, minutes_plan, signing_plan

from ._canvas import FOOTER_HEIGHT, configure_reportlab, footer_canvas_maker
from ._finish import PIECE_KEY, book_attachments, describe_book, finish
from .errors import PlanMissingError
from .layouts import minutes as minutes_layout
from .layouts import primary, secondary
from .layouts.common import Story
from .model import VIETNAM, Attachment, Description, Identity, RenderedDocument, RenderOptions, document_id


def identity_of(record: Record, options: RenderOptions) -> Identity:
    return Identity(document_id(record), content_hash(record), options.verify_url)


def _story(record: Record, plan: SigningPlan) -> Story:
    story = Story(record, plan)
    (primary if record.level == "tieu_hoc" else secondary).build(story)
    return story


def _layout(record: Record, plan: SigningPlan, identity: Identity, canvasmaker: Any = None) -> tuple[bytes, Story, int]:
    configure_reportlab()
    story = _story(record, plan)
    raw, pages = _pages(story, identity, canvasmaker)
    return raw, story, pages


def _pages(story: Story, identity: Identity, canvasmaker: Any = None) -> tuple[bytes, int]:
    """Lay the story out on A4 pages (binding margin on the left, the footer with the QR code on each page)."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=FOOTER_HEIGHT + 3 * mm,
        title="",
        author="",
    )
    doc.build(story.flowables, canvasmaker=canvasmaker or footer_canvas_maker(identity))
    return buf.getvalue(), doc.page


def render(record: Record, options: RenderOptions | None = None) -> RenderedDocument:
    options = options or RenderOptions()
    plan = signing_plan(record)
    identity = identity_of(record, options)
    moment = (options.now or record.finalized_at).astimezone(VIETNAM)
    raw, story, pages = _layout(record, plan, identity)
    about, attachments = describe_book(record, identity), book_attachments(record)
    pdf = finish(raw, plan, story.boxes, identity, options.profile, moment, about, attachments)
    return RenderedDocument(pdf, identity.document_id, identity.content_hash, plan, pages, options.profile)


def render_minutes(minutes: Minutes, options: RenderOptions | None = None) -> RenderedDocument:
    """The correction minutes as PDF/A with the fields of their plan (requester, witness, principal, seal)."""
    options = options or RenderOptions()
    record = minutes.record
    plan = minutes_plan(record, minutes.requester_id, minutes.witness_id)
    content = json.dumps(minutes.content(), ensure_ascii=False, sort_keys=True, indent=2).encode()
    identity = Identity(minutes.minutes_id(), hashlib.sha256(content).hexdigest(), options.verify_url)
    moment = (options.now or minutes.witnessed_at).astimezone(VIETNAM)
    configure_reportlab()
    story = Story(record, plan)
    minutes_layout.build(story, minutes)
    raw, pages = _pages(story, identity)
    about = Description(
        f"Biên bản điều chỉnh kết quả – {record.student.full_name} – năm học {record.school_year}",
        record.school.name,
        f"Biên bản điều chỉnh {minutes.correction_id} của học bạ {minutes.document_id}: {minutes.reason}",
        ("biên bản điều chỉnh", record.school.name, record.student.full_name, minutes.document_id),
    )
    attachments = (Attachment("bien-ban.json", content, "application/json", "Nội dung biên bản điều chỉnh (JSON)"),)
    pdf = finish(raw, plan, story.boxes, identity, options.profile, moment, about, attachments)
    return RenderedDocument(pdf, identity.document_id, identity.content_hash, plan, pages, options.profile)


def render_plain(record: Record) -> bytes:
    """The same document shape straight out of ReportLab: no PDF/A finishing, fields, footer or QR.

    The benchmark's yardstick for what the finishing costs.
    """
    identity = identity_of(record, RenderOptions())
    raw, _, _ = _layout(record, signing_plan(record), identity, canvasmaker=Canvas)
    return raw


def _plan_in(pdf: pikepdf.Pdf) -> SigningPlan:
    try:
        stored = pdf.Root.PieceInfo[PIECE_KEY].Private.SigningPlan
        # a stream since 2026-11; a string in books rendered before
        text = stored.read_bytes().decode() if isinstance(stored, pikepdf.Stream) else str(stored)
    except (AttributeError, KeyError) as exc:
        raise PlanMissingError("plan_in") from exc
    return SigningPlan.from_json(text)


LastSignature = tuple[tuple[int, ...], bytes]


def _form_state(
    pdf: pikepdf.Pdf, allowed: frozenset[str]
) -> tuple[frozenset[str], frozenset[str], LastSignature | None]:
    """The signature fields that hold a value, and whatever the form or the pages carry that is not a signature
    field of the form tree (another kind of field, a widget outside the tree): a book carries nothing but its
    plan's signature fields, and anything else is how a shadow attack or a late form fill starts. Also the byte
    range and contents of the signature that reaches furthest into the file."""
    form = pdf.Root.get("/AcroForm")
    last: LastSignature | None = None
    found: set[str] = set()
    foreign: set[str] = set()
    in_tree: set[tuple[int, int]] = set()
    pending: list[tuple[Any, str, Any]] = []
    if isinstance(form, pikepdf.Dictionary):
        pending = [(f, "", None) for f in form.get("/Fields", ())]
    while pending:
        field, parent, inherited_type = pending.pop()
        if not isinstance(field, pikepdf.Dictionary) or field.objgen in in_tree:
            continue  # a malformed or circular form tree; verification reports it
        in_tree.add(field.objgen)
        name = f"{parent}.{field.T}" if "/T" in field and parent else str(field.get("/T", parent))
        field_type = field.get("/FT", inherited_type)
        kids = list(field.get("/Kids", ()))
        if not kids and (field_type != pikepdf.Name.Sig or name not in allowed):
            foreign.add(name or "?")
        if field_type == pikepdf.Name.Sig and "/V" in field:
            found.add(name)
            last = _further(last, field.V)
        pending.extend((kid, name, field_type) for kid in kids)
    for number, page in enumerate(pdf.pages, start=1):
        for annot in page.obj.get("/Annots", ()):
            widget = isinstance(annot, pikepdf.Dictionary) and annot.get("/Subtype") == pikepdf.Name.Widget
            if widget and annot.objgen not in in_tree:
                foreign.add(f"widget on page {number}")
    return frozenset(found), frozenset(foreign), last


def _further(last: LastSignature | None, value: Any) -> LastSignature | None:
    try:
        byte_range = tuple(int(n) for n in value.ByteRange)
        contents = bytes(value.Contents)
    except (AttributeError, TypeError, ValueError):
        return last  # not a signature dictionary; verification reports it
    if len(byte_range) != 4 or (last is not None and sum(last[0][2:]) >= sum(byte_range[2:])):
        return last
    return byte_range, contents


def read_plan(pdf_data: bytes) -> SigningPlan:
    """The signing plan stored in a rendered học bạ."""
    with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
        return _plan_in(pdf)


@dataclass(frozen=True)
class SigningState:
    """What the checks before a signature need to know of a book, read in one pass."""

    plan: SigningPlan
    signed: frozenset[str]
    """The signature fields that hold a value."""
    foreign: frozenset[str]
    """Form fields that are not signature fields, and widgets outside the form tree (a book has none)."""
    last_signature: LastSignature | None = None
    """/ByteRange and /Contents of the signature that covers the most of the file."""


# The last few answers, by the identity of the bytes asked about: a batch asks twice about the same book (which
# field is next, then the checks before signing it). Identity, not equality: equal copies of a book are other
# books, and a benchmark signing copies of one book must not be answered from memory.
_RECENT: deque[tuple[bytes, SigningState]] = deque(maxlen=4)
_RECENT_LOCK = threading.Lock()


def read_signing_state(pdf_data: bytes) -> SigningState:
    """The signing plan of a rendered học bạ, the names of its signature fields that hold a value, and anything
    in its form that is not a signature field, in one read (qpdf's parser: pyHanko's reads the field tree several
    times slower). Every part is immutable."""
    with _RECENT_LOCK:
        for data, state in _RECENT:
            if data is pdf_data:
                return state
    with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
        plan = _plan_in(pdf)
        state = SigningState(plan, *_form_state(pdf, frozenset((*plan.fields(), ARCHIVE_TIMESTAMP_FIELD))))
    with _RECENT_LOCK:
        _RECENT.append((pdf_data, state))
    return state


def read_identity(pdf_data: bytes) -> dict[str, str]:
    """Document id and content hash stored in a rendered học bạ."""
    with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
        try:
            private = pdf.Root.PieceInfo[PIECE_KEY].Private
            return {"document_id": str(private.DocumentId), "content_hash": str(private.ContentHash)}
        except (AttributeError, KeyError) as exc:
            raise PlanMissingError("read_identity") from exc


def parse_now(text: str | None) -> datetime | None:
    """`--now` as given on the command line: ISO 8601; a naive time is taken as Vietnam time."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)
