"""Học bạ layouts and rendering to PDF/A with the signature fields of the plan.

Knows records, never keys or storage.
"""

from ._finish import PIECE_KEY
from .copies import render_copy
from .disposal import render_disposal_certificate
from .errors import (
    FontMissingError,
    OriginalUnreadableError,
    PdfaConformanceError,
    PlanMissingError,
    TemplatesError,
)
from .model import (
    DEFAULT_VERIFY_URL,
    VIETNAM,
    FieldBox,
    Identity,
    Profile,
    RenderedDocument,
    RenderOptions,
    document_id,
)
from .refusal import render_refusal
from .register import render_register
from .service import (
    LastSignature,
    SigningState,
    parse_now,
    read_identity,
    read_plan,
    read_signing_state,
    render,
    render_minutes,
    render_plain,
)

__all__ = [
    "DEFAULT_VERIFY_URL",
    "PIECE_KEY",
    "VIETNAM",
    "FieldBox",
    "FontMissingError",
    "Identity",
    "LastSignature",
    "OriginalUnreadableError",
    "PdfaConformanceError",
    "PlanMissingError",
    "Profile",
    "RenderOptions",
    "RenderedDocument",
    "SigningState",
    "TemplatesError",
    "document_id",
    "parse_now",
    "read_identity",
    "read_plan",
    "read_signing_state",
    "render",
    "render_copy",
    "render_disposal_certificate",
    "render_minutes",
    "render_plain",
    "render_refusal",
    "render_register",
]
