"""A key card (label, vendor, serial, PIN state, PIN buttons) holding one row per certificate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui import theme
from gui.widgets import expiry, pin_state
from gui.widgets.labels import caption_line, data_label, icon_label, unit_line

if TYPE_CHECKING:
    from helper.keys import CertEntry
    from helper.tokens import TokenInfo


class CertRow(QFrame):
    """One certificate: unit first, holder, issuer, validity, days left in colour, view/export."""

    view_requested = Signal(object)  # CertEntry
    export_requested = Signal(object)

    def __init__(self, entry: CertEntry, thresholds: Sequence[int], parent: QWidget | None = None) -> None:
        """``thresholds``: the reminder days of the settings; the colour follows the same rule on every page
        (helper.renewal.monitor.expiry_state)."""
        from helper.renewal.monitor import expiry_state  # rows exist once the token stack is loaded

        super().__init__(parent)
        self.setObjectName("CertRow")
        self.entry = entry
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 10, 14, 10)
        row.setSpacing(12)
        row.addWidget(icon_label("cert", 34), 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(3)
        info = entry.info
        if info is None:
            title = data_label(QLabel(entry.label or entry.cka_id.hex()))
            title.setObjectName("CertUnit")
            text.addWidget(title)
            text.addWidget(QLabel(self.tr("This certificate object cannot be read. Diagnostics can check the key.")))
            self.status = "unreadable"
        else:
            text.addLayout(unit_line(info.unit, self.tr("Signing") if info.is_signing else self.tr("Encryption")))
            text.addLayout(caption_line(((self.tr("Holder"), info.subject_cn), (self.tr("Issuer"), info.issuer_cn))))
            span = f"{info.not_before.astimezone():%Y-%m-%d} — {info.not_after.astimezone():%Y-%m-%d}"
            text.addLayout(caption_line(((self.tr("Valid"), span),)))
            self.status = expiry_state(info, datetime.now(UTC), thresholds)
        row.addLayout(text, 1)
        side = QVBoxLayout()
        side.setSpacing(6)
        self.days = QLabel(self._days_text())
        self.days.setStyleSheet(theme.status_style(self.status if info else "expired"))
        self.days.setAlignment(Qt.AlignmentFlag.AlignCenter)
        side.addWidget(self.days, 0, Qt.AlignmentFlag.AlignRight)
        buttons = QHBoxLayout()
        self.view_button = QPushButton(self.tr("View certificate"))
        self.export_button = QPushButton(self.tr("Export certificate"))
        for button in (self.view_button, self.export_button):
            button.setEnabled(info is not None)
            buttons.addWidget(button)
        self.view_button.clicked.connect(lambda: self.view_requested.emit(self.entry))
        self.export_button.clicked.connect(lambda: self.export_requested.emit(self.entry))
        side.addLayout(buttons)
        row.addLayout(side)

    def _days_text(self) -> str:
        info = self.entry.info
        if info is None:
            return self.tr("Unreadable")
        return expiry.days_text(self.status, info.days_left())


class KeyCard(QFrame):
    """The card of one inserted key."""

    change_pin = Signal(str)
    unblock_pin = Signal(str)
    view_requested = Signal(object)
    export_requested = Signal(object)

    def __init__(self, token: TokenInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.token = token
        self.rows: list[CertRow] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(10)
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(icon_label("key", 44))
        names = QVBoxLayout()
        names.setSpacing(2)
        self.title = data_label(QLabel(token.label))
        self.title.setObjectName("CardTitle")
        names.addWidget(self.title)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setProperty("data", True)  # vendor and serial come from the key
        self.details.setProperty("muted", True)
        names.addWidget(self.details)
        head.addLayout(names, 1)
        self.pin_label = QLabel()
        head.addWidget(self.pin_label, 0, Qt.AlignmentFlag.AlignVCenter)
        self.change_button = QPushButton(self.tr("Change PIN"))
        self.unblock_button = QPushButton(self.tr("Unblock PIN"))
        self.change_button.clicked.connect(lambda: self.change_pin.emit(self.token.serial))
        self.unblock_button.clicked.connect(lambda: self.unblock_pin.emit(self.token.serial))
        head.addWidget(self.change_button)
        head.addWidget(self.unblock_button)
        layout.addLayout(head)
        self.body = QVBoxLayout()
        self.body.setSpacing(8)
        layout.addLayout(self.body)
        self.loading = QLabel(self.tr("Reading certificates…"))
        self.loading.setProperty("muted", True)
        self.body.addWidget(self.loading)
        self.set_token(token)

    def set_token(self, token: TokenInfo) -> None:
        """Show the key's current flags (PIN state, vendor, serial)."""
        self.token = token
        vendor = " ".join(p for p in (token.manufacturer, token.model) if p)
        self.details.setText(self.tr("Vendor: %1").replace("%1", vendor) + "<br>"
                             + self.tr("Serial number: %1").replace("%1", token.serial))
        text, level = pin_state.user_pin_text(token.pin)
        self.pin_label.setText(text)
        fg = {"ok": theme.OK, "warn": theme.WARN, "bad": theme.BAD}[level]
        bg = {"ok": "#DCFCE7", "warn": "#FEF3C7", "bad": "#FEE2E2"}[level]
        self.pin_label.setStyleSheet(f"color: {fg}; background: {bg}; border-radius: 9px; padding: 3px 10px;")
        self.pin_level = level
        locked = token.pin.locked
        self.change_button.setEnabled(not locked)
        self.change_button.setProperty("primary", False)
        self.unblock_button.setProperty("primary", locked)
        for button in (self.change_button, self.unblock_button):
            button.style().unpolish(button)
            button.style().polish(button)

    def set_entries(self, entries: list[CertEntry], thresholds: Sequence[int]) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        self.loading.setVisible(not entries)
        self.loading.setText(self.tr("There is no certificate on this key."))
        for entry in entries:
            row = CertRow(entry, thresholds)
            row.view_requested.connect(self.view_requested)
            row.export_requested.connect(self.export_requested)
            self.body.addWidget(row)
            self.rows.append(row)

    def show_failure(self, text: str) -> None:
        self.loading.setVisible(True)
        self.loading.setText(text)
