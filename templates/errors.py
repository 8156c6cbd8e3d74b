"""Errors of the templates package, each with a stable code (under the one root, `records.HocbaError`)."""

from __future__ import annotations

from records import HocbaError, register_wording

from .messages import WORDING


class TemplatesError(HocbaError):
    """Root of this package's errors."""

    code = "templates.error"


class FontMissingError(TemplatesError):
    """A font the layouts need is not installed (it comes from a Debian package, see the Makefile)."""

    code = "templates.font_missing"


class PdfaConformanceError(TemplatesError):
    """The finished file broke PDF/A; `findings` lists what the validator said."""

    code = "templates.pdfa_violation"

    def __init__(self, flavour: str, findings: list[str]) -> None:
        super().__init__(flavour=flavour, listed="; ".join(findings[:5]))
        self.flavour = flavour
        self.findings = findings


class PlanMissingError(TemplatesError):
    """The PDF carries no signing plan (it was not rendered by this service)."""

    code = "templates.plan_missing"


class OriginalUnreadableError(TemplatesError):
    """A copy asked of bytes that are not the sealed version it names, or of pages the original does not have."""

    code = "templates.original_unreadable"


register_wording(WORDING)
