"""What the signature looks like on paper: the seal image, the signer text, where it goes, the 骑缝章.

The seal PNG is scaled and compressed once (``SealArt``) and reused for every document of a batch.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PIL import Image
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import PdfContent, ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields
from pyhanko.stamp import TextStampStyle

from helper.messages import HelperError
from helper.signing.options import MM, Placement
from helper.signing.pdfinput import SourcePdf

if TYPE_CHECKING:
    from pypdfium2 import PdfTextPage

SEAL_DPI = 300  # the seal is embedded at this resolution for its printed size
STAMP_FONT_PT = 7
TIME_FORMAT = "%Y-%m-%d %H:%M"
CROSS_PAGE_MARGIN_MM = 0  # strips touch the right edge of the page

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in PDF points


@dataclass(frozen=True)
class SealArt:
    """A seal image prepared for embedding: 8-bit RGB and alpha, Flate-compressed once."""

    width: int
    height: int
    rgb: bytes = field(repr=False)
    alpha: bytes = field(repr=False)

    @classmethod
    def from_png(cls, png: bytes, size_pt: float) -> SealArt:
        with Image.open(io.BytesIO(png)) as img:
            return cls.from_image(img.convert("RGBA"), size_pt)

    @classmethod
    def from_image(cls, img: Image.Image, size_pt: float) -> SealArt:
        side = max(16, round(size_pt / 72 * SEAL_DPI))
        if max(img.size) > side:
            img = img.copy()
            img.thumbnail((side, side), Image.Resampling.LANCZOS)
        rgba = img.convert("RGBA")
        return cls(rgba.width, rgba.height, zlib.compress(rgba.convert("RGB").tobytes(), 6),
                   zlib.compress(rgba.getchannel("A").tobytes(), 6))

    def rotated(self, degrees: int) -> SealArt:
        """The art turned counter-clockwise by ``degrees``: upright again on a page with /Rotate ``degrees``."""
        if degrees % 360 == 0:
            return self
        turned = self.image().rotate(degrees % 360, expand=True)
        return SealArt(turned.width, turned.height, zlib.compress(turned.convert("RGB").tobytes(), 6),
                       zlib.compress(turned.getchannel("A").tobytes(), 6))

    def image(self) -> Image.Image:
        rgb = Image.frombytes("RGB", (self.width, self.height), zlib.decompress(self.rgb))
        rgb.putalpha(Image.frombytes("L", (self.width, self.height), zlib.decompress(self.alpha)))
        return rgb

    def strips(self, n: int, size_pt: float) -> list[SealArt]:
        """The seal cut into ``n`` vertical strips, left to right (for the 骑缝章)."""
        img = self.image()
        edges = [round(i * img.width / n) for i in range(n + 1)]
        return [SealArt.from_image(img.crop((edges[i], 0, edges[i + 1], img.height)), size_pt) for i in range(n)]

    def xobject(self, writer) -> generic.IndirectObject:
        """The image XObject (with its soft mask) added to ``writer``."""
        def image(data: bytes, colour: str, extra: dict) -> generic.IndirectObject:
            return writer.add_object(generic.StreamObject({
                pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Image"),
                pdf_name("/Width"): generic.NumberObject(self.width),
                pdf_name("/Height"): generic.NumberObject(self.height),
                pdf_name("/BitsPerComponent"): generic.NumberObject(8),
                pdf_name("/ColorSpace"): pdf_name(colour),
                pdf_name("/Filter"): pdf_name("/FlateDecode"), **extra,
            }, encoded_data=data))

        smask = image(self.alpha, "/DeviceGray", {})
        return image(self.rgb, "/DeviceRGB", {pdf_name("/SMask"): smask})


class SealContent(PdfContent):
    """The seal image filling its box (the background of the signature appearance)."""

    def __init__(self, art: SealArt, writer=None) -> None:
        super().__init__(box=layout.BoxConstraints(art.width, art.height), writer=writer)
        self.art = art

    def render(self) -> bytes:
        self.set_resource(ResourceType.XOBJECT, pdf_name("/Seal"), self.art.xobject(self._ensure_writer))
        return b"q %g 0 0 %g 0 0 cm /Seal Do Q" % (self.box.width, self.box.height)


def stamp_style(art: SealArt | None, text: str, params: Mapping[str, str] | None = None) -> TextStampStyle:
    """The appearance: the seal filling the box, ``text`` small at its foot.

    ``text`` may hold pyHanko %(…)s parameters; ``params`` are the values they will get when signing
    (``appearance_text_params``), so the font holds their glyphs too. ``%(ts)s`` is filled by pyHanko
    with digits and punctuation, which the font always has.
    """
    from helper.signing.fonts import CJKFontFactory  # fontTools: only for stamps with text

    font_text = text + "".join((params or {}).values())
    return TextStampStyle(
        stamp_text=text,
        # no text: pyHanko's built-in font (an embedded font with no glyphs used cannot be built)
        text_box_style=TextBoxStyle(font=CJKFontFactory(font_text), font_size=STAMP_FONT_PT) if text
        else TextBoxStyle(font_size=STAMP_FONT_PT),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(bottom=2)),
        background=SealContent(art) if art is not None else None,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(0, 0, 0, 0)),
        background_opacity=1.0,
        border_width=0,
        timestamp_format=TIME_FORMAT,
    )


def page_rotation(source: SourcePdf, page_ix: int) -> int:
    """The page's /Rotate (inherited from the page tree), normalised to 0, 90, 180 or 270."""
    node = source.reader.find_page_for_modification(page_ix)[0].get_object()
    while node is not None:
        if "/Rotate" in node:
            return int(node["/Rotate"]) % 360 // 90 * 90
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return 0


