"""Label builders the pages share: data shown as it comes from the key, and icons."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel

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
