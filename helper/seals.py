"""Seal images (印章图片): import a scanned or photographed impression (印模), draw a demo seal, and the
one rule that picks the seal a signature uses when the clerk chose none.

Pure functions: nothing here touches the USB key. A seal is a square RGBA PNG in one clean seal red
whose alpha carries the ink, so it can be stamped on any page colour without a white box around it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageMath, ImageOps, UnidentifiedImageError

from helper import messages
from helper.fileio import atomic_write_bytes
from helper.messages import HelperError

SEAL_RED = (214, 28, 36)
MAX_SIZE_PX = 800  # imported seals are scaled down to this
MIN_SEAL_PX = 100  # smaller seals look blurred on a page
MAX_UNIT_CHARS = 30
MAX_NAME_CHARS = 12

_WORK_PX = 1600  # photos are analysed at most this large
_PAPER_GRID_PX = 64  # the paper (background) estimate is made on a grid this wide
_MARGIN = 0.04  # around the cropped seal, as a fraction of its size


@dataclass(frozen=True)
class SealImage:
    """A seal as a PNG (RGBA, transparent background)."""

    png: bytes
    width: int
    height: int
    name: str

    @classmethod
    def from_image(cls, image: Image.Image, name: str) -> SealImage:
        """Encode an RGBA image as a seal."""
        out = io.BytesIO()
        image.convert("RGBA").save(out, "PNG")
        return cls(out.getvalue(), image.width, image.height, name)

    def image(self) -> Image.Image:
        """The seal as a Pillow RGBA image."""
        return Image.open(io.BytesIO(self.png)).convert("RGBA")

    def save_png(self, path: Path | str, *, overwrite: bool = False) -> None:
        """Write the PNG atomically; raises HelperError OUTPUT_EXISTS rather than replace a file."""
        atomic_write_bytes(path, self.png, overwrite=overwrite)

    def preview(self, size_px: int = 128, background: tuple[int, int, int] = (255, 255, 255)) -> bytes:
        """A thumbnail PNG of the seal on a plain background (for lists and dialogs)."""
        seal = self.image()
        seal.thumbnail((size_px, size_px), Image.Resampling.LANCZOS)
        canvas = Image.new("RGBA", seal.size, (*background, 255))
        out = io.BytesIO()
        Image.alpha_composite(canvas, seal).convert("RGB").save(out, "PNG")
        return out.getvalue()


# --- the default seal -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefaultSeal:
    """The seal a signature uses when the clerk chose none: ``name`` among ``names`` (the key's seals,
    sorted), or None for a text-only stamp (signer and time)."""

    name: str | None
    names: tuple[str, ...]

    def notice(self, lang: str | None = None) -> messages.Message | None:
        """What every face must say about the choice: which one of several seals is used, or that the
        stamp shows no seal; None when the key holds exactly one seal."""
        if self.name is None:
            return messages.get("SEAL_DEFAULT_NONE", lang)
        if len(self.names) > 1:
            return messages.get("SEAL_DEFAULT_FIRST", lang, name=self.name, count=len(self.names),
                                names="、".join(self.names))
        return None


def default_seal(names: Iterable[str]) -> DefaultSeal:
    """The default seal rule, one for all faces: exactly one seal on the key → that one; several → the
    first by name (the face says which, see DefaultSeal.notice); none → a text-only stamp, said so."""
    ordered = tuple(sorted(set(names)))
    return DefaultSeal(ordered[0] if ordered else None, ordered)


# --- a seal image given as a file ------------------------------------------------------------------------


def seal_from_png(data: bytes, path: str, name: str = "") -> SealImage:
    """``data`` (read from ``path``) as a seal, if it can be one: a PNG with a transparent background, so that
    no white or coloured box is stamped over the text. A scan, photo or opaque image is refused with the
    command that turns it into a seal (HelperError SEAL_NOT_TRANSPARENT); other files: SEAL_IMAGE_INVALID."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            kind, size = img.format, img.size
            img.load()
            transparent = img.has_transparency_data and img.convert("RGBA").getchannel("A").getextrema()[0] < 255
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise HelperError("SEAL_IMAGE_INVALID", path=path) from exc
    if kind != "PNG" or not transparent:
        raise HelperError("SEAL_NOT_TRANSPARENT", path=path, kind=kind or "?")
    return SealImage(data, size[0], size[1], name or Path(path).stem)


