"""Visible signature appearances in Vietnamese: a text stamp for people, a red vector seal for the school.

pyHanko lays stamp text out correctly only with a 1000-unit-per-em font, so stamps use Noto Sans (from
fonts-noto-core), subset once to Latin + Vietnamese and cached: subsetting the full font on every signature
was most of a signature's time. The subset embedded in each stamp is kept too: a stamp always carries the digits
and punctuation of a time, so a person's stamps share one glyph set and a principal signing a class pays for
subsetting once. PDF/A-1 also wants a /CIDSet for the embedded CID font, which pyHanko does not
write; `_PdfaGlyphAccumulator` adds it.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fontTools import subset, ttLib
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import CIDFontType2, GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import StaticStampStyle, TextStampStyle
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

STAMP_FONT_SOURCES = (Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),)
SEAL_FONT_SOURCES = (Path("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),)
SEAL_RED = Color(0.8, 0.05, 0.05)
# Basic Latin, Latin-1, Latin Extended-A/B (ă, đ, ơ, ư …), combining marks, Vietnamese precomposed letters, ₫ and
# typographic punctuation.
VIETNAMESE_RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x323), (0x1EA0, 0x1EF9), (0x2010, 0x2026), (0x20AB, 0x20AB)]


def _first(paths: tuple[Path, ...], package: str) -> Path:
    for path in paths:
        if path.is_file():
            return path
    raise FileNotFoundError(f"{paths[0]} is missing; install {package}")


_CACHE_FOLDER: list[Path] = []  # the folder the face configured, if any


def use_cache_dir(folder: Path) -> None:
    """Where the stamp font's subset and the seal's drawing are kept between processes (the face passes its
    setting once at start-up; without it, a folder in the temp directory)."""
    _CACHE_FOLDER[:] = [folder]
    stamp_font.cache_clear()


def cache_dir() -> Path:
    folder = _CACHE_FOLDER[0] if _CACHE_FOLDER else Path(tempfile.gettempdir()) / "hocba-cache"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@cache
def stamp_font() -> Path:
    """Noto Sans subset to Latin + Vietnamese, made once per machine and font version."""
    source = _first(STAMP_FONT_SOURCES, "fonts-noto-core")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = cache_dir() / f"NotoSans-vi-{digest}-2.ttf"  # "-2": with glyph names (see below)
    if not target.is_file():
        options = subset.Options()
        options.layout_features = []  # pyHanko shapes with HarfBuzz but needs no GSUB/GPOS for Vietnamese NFC text
        options.name_IDs = ["*"]
        # Glyph names kept: fontTools then reads the glyph order instead of deriving it from the cmap, a third of
        # opening the font, which every signature does (the subset each stamp embeds drops them again).
        options.glyph_names = True
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[c for lo, hi in VIETNAMESE_RANGES for c in range(lo, hi + 1)])
        subsetter.subset(font)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        subset.save_font(font, str(tmp), options)
        os.replace(tmp, target)
    return target


@cache
def _stamp_characters() -> frozenset[int]:
    with ttLib.TTFont(stamp_font(), lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_characters(text: str) -> str:
    """The characters of `text` (NFC) that the stamp font cannot draw, each once, in order; drawn anyway
    they would become undefined glyphs, which PDF/A forbids."""
    have = _stamp_characters()
    missing = dict.fromkeys(ch for ch in unicodedata.normalize("NFC", text) if ord(ch) not in have and ch != "\n")
    return "".join(missing)


# Always embedded, so that the signing time never changes a stamp's glyph set.
_TIME_GLYPHS = "0123456789/:()+ GMT"
_PROGRAMS: dict[tuple[str, frozenset[int]], bytes] = {}  # (font, glyph ids) -> compressed font program
_PROGRAMS_KEPT = 256


class _KnownProgramType2(CIDFontType2):
    """Embeds a font program subset earlier for the same glyphs instead of saving the subset again."""

    program_key: tuple[str, frozenset[int]]

    def set_font_file(self, writer: Any) -> Any:
        encoded = _PROGRAMS.get(self.program_key)
        if encoded is None:
            stream = generic.StreamObject(stream_data=_saved(self.tt_font))
            stream.compress()
            encoded = stream.encoded_data
            if len(_PROGRAMS) >= _PROGRAMS_KEPT:
                _PROGRAMS.clear()
            _PROGRAMS[self.program_key] = encoded
        font_stream = generic.StreamObject(
            {generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode")}, encoded_data=encoded
        )
        ref = writer.add_object(font_stream)
        self._font_descriptor[generic.pdf_name("/FontFile2")] = ref
        return ref


def _saved(font: Any) -> bytes:
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


class _PdfaGlyphAccumulator(GlyphAccumulator):
    font_file: str = ""

    def _extract_subset(self, options: Any = None) -> None:
        if not isinstance(self.cidfont_obj, _KnownProgramType2):
            super()._extract_subset(options)
            return
        self.cidfont_obj.program_key = (self.font_file, frozenset(self._glyphs))
        if self.cidfont_obj.program_key not in _PROGRAMS:
            super()._extract_subset(options)

    def prepare_write(self) -> None:
        if self._write_prepared:
            return
        self.shape(_TIME_GLYPHS, with_actual_text=False)
        super().prepare_write()
        # PDF/A-1 (6.3.5): a subset CID font names the CIDs it holds. pyHanko keeps GIDs as CIDs.
        cids = {0} | {cid for cid, _width in self._glyphs.values()}
        bits = bytearray((max(cids) // 8) + 1)
        for cid in cids:
            bits[cid // 8] |= 0x80 >> (cid % 8)
        stream = generic.StreamObject(stream_data=bytes(bits))
        stream.compress()
        descriptor = self.cidfont_obj._font_descriptor
        descriptor[generic.pdf_name("/CIDSet")] = self.writer.add_object(stream)


@dataclass(frozen=True)
class _PdfaFontFactory(GlyphAccumulatorFactory):
    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        engine = super().create_font_engine(writer, obj_stream)
        engine.__class__ = _PdfaGlyphAccumulator
        assert isinstance(engine, _PdfaGlyphAccumulator)
        engine.font_file = self.font_file
        if type(engine.cidfont_obj) is CIDFontType2:
            engine.cidfont_obj.__class__ = _KnownProgramType2
        return engine


def person_style() -> TextStampStyle:
    """Name, role and time: "Giáo viên bộ môn Toán / Trần Văn Thính / Ký số lúc 31/05/2025 10:02 (GMT+7)"."""
    return TextStampStyle(
        stamp_text="%(role)s\n%(name)s\nKý số lúc %(time)s",
        text_box_style=TextBoxStyle(font=_PdfaFontFactory(str(stamp_font()), font_size=7), leading=10),
        border_width=1,
        border_color=(0.1, 0.2, 0.6),
        background=None,
        background_opacity=1.0,  # PDF/A-1 forbids transparency
    )


def _seal_pdf(school: str) -> bytes:
    """A round red seal drawn as vectors: two rings, the school's name around the top, a star in the middle."""
    size = 120.0
    face = "HocbaSealBold"
    if face not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(face, str(_first(SEAL_FONT_SOURCES, "fonts-noto-core"))))
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(size, size), invariant=1)
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillColor(SEAL_RED)
    centre = size / 2
    canvas.setLineWidth(2.2)
    canvas.circle(centre, centre, size / 2 - 2)
    canvas.setLineWidth(0.8)
    canvas.circle(centre, centre, size / 2 - 22)
    text = school.upper()
    font_size = min(10.0, 2 * math.pi * (size / 2 - 14) * 0.8 / max(1, pdfmetrics.stringWidth(text, face, 1)))
    radius = size / 2 - 15
    widths = [pdfmetrics.stringWidth(ch, face, font_size) for ch in text]
    span = sum(widths) / radius  # radians the text covers
    angle = math.pi / 2 + span / 2
    canvas.setFont(face, font_size)
    for ch, width in zip(text, widths, strict=True):
        step = width / radius
        mid = angle - step / 2
        canvas.saveState()
        canvas.translate(centre + radius * math.cos(mid), centre + radius * math.sin(mid))
        canvas.rotate(math.degrees(mid) - 90)
        canvas.drawCentredString(0, -font_size / 3, ch)
        canvas.restoreState()
        angle -= step
    star = canvas.beginPath()
    for i in range(10):
        r = 13 if i % 2 == 0 else 5.5
        a = math.pi / 2 + i * math.pi / 5
        point = (centre + r * math.cos(a), centre + r * math.sin(a))
        star.moveTo(*point) if i == 0 else star.lineTo(*point)
    star.close()
    canvas.drawPath(star, stroke=0, fill=1)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


@cache
def _seal_file(school: str) -> Path:
    digest = hashlib.sha256(school.encode()).hexdigest()[:16]
    path = cache_dir() / f"seal-{digest}.pdf"
    if not path.is_file():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(_seal_pdf(school))
        os.replace(tmp, path)
    return path


def seal_style(school: str) -> StaticStampStyle:
    """A new style per signature: the imported page inside remembers the document it was imported into."""
    return StaticStampStyle.from_pdf_file(str(_seal_file(school)), border_width=0, background_opacity=1.0)
