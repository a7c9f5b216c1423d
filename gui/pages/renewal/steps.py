"""The installation progress as named steps (校验证书 → 写入U盾 → 校验写入 → 清理旧证书 → 完成).

The page polls the renewal journal while a job runs: the journal's step is what the key has reached.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from gui import theme

# journal step -> index of the step now under way
JOURNAL_PROGRESS = {"keygen": 0, "awaiting": 0, "prepared": 1, "written": 2, "verified": 3, "old_removed": 4, "relabelled": 4}


class StepsBar(QFrame):
    """A row of numbered steps: done (green tick), current (accent), failed (red), waiting (grey)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CertRow")
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 10, 14, 10)
        row.setSpacing(6)
        names = [self.tr("Check certificate"), self.tr("Write to key"), self.tr("Verify writing"),
                 self.tr("Remove old certificate"), self.tr("Done")]
        self.labels: list[QLabel] = []
        for n, name in enumerate(names):
            if n:
                arrow = QLabel("→")
                arrow.setProperty("muted", True)
                row.addWidget(arrow)
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setProperty("name", name)
            self.labels.append(label)
            row.addWidget(label)
        row.addStretch(1)
        self.current = -1
        self.failed = False
        self.show_step(0)

    def show_step(self, index: int, *, failed: bool = False) -> None:
        """Steps before ``index`` are done; ``index`` is under way (or failed); len(labels) means all done."""
        self.current, self.failed = index, failed
        for n, label in enumerate(self.labels):
            name = label.property("name")
            if n < index or index >= len(self.labels):
                label.setText(f"✓ {name}")
                label.setStyleSheet(f"color: {theme.OK}; padding: 2px 6px;")
            elif n == index:
                colour, bg = (theme.BAD, "#FEE2E2") if failed else (theme.ACCENT, theme.ACCENT_LIGHT)
                label.setText(f"{'✕' if failed else n + 1} {name}")
                label.setStyleSheet(f"color: {colour}; background: {bg}; border-radius: 9px; padding: 2px 8px;"
                                    " font-weight: bold;")
            else:
                label.setText(f"{n + 1} {name}")
                label.setStyleSheet(f"color: {theme.MUTED}; padding: 2px 6px;")

    def finish(self) -> None:
        self.show_step(len(self.labels))

    def done_names(self) -> list[str]:
        return [label.property("name") for n, label in enumerate(self.labels)
                if n < self.current or self.current >= len(self.labels)]
