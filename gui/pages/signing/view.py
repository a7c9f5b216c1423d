"""The 电子签章 page: a 签章 | 验证 switch in the header over the two tabs (``sign_tab``, ``verify_tab``)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.context import AppContext
from gui.pages.signing import parts
from gui.pages.signing.sign_tab import SignTab
from gui.pages.signing.verify_tab import VerifyTab
from gui.widgets.page_header import page_header


class SigningPage(QWidget):
    """The page header with a 签章 | 验证 switch, and the two views below it (``tabs``)."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sign_tab = SignTab(app)
        self.verify_tab = VerifyTab(app)
        self.tabs = QStackedWidget()
        self.tabs.addWidget(self.sign_tab)
        self.tabs.addWidget(self.verify_tab)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 26, 32, 20)
        outer.setSpacing(14)
        outer.addLayout(self._header())
        outer.addWidget(self.tabs, 1)

    def _header(self) -> QHBoxLayout:
        return page_header(self.tr("E-signing"), self.tr("Put your unit's e-seal on PDF files, or check a signed PDF"),
                           self._switch())

    def _switch(self) -> QWidget:
        """Two segments, 签章 and 验证, kept in step with ``tabs``."""
        switch = QFrame()
        switch.setObjectName("Segments")
        switch.setStyleSheet(parts.SEGMENT_STYLE)
        row = QHBoxLayout(switch)
        row.setContentsMargins(3, 3, 3, 3)
        row.setSpacing(2)
        group = QButtonGroup(switch)
        for index, text in enumerate((self.tr("Sign"), self.tr("Verify"))):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setChecked(index == 0)
            group.addButton(button, index)
            row.addWidget(button)
        group.idClicked.connect(self.tabs.setCurrentIndex)
        self.tabs.currentChanged.connect(lambda index: group.button(index).setChecked(True))
        return switch
