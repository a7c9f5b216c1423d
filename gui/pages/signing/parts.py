"""Building blocks of the 电子签章 page: white cards, small section titles, muted notes, an empty state."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from gui import theme

SECTION_STYLE = "font-size: 13px; font-weight: bold;"
NOTE_STYLE = "font-size: 12px;"
# arrows hidden by style: with NoButtons a styled spin box lays its text out with no width
PAGE_BOX_STYLE = "QSpinBox { padding: 4px 2px; } QSpinBox::up-button, QSpinBox::down-button { width: 0; border: none; }"
BIG_BUTTON_STYLE = "font-size: 15px; font-weight: bold; padding: 9px 14px;"
LIST_STYLE = f"""
QTreeWidget, QTextBrowser {{ background: #FFFFFF; border: 1px solid #E5E7EB; border-radius: 8px; }}
QTextBrowser {{ padding: 6px 8px; }}
QTreeWidget::item {{ padding: 3px 2px; }}
QTreeWidget::item:selected {{ background: {theme.ACCENT_LIGHT}; color: {theme.TEXT}; }}
QHeaderView::section {{ background: #F9FAFB; color: {theme.MUTED}; border: none;
    border-bottom: 1px solid #E5E7EB; padding: 5px 6px; }}
"""
SCROLL_STYLE = """
QScrollBar:vertical { background: transparent; width: 8px; margin: 2px; }
QScrollBar::handle:vertical { background: #CBD5E1; border-radius: 2px; min-height: 30px; }
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; }
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical { background: transparent; }
"""
SEGMENT_STYLE = f"""
#Segments {{ background: #E5E7EB; border-radius: 8px; }}
#Segments QPushButton {{ background: transparent; border: none; border-radius: 6px; padding: 5px 18px;
    color: #374151; }}
#Segments QPushButton:hover {{ color: {theme.ACCENT}; }}
#Segments QPushButton:checked {{ background: #FFFFFF; color: {theme.ACCENT}; font-weight: bold; }}
"""


def card(margins: tuple[int, int, int, int] = (16, 14, 16, 14)) -> tuple[QFrame, QVBoxLayout]:
    """A white rounded card (theme ``#Card``) and its layout."""
    frame = QFrame()
    frame.setObjectName("Card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(*margins)
    layout.setSpacing(8)
    return frame, layout


def section(text: str) -> QLabel:
    """A small bold title for a group of options."""
    label = QLabel(text)
    label.setStyleSheet(SECTION_STYLE)
    return label


def note(text: str) -> QLabel:
    """A muted, wrapped line explaining the option above it."""
    label = QLabel(text)
    label.setProperty("muted", True)
    label.setStyleSheet(NOTE_STYLE)
    label.setWordWrap(True)
    return label


class EmptyState(QWidget):
    """A picture, a friendly title, one muted line and an optional button, centred."""

    def __init__(self, icon: str, title: str, hint: str, button: QPushButton | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtSvgWidgets import QSvgWidget

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(8)
        layout.addStretch(1)
        picture = QSvgWidget(theme.icon_path(icon))
        picture.setFixedSize(96, 96)
        layout.addWidget(picture, 0, Qt.AlignmentFlag.AlignHCenter)
        heading = QLabel(title)
        heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        heading.setWordWrap(True)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(heading)
        line = note(hint)
        line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(line)
        if button is not None:
            layout.addSpacing(6)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)


class ButtonRow(QWidget):
    """Buttons side by side, stacked when the column is too narrow for them side by side."""

    SPACING = 8

    def __init__(self, buttons: list[QPushButton], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons = buttons
        layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(self.SPACING)
        for button in buttons:
            layout.addWidget(button)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(max(b.minimumSizeHint().width() for b in self.buttons), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        needed = sum(b.sizeHint().width() for b in self.buttons) + self.SPACING * (len(self.buttons) - 1)
        wide = event.size().width() >= needed
        self.layout().setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        super().resizeEvent(event)
