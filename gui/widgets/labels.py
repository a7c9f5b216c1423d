"""Label builders the pages share: data shown as it comes from the key, captions, icons, and the lines of a
certificate row (我的证书, 证书延期)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QHBoxLayout, QLabel

from gui import theme


def data_label(label: QLabel) -> QLabel:
    """Mark ``label`` as showing data (unit names, serials, file names), not interface text: it is never
    translated, and the language checks leave it alone."""
    label.setProperty("data", True)
    return label


def icon_label(name: str, size: int) -> QLabel:
    """A label showing the theme icon ``name`` at ``size`` pixels square."""
    label = QLabel()
    label.setPixmap(theme.icon(name).pixmap(QSize(size, size)))
    return label


def muted_label(text: str) -> QLabel:
    """A caption in the muted colour."""
    label = QLabel(text)
    label.setProperty("muted", True)
    return label


def unit_line(unit: str, purpose: str) -> QHBoxLayout:
    """A certificate row's first line: the unit name (data), then its purpose (签名 / 加密) as a chip."""
    line = QHBoxLayout()
    name = data_label(QLabel(unit))
    name.setObjectName("CertUnit")
    line.addWidget(name)
    chip = QLabel(purpose)
    chip.setStyleSheet(f"color: {theme.ACCENT}; background: {theme.ACCENT_LIGHT}; border-radius: 8px;"
                       " padding: 1px 8px;")
    line.addWidget(chip)
    line.addStretch(1)
    return line


def caption_line(pairs: Iterable[tuple[str, str]]) -> QHBoxLayout:
    """Captions each followed by its value (data), on one line: 持有人 张三   颁发者 …"""
    line = QHBoxLayout()
    for caption, value in pairs:
        line.addWidget(muted_label(caption))
        line.addWidget(data_label(QLabel(value)))
        line.addSpacing(14)
    line.addStretch(1)
    return line
