"""The Windows program and installer icon, rendered from resources/icons/app.svg at build time."""

from __future__ import annotations

import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "app.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def make_ico(out: Path, svg: Path = SVG) -> Path:
    """Write a multi-size .ico (16–256 px, crisp at every size since each is rendered from the SVG)."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["icon"])
    renderer = QSvgRenderer(str(svg))
    frames = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        frames.append(Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA"))
    out.parent.mkdir(parents=True, exist_ok=True)
    largest = frames[-1]
    largest.save(out, format="ICO", sizes=[(s, s) for s in SIZES], append_images=frames[:-1])
    return out