def page_box(source: SourcePdf, page_ix: int) -> Box:
    """The visible area of a page (CropBox, else MediaBox, inherited from the page tree when needed)."""
    page = source.reader.find_page_for_modification(page_ix)[0].get_object()
    node = page
    while node is not None:
        for key in ("/CropBox", "/MediaBox"):
            if key in node:
                x1, y1, x2, y2 = (float(v) for v in node[key])
                return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return 0.0, 0.0, 595.0, 842.0


def _check_page(source: SourcePdf, page: int) -> int:
    if not 1 <= page <= source.pages:
        raise HelperError("PAGE_OUT_OF_RANGE", path=str(source.path), page=page, pages=source.pages)
    return page - 1


def check_placement(source: SourcePdf, placement: Placement) -> None:
    """Raise the placement's error (anchor not found, page out of range, seal off the page, no such empty
    field, 骑缝章 on one page) before any PIN is asked for."""
    if placement.mode in ("anchor", "coords"):
        seal_box(source, placement)
    elif placement.mode == "field":
        empty_field(source, placement.field)
    if placement.cross_page:
        check_cross_page(source)


def check_cross_page(source: SourcePdf) -> None:
    """CROSS_PAGE_ONE_PAGE or CROSS_PAGE_ALREADY_SIGNED when ``source`` cannot get a 骑缝章."""
    if source.pages < 2:
        raise HelperError("CROSS_PAGE_ONE_PAGE", path=str(source.path))
    if source.signatures:
        raise HelperError("CROSS_PAGE_ALREADY_SIGNED", path=str(source.path))


def empty_field(source: SourcePdf, name: str) -> str:
    """``name`` if the PDF has an empty signature field of that name; else SIGN_FIELD_NOT_FOUND (listing the
    empty ones) or SIGN_FIELD_SIGNED."""
    found = list(fields.enumerate_sig_fields(source.reader, with_name=name))
    if not found:
        empty = [n for n, *_ in fields.enumerate_sig_fields(source.reader, filled_status=False)]
        raise HelperError("SIGN_FIELD_NOT_FOUND", field=name, path=str(source.path), fields="、".join(empty) or "（无）")
    if found[0][1] is not None:
        raise HelperError("SIGN_FIELD_SIGNED", field=name, path=str(source.path))
    return name


def seal_box(source: SourcePdf, placement: Placement) -> tuple[int, Box]:
    """Page index and box of the visible seal for ``coords`` and ``anchor`` placements."""
    half = placement.size_pt / 2
    if placement.mode == "anchor":
        page_ix, (x1, y1, x2, y2) = find_anchor(source, placement.anchor, placement.page)
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    else:
        page_ix = _check_page(source, placement.page) if placement.page else source.pages - 1
        px1, py1, px2, py2 = page_box(source, page_ix)
        if placement.x_mm is None:  # lower right as the page is shown, clear of the margins
            cx, cy = _lower_right(page_rotation(source, page_ix), (px1, py1, px2, py2), half)
        else:
            cx, cy = px1 + placement.x_mm * MM, py1 + placement.y_mm * MM
            _check_on_page(source, page_ix, (px1, py1, px2, py2), placement)
    return page_ix, (cx - half, cy - half, cx + half, cy + half)


def _check_on_page(source: SourcePdf, page_ix: int, page: Box, placement: Placement) -> None:
    """SEAL_OFF_PAGE unless the whole seal centred at the placement's position lies on the page."""
    width, height = (page[2] - page[0]) / MM, (page[3] - page[1]) / MM
    half = placement.size_mm / 2
    if half <= placement.x_mm <= width - half and half <= placement.y_mm <= height - half:
        return
    raise HelperError("SEAL_OFF_PAGE", path=str(source.path), page=page_ix + 1, width=_mm(width),
                      height=_mm(height), x=_mm(placement.x_mm), y=_mm(placement.y_mm),
                      size=_mm(placement.size_mm), x_min=_mm(half), x_max=_mm(max(half, width - half)),
                      y_min=_mm(half), y_max=_mm(max(half, height - half)))


def _mm(value: float) -> str:
    """Whole millimetres, as a clerk reads them off a ruler."""
    return f"{round(value):d}"


