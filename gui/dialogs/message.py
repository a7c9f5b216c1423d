"""The one dialog that explains a result to the clerk: 提示 / 说明 / 解决方案 (helper.messages)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui import theme
from helper import messages
from helper.messages import Message


class MessageDialog(QDialog):
    """Shows one catalogue message; ``kind`` is "error" (red accent) or "info" (green accent)."""

    def __init__(self, message: Message, kind: str = "error", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = message
        self.kind = kind
        self.setWindowTitle(self.tr("Certificate Helper"))
        self.setMinimumWidth(460)
        colour = theme.BAD if kind == "error" else theme.OK
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 20, 22, 16)
        layout.setSpacing(10)
        head = QHBoxLayout()
        mark = QLabel("!" if kind == "error" else "✓")
        mark.setFixedSize(34, 34)
        mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mark.setStyleSheet(f"background: {colour}; color: white; border-radius: 17px; font-size: 18px;"
                           " font-weight: bold;")
        head.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        self.title_label = QLabel(message.title)
        self.title_label.setWordWrap(True)
        self.title_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.title_label.setProperty("data", True)
        head.addWidget(self.title_label, 1)
        layout.addLayout(head)
        layout.addWidget(self._section(self.tr("Explanation"), message.explanation))
        steps = "<br>".join(f"{i}. {s}" for i, s in enumerate(message.remedy, 1))
        layout.addWidget(self._section(self.tr("Solution"), steps))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def _section(self, heading: str, body: str) -> QLabel:
        label = QLabel(f"<b>{heading}</b><br>{body}")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setProperty("data", True)
        return label

    def text(self) -> str:
        """The three parts as plain text (for tests and the clipboard)."""
        return self.message.as_text()

    @classmethod
    def for_exception(cls, exc: BaseException, parent: QWidget | None = None) -> MessageDialog:
        return cls(messages.describe(exc), "error", parent)

    @classmethod
    def info(cls, code: str, parent: QWidget | None = None, **params: object) -> MessageDialog:
        return cls(messages.get(code, **params), "info", parent)
