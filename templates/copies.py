"""A certified copy as PDF/A-3b: laid out by ReportLab (cover, one frame page per reproduced page, the copy
block), each reproduced page of the sealed original laid into its frame as it is (its signatures' visible stamps
flattened into it), and the sealed original embedded whole as the copy's source (AFRelationship /Source), so
that its own signatures stay verifiable from the copy."""

from __future__ import annotations

import hashlib
import io
import json

import pikepdf
from pikepdf import Rectangle
from reportlab.lib.pagesizes import A4

from records import Copy, copy_plan

from ._canvas import FOOTER_HEIGHT, configure_reportlab
from ._finish import finish
from .cross_seal import cross_seal_pages
from .errors import OriginalUnreadableError
from .layouts import copy as copy_layout
from .layouts.common import Story
from .model import VIETNAM, Attachment, Description, Identity, RenderedDocument, RenderOptions
from .service import _pages

_MARGIN = 4.0  # points of white around a reproduced page inside its frame


def render_copy(copy: Copy, original: bytes, options: RenderOptions | None = None) -> RenderedDocument:
    """The copy of `original` (the sealed version the copy names, as the archive keeps it)."""
    options = options or RenderOptions()
    if hashlib.sha256(original).hexdigest() != copy.original_sha256:
        raise OriginalUnreadableError("hash", document_id=copy.original_id)
    content = json.dumps(copy.content(), ensure_ascii=False, sort_keys=True, indent=2).encode()
    identity = Identity(copy.copy_id(), hashlib.sha256(content).hexdigest(), options.verify_url)
    plan = copy_plan(copy.record, copy.signer)
    with pikepdf.open(io.BytesIO(original)) as source:
        chosen = list(copy.pages) or list(range(1, len(source.pages) + 1))
        if any(not 1 <= n <= len(source.pages) for n in chosen):
            raise OriginalUnreadableError("pages", document_id=copy.original_id, pages=len(source.pages))
        configure_reportlab()
        story = Story(copy.record, plan)
        copy_layout.build(story, copy, len(chosen))
        raw, pages = _pages(story, identity)
        marks = cross_seal_pages(pages, copy.record.school.name) if copy.printable else None
        composed = _compose(raw, source, chosen, marks)
    r = copy.record
    about = Description(
        f"Bản sao học bạ ({copy.form.heading}) – {r.student.full_name} – năm học {r.school_year}",
        r.school.name,
        f"{copy.form.heading} số {copy.number_text()} (lần cấp lại thứ {copy.reissue}) của học bạ {copy.original_id}, "
        f"phiên bản {copy.original_version}.",
        ("bản sao học bạ", r.school.name, r.student.full_name, r.school_year, copy.original_id),
    )
    attachments = (
        Attachment("ban-sao.json", content, "application/json", "Nội dung bản sao (JSON, hocba-copy/1)"),
        Attachment(
            f"ban-chinh-{copy.original_id}.pdf",
            original,
            "application/pdf",
            f"Bản chính: học bạ {copy.original_id}, phiên bản {copy.original_version}, đã ký số và đóng dấu",
            "Source",
        ),
    )
    moment = copy.issued_at.astimezone(VIETNAM)
    pdf = finish(composed, plan, story.boxes, identity, options.profile, moment, about, attachments)
    return RenderedDocument(pdf, identity.document_id, identity.content_hash, plan, pages, options.profile)


def _compose(raw: bytes, source: pikepdf.Pdf, chosen: list[int], marks: bytes | None) -> bytes:
    """Each chosen page of the original, scaled into the frame page that waits for it (page 2 onwards), above
    the copy's own footer; on a printable copy, each sheet's slice of the cross-page seal."""
    source.flatten_annotations("all")  # the signatures' stamps become part of the page: a copy has no fields
    width, height = A4
    frame = Rectangle(_MARGIN, FOOTER_HEIGHT, width - _MARGIN, height - _MARGIN)
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        for offset, number in enumerate(chosen, start=1):
            pdf.pages[offset].add_overlay(source.pages[number - 1], frame)
        if marks is not None:
            with pikepdf.open(io.BytesIO(marks)) as slices:
                for page, mark in zip(pdf.pages, slices.pages, strict=True):
                    page.add_overlay(mark, Rectangle(0, 0, width, height))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()
