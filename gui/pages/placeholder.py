"""The honest page shown where a feature is not available yet."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui import theme


class PlaceholderPage(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PlaceholderPage")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        heading = QLabel(title)
        heading.setObjectName("PageTitle")
        layout.addWidget(heading)
        layout.addStretch(1)
        from PySide6.QtSvgWidgets import QSvgWidget

        picture = QSvgWidget(theme.icon_path("placeholder"))
        picture.setFixedSize(200, 150)
        layout.addWidget(picture, 0, Qt.AlignmentFlag.AlignHCenter)
        text = QLabel(QCoreApplication.translate("Placeholder", "This function is not available yet"))
        text.setObjectName("EmptyTitle")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(text)
        more = QLabel(QCoreApplication.translate(
            "Placeholder", "It will come with a later version of the helper. Until then, please use the "
                           "tools your CA provides for it."))
        more.setWordWrap(True)
        more.setAlignment(Qt.AlignmentFlag.AlignCenter)
        more.setProperty("muted", True)
        layout.addWidget(more)
        layout.addStretch(2)
