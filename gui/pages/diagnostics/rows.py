"""One result row: a coloured status badge, the check's name and message, its remedy and a 修复 button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui import theme
from helper.diagnostics import CheckResult, check

BADGES = {"ok": ("✔", theme.OK, "#DCFCE7"), "warning": ("!", theme.WARN, "#FEF3C7"),
          "error": ("✘", theme.BAD, "#FEE2E2"), "skipped": ("–", theme.MUTED, "#F3F4F6")}


class ResultRow(QWidget):
    """Shows one CheckResult; ``fix_requested(check_id)`` when its 修复 button is clicked."""

    fix_requested = Signal(str)

    def __init__(self, result: CheckResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CertRow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.badge = QLabel()
        self.badge.setFixedSize(28, 28)
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        self.name = QLabel()
        self.name.setStyleSheet("font-weight: bold;")
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setProperty("data", True)  # catalogue text filled with names and paths from this computer
        self.remedy = QLabel()
        self.remedy.setWordWrap(True)
        self.remedy.setProperty("data", True)
        for label in (self.name, self.title, self.remedy):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.addWidget(label)
        layout.addLayout(text, 1)
        self.fix = QPushButton(self.tr("Fix"))
        self.fix.setProperty("primary", True)
        self.fix.clicked.connect(lambda: self.fix_requested.emit(self.result.check_id))
        layout.addWidget(self.fix, 0, Qt.AlignmentFlag.AlignTop)
        self.show_result(result)

    def show_result(self, result: CheckResult) -> None:
        self.result = result
        mark, colour, background = BADGES[result.status.value]
        self.badge.setText(mark)
        self.badge.setStyleSheet(f"border-radius: 14px; font-weight: bold; font-size: 15px; color: {colour};"
                                 f"background: {background};")
        self.badge.setToolTip(result.status.value)
        message = result.message()
        self.name.setText(check(result.check_id).name())
        self.title.setText(message.title)
        self.title.setStyleSheet(f"color: {colour};" if result.status.value in ("warning", "error") else "")
        problem = result.status.value in ("warning", "error")
        steps = "<br>".join(f"{n}. {step}" for n, step in enumerate(message.remedy, 1))
        self.remedy.setText(f"{message.explanation}<br>{steps}" if problem else "")
        self.remedy.setVisible(problem)
        self.setToolTip("\n".join(result.details))
        self.fix.setVisible(result.fixable)
        self.fix.setEnabled(True)