# --- importing a scanned impression -------------------------------------------------------------------


def import_seal_image(path: Path | str, name: str | None = None) -> SealImage:
    """Turn a scan or photo of a red seal impression into a clean seal image.

    The paper becomes transparent; the red ink becomes SEAL_RED with alpha from the ink's strength, so
    edges stay smooth; the result is cropped around the seal onto a square canvas of at most MAX_SIZE_PX.
    Raises HelperError FILE_NOT_FOUND, SEAL_IMAGE_INVALID, SEAL_IMAGE_TOO_SMALL or SEAL_NO_RED_INK.
    """
    path = Path(path)
    photo = _open_rgb(path)
    _require_size(path, photo.size)
    alpha = _ink_alpha(_ink_strength(photo))
    box = _seal_box(alpha) if alpha is not None else None
    if box is None:
        raise HelperError("SEAL_NO_RED_INK", path=str(path))
    _require_size(path, (box[2] - box[0], box[3] - box[1]))
    square = alpha.crop(_square_around(box))
    if square.width > MAX_SIZE_PX:
        square = square.resize((MAX_SIZE_PX, MAX_SIZE_PX), Image.Resampling.LANCZOS)
    return SealImage.from_image(_in_seal_red(square), name or path.stem)


def _open_rgb(path: Path) -> Image.Image:
    """The image at ``path`` as RGB, upright, transparency flattened onto white, at most _WORK_PX."""
    try:
        with Image.open(path) as img:
            img.draft("RGB", (_WORK_PX, _WORK_PX))  # JPEG: decode at reduced size
            img = ImageOps.exif_transpose(img)
            img.thumbnail((_WORK_PX, _WORK_PX), Image.Resampling.LANCZOS)
            rgba = img.convert("RGBA")
    except FileNotFoundError as e:
        raise HelperError("FILE_NOT_FOUND", path=str(path)) from e
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as e:
        raise HelperError("SEAL_IMAGE_INVALID", path=str(path)) from e
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def _require_size(path: Path, size: tuple[int, int]) -> None:
    if min(size) < MIN_SEAL_PX:
        raise HelperError(
            "SEAL_IMAGE_TOO_SMALL", path=str(path), width=size[0], height=size[1], minimum=MIN_SEAL_PX
        )


def _paper(photo: Image.Image) -> Image.Image:
    """A smooth estimate of the bare paper's colour at every pixel (lighting gradient and tint included).

    Ink is darker than paper in at least the green and blue channels, so a local maximum over a window
    larger than any ink stroke sees only paper; blurring removes the window's blockiness.
    """
    grid = photo.copy()
    grid.thumbnail((_PAPER_GRID_PX, _PAPER_GRID_PX), Image.Resampling.BOX)
    window = max(grid.size) // 6 * 2 + 1
    grid = grid.filter(ImageFilter.MaxFilter(window)).filter(ImageFilter.GaussianBlur(window / 2))
    return grid.resize(photo.size, Image.Resampling.BILINEAR)


def _ink_strength(photo: Image.Image) -> Image.Image:
    """Per pixel, how red it is against the paper: 0 for paper, grey or black ink; high for red ink."""
    r, g, b = (_against(c, p) for c, p in zip(photo.split(), _paper(photo).split(), strict=True))
    strength = ImageMath.lambda_eval(lambda m: m["max"](m["r"] - m["max"](m["g"], m["b"]), 0), r=r, g=g, b=b)
    return strength.convert("L").filter(ImageFilter.MedianFilter(3))  # median: drops noise, keeps edges


