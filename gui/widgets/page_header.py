"""The header every page starts with: a big title, one muted line under it, actions on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

PAGE_MARGINS = (32, 26, 32, 20)
COMPACT_MARGINS = (18, 12, 18, 10)  # small windows (see gui.shell)


def page_header(title: str, subtitle: str, *actions: QWidget) -> QHBoxLayout:
    """``title`` and ``subtitle`` are already translated by the page; ``actions`` sit bottom-right."""
    head = QHBoxLayout()
    titles = QVBoxLayout()
    heading = QLabel(title)
    heading.setObjectName("PageTitle")
    titles.addWidget(heading)
    line = QLabel(subtitle)
    line.setObjectName("PageSubtitle")
    line.setWordWrap(True)
    titles.addWidget(line)
    head.addLayout(titles, 1)
    for action in actions:
        head.addWidget(action, 0, Qt.AlignmentFlag.AlignBottom)
    return head
