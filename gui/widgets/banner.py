"""A notice across the top of a page: a bold headline and a line of text, with one primary button."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from gui.widgets.labels import data_label


class Banner(QFrame):
    """Hidden until ``show_text``. The text may carry names from the key (units, holders): it is data."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 10, 14, 10)
        self.text = data_label(QLabel())
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        self.button = QPushButton()
        self.button.setProperty("primary", True)
        row.addWidget(self.button)
        self.setVisible(False)

    def show_text(self, headline: str, text: str) -> None:
        self.text.setText(f"<b>{headline}</b><br>{text}")
        self.setVisible(True)
