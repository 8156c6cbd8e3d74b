"""Fonts, found where their Debian packages install them (never copied into the repository).

Body text is Liberation Serif (fonts-liberation2): metric-compatible with Times New Roman, the font
NĐ 30/2020 prescribes, with every Vietnamese toned letter.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from .errors import FontMissingError

FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation"))
SERIF = "HocbaSerif"
SERIF_BOLD = "HocbaSerif-Bold"
SERIF_ITALIC = "HocbaSerif-Italic"
SERIF_BOLD_ITALIC = "HocbaSerif-BoldItalic"
_FILES = {
    SERIF: "LiberationSerif-Regular.ttf",
    SERIF_BOLD: "LiberationSerif-Bold.ttf",
    SERIF_ITALIC: "LiberationSerif-Italic.ttf",
    SERIF_BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}


def font_path(filename: str) -> Path:
    for folder in FONT_DIRS:
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    where = ", ".join(map(str, FONT_DIRS))
    raise FontMissingError(
        filename=filename,
        where=where,
    )


@cache
def register_fonts() -> str:
    """Register the serif family with ReportLab once per process; returns the regular face's name."""
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(font_path(filename))))
    addMapping(SERIF, 0, 0, SERIF)
    addMapping(SERIF, 1, 0, SERIF_BOLD)
    addMapping(SERIF, 0, 1, SERIF_ITALIC)
    addMapping(SERIF, 1, 1, SERIF_BOLD_ITALIC)
    return SERIF
