"""The CJK font for text in signature appearances.

The shipped base font ``resources/fonts/cahelper-cjk.ttf`` (WenQuanYi Micro Hei cut down to GB2312 and ASCII by
``resources/fonts/build_fonts.py``) is subset again per text at runtime, so pyHanko embeds a font of a few
dozen glyphs instead of parsing thousands. Characters the base font lacks come from a system CJK font.
"""

from __future__ import annotations

import io
import os
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont, TTLibError
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils.font import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

import resources
from helper.messages import HelperError

BASE_FONT_NAME = "cahelper-cjk.ttf"
PDF_UNITS_PER_EM = 1000

# Always in the subset: stamp texts get dates, times and names filled in when the signature is made.
ASCII_CHARS = frozenset(string.digits + string.ascii_letters + string.punctuation + " ")
# A fallback font must at least have these besides the text itself.
TIMESTAMP_CHARS = frozenset(string.digits + "-:./ +")

_WINDOWS_FONTS = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
# Glyf-based system fonts tried, in order, for characters outside the base font.
SYSTEM_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    _WINDOWS_FONTS / "msyh.ttc",
    _WINDOWS_FONTS / "simsun.ttc",
    _WINDOWS_FONTS / "simhei.ttf",
    _WINDOWS_FONTS / "simsunb.ttf",
)

# OS/2 fsType bits that forbid embedding the font in a document, or embedding a subset of it.
_FS_RESTRICTED = 0x0002
_FS_NO_SUBSETTING = 0x0100


def subset_font(font: TTFont, chars: Iterable[str]) -> bytes:
    """``font`` cut down to the glyphs of ``chars``, without hinting or layout tables, as TrueType bytes.

    The result has 1000 units per em: pyHanko writes glyph widths (/W) in font units, which PDF reads as
    thousandths of an em, so a 2048-unit font would be drawn with every character twice as far apart.
    The font object is modified in place. Characters the font lacks are skipped.
    """
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM"]  # CJK stamps need no shaping rules
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs += [13, 14]  # licence description and URL
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    if font["head"].unitsPerEm != PDF_UNITS_PER_EM:
        scale_upem(font, PDF_UNITS_PER_EM)
    font.recalcTimestamp = False  # reproducible output
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def base_font_path() -> Path:
    """The shipped base font."""
    return resources.path("fonts", BASE_FONT_NAME)


def cjk_font_bytes(text: str) -> bytes:
    """A TrueType font holding the glyphs of ``text`` plus ASCII, for pyHanko's OpenType support.

    Cached by character set: the same set returns the same bytes object.
    Raises HelperError FONT_GLYPH_MISSING when no available font has every character.
    """
    return _font_for(frozenset(_visible(text)))


@dataclass(frozen=True)
class CJKFontFactory(FontEngineFactory):
    """pyHanko font engine for ``text`` in the CJK font: ``TextBoxStyle(font=CJKFontFactory(text))``.

    ``text`` must hold every character the stamp will show, except ASCII (always included): for a stamp
    template with parameters, the template and the values filled in (see ``appearance.stamp_style``).
    """

    text: str

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        # font_size is a placeholder: pyHanko's TextBox sets the style's size on the engine.
        return _CheckedGlyphs(
            writer, io.BytesIO(cjk_font_bytes(self.text)), font_size=10, obj_stream=obj_stream
        )


class _CheckedGlyphs(GlyphAccumulator):
    """A glyph accumulator that refuses text its font lacks, instead of drawing it as blank glyphs."""

    def shape(self, txt: str, with_actual_text: bool = True):
        cmap = self.tt.getBestCmap()
        lacking = sorted(c for c in _visible(txt) if ord(c) not in cmap)
        if lacking:
            raise HelperError("FONT_GLYPH_MISSING", chars="".join(lacking))
        return super().shape(txt, with_actual_text)


def _visible(text: str) -> set[str]:
    """The characters of ``text`` that are drawn (controls such as newlines have no glyph)."""
    return {c for c in text if not unicodedata.category(c).startswith("C")}


@dataclass(frozen=True)
class _Face:
    path: Path
    index: int
    codepoints: frozenset[int] = field(repr=False)

    def covers(self, chars: Iterable[str]) -> bool:
        return all(ord(c) in self.codepoints for c in chars)

    def open(self) -> TTFont:
        return TTFont(self.path, fontNumber=self.index)


@lru_cache(maxsize=64)
def _font_for(chars: frozenset[str]) -> bytes:
    needed = chars | TIMESTAMP_CHARS
    base = _base_face()
    face = base if base.covers(needed) else next((f for f in _system_faces() if f.covers(needed)), None)
    if face is None:
        faces = (base, *_system_faces())
        nowhere = [c for c in needed if not any(f.covers(c) for f in faces)]
        lacking = nowhere or [c for c in needed if not base.covers(c)]
        raise HelperError("FONT_GLYPH_MISSING", chars="".join(sorted(lacking)))
    return subset_font(face.open(), chars | ASCII_CHARS)


@cache
def _base_face() -> _Face:
    path = base_font_path()
    return _Face(path, 0, frozenset(TTFont(path, lazy=True).getBestCmap()))


@cache
def _system_faces() -> tuple[_Face, ...]:
    """The embeddable glyf-based faces of the system fonts present."""
    faces = []
    for path in SYSTEM_FONTS:
        try:
            fonts = (
                TTCollection(path, lazy=True).fonts if path.suffix == ".ttc" else [TTFont(path, lazy=True)]
            )
            faces += [
                _Face(path, index, frozenset(font.getBestCmap()))
                for index, font in enumerate(fonts)
                if "glyf" in font and not font["OS/2"].fsType & (_FS_RESTRICTED | _FS_NO_SUBSETTING)
            ]
        except (OSError, KeyError, ValueError, TTLibError):  # absent or damaged: skipped
            continue
    return tuple(faces)
