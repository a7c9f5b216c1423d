"""Small helpers for the signing tests: options in one call, rendering pages, counting seal-red pixels."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image

from helper.signing.options import Placement, SignOptions


def options(**placement) -> SignOptions:
    """SignOptions with a Placement built from keyword arguments."""
    extra = {k: placement.pop(k) for k in ("level", "tsa_url", "certify", "show_text", "overwrite", "reason")
             if k in placement}
    return SignOptions(placement=Placement(**placement), **extra)


def render(path: Path, page: int, dpi: int = 72) -> Image.Image:
    """Page ``page`` (1-based) rendered by poppler's pdftoppm."""
    out = subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), str(path)],
                         capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(out)).convert("RGB")


def red_pixels(img: Image.Image, box: tuple[float, float, float, float], page_height: float, dpi: int = 72) -> int:
    """Seal-red pixels inside a PDF-space box (points, origin bottom-left) of a rendered page."""
    s = dpi / 72
    x1, y1, x2, y2 = box
    crop = img.crop((round(x1 * s), round((page_height - y2) * s), round(x2 * s), round((page_height - y1) * s)))
    return sum(1 for r, g, b in crop.get_flattened_data() if r > 150 and g < 110 and b < 110)