def _against(channel: Image.Image, paper: Image.Image) -> Image.Image:
    """One colour channel relative to the paper's (paper = 255), as a float image."""
    return ImageMath.lambda_eval(lambda m: m["float"](m["c"]) * 255 / m["max"](m["p"], 1), c=channel, p=paper)


_NOISE_FLOOR = 40  # strength reached by paper noise and JPEG colour bleeding
_MIN_INK_FRACTION = 0.002
_MIN_INK_CONTRAST = 40


def _ink_alpha(strength: Image.Image) -> Image.Image | None:
    """Alpha from ink strength: 0 up to the noise floor, ramping to 255 for well-inked pixels; None if no ink."""
    hist = strength.histogram()
    ink = hist[_NOISE_FLOOR:]
    if sum(ink) < _MIN_INK_FRACTION * strength.width * strength.height:
        return None
    solid = _NOISE_FLOOR + _percentile(ink, 0.75)  # typical strength of the ink itself
    if solid - _NOISE_FLOOR < _MIN_INK_CONTRAST:
        return None
    full = _NOISE_FLOOR + max(25, round(0.6 * (solid - _NOISE_FLOOR)))
    return strength.point(
        lambda v: 0 if v <= _NOISE_FLOOR else min(255, (v - _NOISE_FLOOR) * 255 // (full - _NOISE_FLOOR))
    )


def _percentile(hist: list[int], q: float) -> int:
    target, seen = q * sum(hist), 0
    for value, count in enumerate(hist):
        seen += count
        if seen >= target:
            return value
    return len(hist) - 1


def _seal_box(alpha: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box of the inked area, ignoring isolated specks."""
    factor = 4
    mask = alpha.reduce(factor).point(lambda v: 255 if v > 64 else 0).filter(ImageFilter.MedianFilter(3))
    box = mask.getbbox()
    if box is None:
        return None
    left, top, right, bottom = (v * factor for v in box)
    return left, top, min(right, alpha.width), min(bottom, alpha.height)


def _square_around(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """A square box centred on ``box``, with a margin."""
    side = max(box[2] - box[0], box[3] - box[1])
    side += 2 * max(4, round(side * _MARGIN))
    left = (box[0] + box[2] - side) // 2
    top = (box[1] + box[3] - side) // 2
    return left, top, left + side, top + side


def _in_seal_red(alpha: Image.Image) -> Image.Image:
    seal = Image.new("RGBA", alpha.size, (*SEAL_RED, 0))
    seal.putalpha(alpha)
    return seal


# --- the demo seal --------------------------------------------------------------------------------------

_SUPERSAMPLE = 3
# Proportions of a typical round company seal (42 mm across, 1.2 mm ring, 14 mm star), relative to the radius.
_RING = 0.06
_ARC_TEXT_HEIGHT = 0.26
_ARC_TEXT_RADIUS = 1 - _RING - 0.04 - _ARC_TEXT_HEIGHT / 2
_ARC_STEP = math.radians(21)  # between character centres when there is room
_ARC_SPAN = (math.radians(120), math.radians(240))  # the unit name covers at least / at most this
_STAR_RADIUS = 0.31
_NAME_HEIGHT, _NAME_Y, _NAME_WIDTH = 0.19, 0.53, 0.9
_DEMO_HEIGHT, _DEMO_Y = 0.075, 0.78
_NARROW = 0.85  # seal characters are set narrower than square


def make_demo_seal(unit: str, name: str = "演示专用章", size_px: int = 600) -> SealImage:
    """A round company seal for demos: unit name along the top arc, star, seal name, a small "DEMO" mark.

    Raises HelperError SEAL_TEXT_INVALID for an empty or overlong text, FONT_GLYPH_MISSING for characters
    no font has.
    """
    unit, name = unit.strip(), name.strip()
    if not (0 < len(unit) <= MAX_UNIT_CHARS and 0 < len(name) <= MAX_NAME_CHARS):
        raise HelperError(
            "SEAL_TEXT_INVALID",
            unit_length=len(unit),
            name_length=len(name),
            max_unit=MAX_UNIT_CHARS,
            max_name=MAX_NAME_CHARS,
        )
    if not 64 <= size_px <= 4000:
        raise ValueError(f"seal size {size_px} px out of range")
    from helper.signing.fonts import cjk_font_bytes  # fontTools: only when a seal is drawn

    font = cjk_font_bytes(unit + name)
    side = size_px * _SUPERSAMPLE
    radius = side / 2 * 0.98
    ink = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(ink)
    centre = side / 2
    draw.ellipse(
        (centre - radius, centre - radius, centre + radius, centre + radius),
        outline=255,
        width=round(radius * _RING),
    )
    _draw_arc_text(ink, unit, font, radius)
    draw.polygon(_star_points(centre, centre, radius * _STAR_RADIUS), fill=255)
    _draw_line(ink, name, font, radius * _NAME_HEIGHT, centre + radius * _NAME_Y, radius * _NAME_WIDTH)
    _draw_line(ink, "DEMO", font, radius * _DEMO_HEIGHT, centre + radius * _DEMO_Y, radius)
    return SealImage.from_image(
        _in_seal_red(ink.resize((size_px, size_px), Image.Resampling.LANCZOS)), unit + name
    )


def _text_image(text: str, font: bytes, height: float) -> Image.Image:
    """``text`` in white on black, in a box one em high, slightly emboldened like seal lettering."""
    face = ImageFont.truetype(io.BytesIO(font), round(height))
    stroke = max(1, round(height * 0.025))
    left, _, right, _ = face.getbbox(text, anchor="ls", stroke_width=stroke)
    img = Image.new("L", (right - left + 2 * stroke, round(height * 1.25)), 0)
    ImageDraw.Draw(img).text(
        (img.width / 2, img.height / 2),
        text,
        font=face,
        fill=255,
        anchor="mm",
        stroke_width=stroke,
        stroke_fill=255,
    )
    return img


def _paste_centred(ink: Image.Image, glyphs: Image.Image, x: float, y: float) -> None:
    ink.paste(255, (round(x - glyphs.width / 2), round(y - glyphs.height / 2)), glyphs)


def _draw_arc_text(ink: Image.Image, text: str, font: bytes, radius: float) -> None:
    """Characters along the top arc, read clockwise, each upright towards the rim."""
    n = len(text)
    step = min(max(_ARC_STEP, _ARC_SPAN[0] / max(n - 1, 1)), _ARC_SPAN[1] / max(n - 1, 1), math.radians(40))
    height = radius * _ARC_TEXT_HEIGHT
    text_radius = radius * _ARC_TEXT_RADIUS
    squeeze = min(_NARROW, 0.92 * step * text_radius / height)
    centre = ink.width / 2
    for i, char in enumerate(text):
        angle = math.pi / 2 + step * ((n - 1) / 2 - i)
        glyph = _text_image(char, font, height)
        glyph = glyph.resize((max(1, round(glyph.width * squeeze)), glyph.height), Image.Resampling.LANCZOS)
        glyph = glyph.rotate(math.degrees(angle) - 90, Image.Resampling.BICUBIC, expand=True)
        _paste_centred(
            ink, glyph, centre + text_radius * math.cos(angle), centre - text_radius * math.sin(angle)
        )


def _draw_line(ink: Image.Image, text: str, font: bytes, height: float, y: float, max_width: float) -> None:
    """A straight line of text centred at height ``y``, narrowed to fit ``max_width``."""
    line = _text_image(text, font, height)
    width = min(line.width * _NARROW, max_width)
    line = line.resize((round(width), line.height), Image.Resampling.LANCZOS)
    _paste_centred(ink, line, ink.width / 2, y)


def _star_points(x: float, y: float, outer: float) -> list[tuple[float, float]]:
    """A five-pointed star, one point up."""
    inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for k in range(10):  # alternating tips and inner corners, every 36°
        r = inner if k % 2 else outer
        a = math.pi / 2 + k * math.pi / 5
        points.append((x + r * math.cos(a), y - r * math.sin(a)))
    return points
