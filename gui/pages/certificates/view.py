"""The 我的证书 page: cards for the inserted keys, an empty state, the default-PIN suggestion."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.context import AppContext
from gui.pages.certificates.card import KeyCard
from gui.pages.certificates.expiry_banner import ExpiryBanner
from gui.widgets.banner import Banner
from gui.widgets.page_header import page_header
from helper import messages

if TYPE_CHECKING:  # dialogs and the token stack load after the window's first paint
    from helper.keys import CertEntry
    from helper.tokens import TokenChange, TokenInfo

log = logging.getLogger(__name__)


class EmptyState(QWidget):
    """No key inserted: a friendly picture, what to do, and a way to 检测修复."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        from PySide6.QtSvgWidgets import QSvgWidget

        picture = QSvgWidget(theme.icon_path("usb-key"))
        picture.setFixedSize(240, 192)
        layout.addWidget(picture, 0, Qt.AlignmentFlag.AlignHCenter)
        title = QLabel(self.tr("Please insert your digital certificate USB key"))
        title.setObjectName("EmptyTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        hint = QLabel(self.tr("Your keys and certificates appear here as soon as the key is plugged in."))
        hint.setProperty("muted", True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hint)
        self.link = QLabel(f"<a href='diagnostics' style='color:{theme.ACCENT}'>"
                           + self.tr("Key inserted but not shown? Run Diagnostics") + "</a>")
        self.link.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.link.linkActivated.connect(app.navigate)
        layout.addWidget(self.link)
        layout.addStretch(2)


class DefaultPinBanner(Banner):
    """DEFAULT_PIN_IN_USE: shown after a login proved a key still has its initial PIN."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.serial = ""
        self.button.setText(self.tr("Change PIN now"))

    def show_for(self, serial: str) -> None:
        message = messages.get("DEFAULT_PIN_IN_USE")
        self.serial = serial
        self.show_text(message.title, message.explanation)


class CertificatesPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.cards: dict[str, KeyCard] = {}
        self.entries: dict[str, list[CertEntry]] = {}
        self.dialog: QWidget | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 26, 32, 20)
        outer.setSpacing(12)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        head = page_header(self.tr("My certificates"),
                           self.tr("USB keys inserted in this computer and the certificates on them"),
                           self.refresh_button)
        outer.addLayout(head)
        self.banner = DefaultPinBanner()
        self.banner.button.clicked.connect(lambda: self.open_change_pin(self.banner.serial))
        outer.addWidget(self.banner)
        self.expiry = ExpiryBanner()
        self.expiry.renew_requested.connect(app.request_renewal)
        outer.addWidget(self.expiry)
        self.stack = QStackedWidget()
        self.scanning = QLabel(self.tr("Looking for USB keys…"))
        self.scanning.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scanning.setProperty("muted", True)
        self.stack.addWidget(self.scanning)
        self.empty: EmptyState | None = None  # made when first needed
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        self.list = QVBoxLayout(holder)
        self.list.setContentsMargins(0, 4, 0, 4)
        self.list.setSpacing(14)
        self.list.addStretch(1)
        scroll.setWidget(holder)
        self.stack.addWidget(scroll)
        self.scroll = scroll
        outer.addWidget(self.stack, 1)

        app.tokens_changed.connect(self.on_tokens_changed)
        app.first_scan_done.connect(self._update_stack)
        app.default_pin_detected.connect(self.banner.show_for)
        app.login_tried.connect(self.reread_flags)
        app.settings_changed.connect(lambda _s: self.refresh())
        app.certificates_changed.connect(self.load)
        for token in app.present:
            self.add_card(token)
        for serial in app.default_pin_serials:
            self.banner.show_for(serial)
        self._update_stack()

    # --- hot-plug ---------------------------------------------------------------------------
    def on_tokens_changed(self, change: TokenChange) -> None:
        for token in change.removed:
            card = self.cards.pop(token.serial, None)
            self.entries.pop(token.serial, None)
            if card is not None:
                card.deleteLater()
            if self.banner.serial == token.serial:
                self.banner.setVisible(False)
        if change.removed:
            self._show_expiry()
        for token in change.inserted:
            self.add_card(token)
        self._update_stack()

    def add_card(self, token: TokenInfo) -> None:
        if token.serial in self.cards:
            return
        card = KeyCard(token)
        card.change_pin.connect(self.open_change_pin)
        card.unblock_pin.connect(self.open_unblock_pin)
        card.view_requested.connect(self.open_details)
        card.export_requested.connect(self.export)
        self.list.insertWidget(self.list.count() - 1, card)
        self.cards[token.serial] = card
        self.load(token.serial)

    def _update_stack(self) -> None:
        if self.cards:
            self.stack.setCurrentWidget(self.scroll)
        elif self.app.scanned:
            if self.empty is None:
                self.empty = EmptyState(self.app)
                self.stack.addWidget(self.empty)
            self.stack.setCurrentWidget(self.empty)

    # --- loading ----------------------------------------------------------------------------
    def load(self, serial: str) -> None:
        """Re-read one key's flags and certificates in the background."""
        if serial not in self.cards:
            return
        job = self.app.jobs.run(_read_key, self.app, serial, owner=self, description=self.tr("Reading certificates"))
        job.finished.connect(lambda result: self._loaded(serial, *result))
        job.failed.connect(lambda exc: self._load_failed(serial, exc))

    def reread_flags(self, serial: str) -> None:
        """After a login (right or wrong): the key's PIN state as the flags say now."""
        if serial not in self.cards:
            return
        job = self.app.jobs.run(self.app.keys.find_token, serial, owner=self, description=self.tr("Reading the key"))
        job.finished.connect(self._flags_read)
        job.failed.connect(lambda _exc: None)  # the key is gone: tokens_changed removes its card

    def _flags_read(self, token: TokenInfo) -> None:
        card = self.cards.get(token.serial)
        if card is not None:
            self.app.note_token(token)
            card.set_token(token)

    def refresh(self) -> None:
        """刷新: read the keys again, not what was kept (a CA's own tool may have written to a key meanwhile)."""
        job = self.app.jobs.run(self.app.keys.reread, owner=self, description=self.tr("Reading the keys"))
        job.finished.connect(lambda _none: [self.load(serial) for serial in list(self.cards)])
        job.failed.connect(lambda _exc: [self.load(serial) for serial in list(self.cards)])

    def _loaded(self, serial: str, token: TokenInfo, entries: list[CertEntry]) -> None:
        card = self.cards.get(serial)
        if card is None:
            return
        self.app.note_token(token)
        card.set_token(token)
        card.set_entries(entries, self.app.settings.expiry_reminder_days)
        self.entries[serial] = entries
        self._show_expiry()
        self._remind()

    def _load_failed(self, serial: str, exc: BaseException) -> None:
        card = self.cards.get(serial)
        if card is not None:
            card.show_failure(messages.describe(exc).title)

    def _show_expiry(self) -> None:
        from helper.renewal import monitor

        found = monitor.items([e for entries in self.entries.values() for e in entries],
                              thresholds=self.app.settings.expiry_reminder_days, history=self.app.renewals.history())
        self.expiry.show_items(monitor.due(found))

    def _remind(self) -> None:
        from gui import reminder

        reminder.remind_daily(self.app, self.tr("Certificate expires soon"))

    # --- actions ----------------------------------------------------------------------------
    def _open(self, dialog: QWidget) -> QWidget:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: QWidget) -> None:
        if getattr(dialog, "serial", None) in self.cards:
            self.load(dialog.serial)
        if self.dialog is dialog:
            self.dialog = None

    def open_change_pin(self, serial: str) -> QWidget:
        from gui.dialogs.pin_change import ChangePinDialog

        dialog = ChangePinDialog(self.app, serial, self)
        dialog.done.connect(lambda _info: self.banner.serial == serial and self.banner.setVisible(False))
        dialog.done.connect(lambda _info: self.app.default_pin_serials.discard(serial))
        return self._open(dialog)

    def open_unblock_pin(self, serial: str) -> QWidget:
        from gui.dialogs.pin_change import UnblockPinDialog

        return self._open(UnblockPinDialog(self.app, serial, self))

    def open_details(self, entry: CertEntry) -> QWidget:
        from gui.dialogs.cert_details import CertDetailsDialog

        pool = tuple(e.info.der for e in self.entries.get(entry.token.serial, []) if e.info is not None)
        return self._open(CertDetailsDialog(self.app, entry, pool, self))

    def export(self, entry: CertEntry) -> None:
        from gui.widgets import export

        try:
            export.ask_and_export(entry.info, self)
        except Exception as exc:  # noqa: BLE001 - every failure is explained to the clerk
            self.app.show_error(exc, self)


def _read_key(app: AppContext, serial: str) -> tuple[TokenInfo, list[CertEntry]]:
    """Worker thread: the key's current flags and its certificates."""
    entries = app.keys.certificates(serial)
    return (entries[0].token if entries else app.keys.find_token(serial)), entries