def _lower_right(rotation: int, box: Box, half: float) -> tuple[float, float]:
    """The seal centre near the corner that a viewer shows at the bottom right, for a page turned by
    ``rotation`` degrees clockwise: 20 mm from the right edge and 25 mm from the bottom, as shown."""
    x1, y1, x2, y2 = box
    right, bottom = half + 20 * 72 / 25.4, half + 25 * 72 / 25.4
    return {
        0: (x2 - right, y1 + bottom),
        90: (x2 - bottom, y2 - right),
        180: (x1 + right, y2 - bottom),
        270: (x1 + bottom, y1 + right),
    }[rotation]


def find_anchor(source: SourcePdf, anchor: str, page: int = 0) -> tuple[int, Box]:
    """The first occurrence of ``anchor`` in the page text (on ``page``, or on any page when 0): its
    page index and the box around its characters. An exact match anywhere wins; failing that, a loose
    one (see ``loose_anchor_pattern``). Raises HelperError ANCHOR_NOT_FOUND."""
    import pypdfium2 as pdfium

    pages = [_check_page(source, page)] if page else range(source.pages)
    password = source.password.decode("utf-8", "replace") if source.password else None
    doc = pdfium.PdfDocument(source.data, password=password)
    try:
        text_pages = []  # loaded page by page: an exact match on an early page ends the search there
        for ix in pages:
            text = doc[ix].get_textpage()
            text_pages.append((ix, text))
            found = text.search(anchor.strip(), match_case=False).get_next()
            if found:
                return ix, _chars_box(text, range(found[0], found[0] + found[1]))
        pattern = loose_anchor_pattern(anchor)
        for ix, text in text_pages if pattern else ():
            chars = _page_chars(text)
            match = pattern.search("".join(c for c, _ in chars))
            if match:
                return ix, _chars_box(text, sorted({chars[i][1] for i in range(match.start(), match.end())}))
        has_text = any(text.count_chars() for _, text in text_pages)
    finally:
        doc.close()
    raise HelperError("ANCHOR_NOT_FOUND" if has_text else "ANCHOR_NO_TEXT", anchor=anchor, path=str(source.path))


def loose_anchor_pattern(anchor: str) -> re.Pattern[str] | None:
    """A pattern for ``anchor`` that tolerates what producers and typing do to text: full- and half-width
    forms (NFKC), spacing, and punctuation that differs or was extracted as a wrong character (some
    producers map "（" to garbage). Letters and digits must all be there, in order, on one line; None when
    the anchor has fewer than two of them."""
    parts: list[str] = []
    significant = 0
    for char in unicodedata.normalize("NFKC", anchor).strip():
        if char.isspace():
            continue
        if char.isalnum():
            parts.append(re.escape(char.casefold()))
            significant += 1
        elif parts:  # leading punctuation would only widen the match to the left
            parts.append(r"\S?")
    return re.compile(r"[^\S\r\n]*".join(parts)) if significant >= 2 else None


def _page_chars(text: PdfTextPage) -> list[tuple[str, int]]:
    """The page's characters normalised (NFKC, case-folded), each with the pdfium index it came from."""
    import pypdfium2.raw as pdfium_c

    out: list[tuple[str, int]] = []
    for index in range(text.count_chars()):
        for char in unicodedata.normalize("NFKC", chr(pdfium_c.FPDFText_GetUnicode(text.raw, index))).casefold():
            out.append((char, index))
    return out


def _chars_box(text: PdfTextPage, indices: Iterable[int]) -> Box:
    boxes = [text.get_charbox(i) for i in indices]
    boxes = [b for b in boxes if b[2] > b[0] or b[3] > b[1]] or boxes
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def add_cross_page_seal(writer: IncrementalPdfFileWriter, source: SourcePdf, art: SealArt, size_pt: float) -> None:
    """The 骑缝章: the seal split into one vertical strip per page, each strip against the right edge of its
    page, vertically centred. Added as locked, printable stamp annotations to the revision being signed,
    so the signature covers them."""
    check_cross_page(source)
    strips = art.strips(source.pages, size_pt)
    for ix, strip in enumerate(strips):
        _, y1, x2, y2 = page_box(source, ix)
        width = size_pt / source.pages
        cy = (y1 + y2) / 2
        rect = (x2 - width, cy - size_pt / 2, x2, cy + size_pt / 2)
        form = generic.StreamObject({
            pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, width, size_pt)),
            pdf_name("/Resources"): generic.DictionaryObject({pdf_name("/XObject"): generic.DictionaryObject(
                {pdf_name("/Strip"): strip.xobject(writer)})}),
        }, stream_data=b"q %g 0 0 %g 0 0 cm /Strip Do Q" % (width, size_pt))
        annot = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Stamp"),
            pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in rect),
            pdf_name("/F"): generic.NumberObject(4 | 128 | 512),  # Print, Locked, LockedContents
            pdf_name("/NM"): generic.TextStringObject(f"cahelper-cross-page-{ix + 1}"),
            pdf_name("/Contents"): generic.TextStringObject("骑缝章"),
            pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): writer.add_object(form)}),
        })
        page_ref = writer.find_page_for_modification(ix)[0]
        writer.register_annotation(page_ref, writer.add_object(annot))
