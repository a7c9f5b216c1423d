"""The 证书延期 page: certificates with days left, 一键延期, 导入证书文件, progress by steps, history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.context import AppContext
from gui.pages.renewal import work
from gui.pages.renewal.progress import ProgressCard
from gui.pages.renewal.steps import JOURNAL_PROGRESS
from gui.widgets.expiry import days_text
from gui.widgets.labels import caption_line, data_label, icon_label, muted_label, unit_line
from gui.widgets.page_header import page_header
from helper.messages import HelperError

if TYPE_CHECKING:
    from helper.renewal.cas import CaEntry
    from helper.renewal.install import InstallResult

FILE_FILTER = "*.cer *.crt *.der *.pem *.p7b *.p7c"


class RenewRow(QFrame):
    """One certificate: unit, holder, issuer, key, end date, days left in the state's colour, 一键延期."""

    def __init__(self, row: work.Row, on_renew: Callable[[work.Row], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CertRow")
        self.row = row
        item = row.item
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(12)
        layout.addWidget(icon_label("cert", 34), 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(3)
        text.addLayout(unit_line(item.unit, self.tr("Signing") if item.is_signing else self.tr("Encryption")))
        text.addLayout(caption_line(((self.tr("Holder"), item.holder), (self.tr("Issuer"), item.issuer),
                                     (self.tr("Key"), item.token_label))))
        valid = QHBoxLayout()
        valid.addWidget(muted_label(self.tr("Valid until")))
        valid.addWidget(data_label(QLabel(f"{item.not_after.astimezone():%Y-%m-%d}")))
        if item.superseded:
            valid.addSpacing(14)
            valid.addWidget(muted_label(self.tr("Replaced by a newer certificate")))
        valid.addStretch(1)
        text.addLayout(valid)
        layout.addLayout(text, 1)
        side = QVBoxLayout()
        side.setSpacing(6)
        self.days = QLabel(days_text(item.state, item.days_left))
        self.days.setStyleSheet(theme.status_style(item.state))
        self.days.setAlignment(Qt.AlignmentFlag.AlignCenter)
        side.addWidget(self.days, 0, Qt.AlignmentFlag.AlignRight)
        self.button = QPushButton(self.tr("Renew now"))
        self.button.setProperty("primary", item.state in ("expiring", "expired"))
        self.button.setEnabled(item.is_signing and not item.superseded)
        self.button.clicked.connect(lambda: on_renew(self.row))
        side.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(side)

class RenewalPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.rows: list[RenewRow] = []
        self.history: list[dict[str, Any]] = []
        self.dialog: QWidget | None = None  # the dialog waiting for the user (secret, PIN)
        self.loading = False
        self._again = False
        self.installing: str | None = None  # serial of the key being written
        self._poll = QTimer(self)
        self._poll.setInterval(40)
        self._poll.timeout.connect(self._show_progress)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 26, 32, 20)
        outer.setSpacing(12)
        self.import_button = QPushButton(self.tr("Import certificate file"))
        self.import_button.clicked.connect(self.choose_file)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        outer.addLayout(page_header(
            self.tr("Certificate renewal"),
            self.tr("Renew before the certificate expires: online with the CA, on the CA's website, "
                    "or from a certificate file the CA sent you"),
            self.import_button, self.refresh_button))

        self.progress = ProgressCard()
        self.progress.show_certificates.connect(lambda: app.navigate("certificates"))
        self.steps = self.progress.steps
        outer.addWidget(self.progress)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        content = QVBoxLayout(holder)
        content.setContentsMargins(0, 4, 0, 4)
        content.setSpacing(14)
        self.certs_card, self.cert_list = self._card(self.tr("Certificates on the inserted keys"))
        self.empty = muted_label(self.tr("Looking for USB keys…"))
        self.cert_list.addWidget(self.empty)
        content.addWidget(self.certs_card)
        self.history_card, self.history_list = self._card(self.tr("Renewal history"))
        content.addWidget(self.history_card)
        content.addStretch(1)
        scroll.setWidget(holder)
        outer.addWidget(scroll, 1)

        app.tokens_changed.connect(lambda _change: self.refresh())
        app.first_scan_done.connect(self.refresh)
        app.settings_changed.connect(lambda _s: self.refresh())
        app.certificates_changed.connect(lambda _serial: self.refresh())
        app.renewal_requested.connect(self.renew_certificate)
        self.requested: str | None = None  # a certificate to renew once the list shows it
        self.site_opened = ""  # when 一键延期 handed over to the CA's website (ISO time)
        if app.scanned:
            self.refresh()

    def _card(self, heading: str) -> tuple[QFrame, QVBoxLayout]:
        card = QFrame()
        card.setObjectName("Card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(18, 14, 18, 16)
        layout.setSpacing(10)
        title = QLabel(heading)
        title.setObjectName("CardTitle")
        layout.addWidget(title)
        body = QVBoxLayout()
        body.setSpacing(8)
        layout.addLayout(body)
        return card, body

    # --- listing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read in the background; a refresh asked for while one runs follows it (never two at once)."""
        if self.loading:
            self._again = True
            return
        self.loading, self._again = True, False
        job = self.app.jobs.run(work.overview, self.app.renewals, owner=self, description=self.tr("Reading certificates"))
        job.finished.connect(self._show)
        job.done.connect(self._loaded)

    def _loaded(self) -> None:
        self.loading = False
        if self._again:
            self.refresh()

    def _show(self, overview: work.Overview) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = [RenewRow(r, self.renew) for r in overview.rows]
        for row in self.rows:
            self.cert_list.addWidget(row)
        self.empty.setText(self.tr("No certificate with a private key found. Please insert your USB key."))
        self.empty.setVisible(not self.rows)
        self._show_history(overview.history)
        self._site_finished(overview.history)
        if self.requested is not None:
            self.renew_certificate(self.requested)

    def _show_history(self, history: tuple[dict[str, Any], ...]) -> None:
        while self.history_list.count():
            widget = self.history_list.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.history = list(history)
        if not history:
            self.history_list.addWidget(muted_label(self.tr("No renewals yet.")))
        kinds = {"cmp-kur": self.tr("Online (same key)"), "cmp-new-key": self.tr("Online (new key)"),
                 "import": self.tr("Certificate file"), "web": self.tr("CA website")}
        for entry in history[:20]:
            line = QHBoxLayout()
            line.addWidget(data_label(QLabel(entry.get("finished", "")[:10])))
            line.addWidget(QLabel(kinds.get(entry.get("kind", ""), entry.get("kind", ""))))
            ok = entry.get("outcome") == "completed"
            outcome = QLabel(self.tr("Installed") if ok else self.tr("Undone"))
            outcome.setStyleSheet(theme.status_style("valid" if ok else "not_yet_valid"))
            line.addWidget(outcome)
            line.addSpacing(8)
            line.addWidget(data_label(QLabel(entry.get("token_label", ""))))
            if entry.get("not_after"):
                line.addWidget(muted_label(self.tr("Valid until")))
                line.addWidget(data_label(QLabel(entry["not_after"][:10])))
            line.addStretch(1)
            frame = QWidget()
            frame.setLayout(line)
            line.setContentsMargins(4, 0, 4, 0)
            self.history_list.addWidget(frame)

    # --- 一键延期 ----------------------------------------------------------------------------
    def renew_certificate(self, cert_id: str) -> None:
        """一键延期 for the certificate ``cert_id`` (from the 我的证书 banner), once the list shows it."""
        row = next((r for r in self.rows if r.row.item.cert_id == cert_id), None)
        if row is None and self.requested != cert_id:
            self.requested = cert_id  # not listed yet: after the next listing
            self.refresh()
            return
        self.requested = None
        if row is not None and row.button.isEnabled():
            self.renew(row.row)

    def renew(self, row: work.Row) -> None:
        """CMP when the certificate's CA offers it, else the CA's renewal website in the browser."""
        ca = row.ca
        info = row.entry.info
        if ca is not None and ca.supports_cmp:
            if ca.cmp_protection == "mac":
                self._ask_secret(ca, lambda mac: self._ask_pin(row, lambda pin: self._renew_cmp(row, ca, pin, mac)))
            else:
                self._ask_pin(row, lambda pin: self._renew_cmp(row, ca, pin, None))
        elif ca is not None and ca.renewal_site:
            job = self.app.jobs.run(_open_site, ca.renewal_site, owner=self, description=self.tr("Opening the CA's website"))
            job.finished.connect(lambda _browser: self._site_opened(ca))
        else:
            self.app.show_error(HelperError("RENEW_NO_ONLINE_RENEWAL", subject=info.subject, issuer=info.issuer_cn))

    def _site_opened(self, ca: CaEntry) -> None:
        from datetime import UTC, datetime

        self.site_opened = datetime.now(UTC).isoformat(timespec="seconds")
        self.progress.site(ca.name)
        self.app.notify(self.tr("CA renewal website opened"),
                        self.tr("Finish the renewal on the CA's website; it installs the new certificate through "
                                "the helper."))

    def _site_finished(self, history: tuple[dict[str, Any], ...]) -> None:
        """After the hand-off to the CA's website: its installation arrived (history), so show 完成."""
        latest = next((h for h in history if h.get("kind") == "web"), None)
        if (self.progress.state == "site" and latest and latest.get("outcome") == "completed"
                and latest.get("finished", "") >= self.site_opened):
            unit = next((r.row.item.unit for r in self.rows
                         if r.row.entry.info.sha256 == latest.get("certificate")), latest.get("token_label", ""))
            self.progress.done(unit, latest.get("not_after", "")[:10])

    def _ask_secret(self, ca: CaEntry, then: Callable[[Any], None]) -> None:
        from gui.pages.renewal.secret import CaSecretDialog
        from helper.renewal import mac_secret
        from helper.renewal.cmp import MacProtection

        dialog = CaSecretDialog(ca.name, self)

        def accepted() -> None:
            reference, code = dialog.values()
            code = code or mac_secret.recall(reference) or b""
            if not reference or not code:
                self.app.show_error(HelperError("RENEW_SECRET_MISSING", ref=reference or "-"))
                return
            mac_secret.remember(reference, code)
            then(MacProtection(reference.encode("utf-8"), code))

        dialog.accepted.connect(accepted)
        self._open(dialog)

    def _ask_pin(self, row: work.Row, then: Callable[[bytearray], None]) -> None:
        from gui.dialogs.pin_entry import PinEntryDialog

        dialog = PinEntryDialog(self.app, row.entry.token.serial, row.item.unit, title=self.tr("Renew certificate"),
                                parent=self)
        dialog.pin_entered.connect(then)
        self._open(dialog)

    def _renew_cmp(self, row: work.Row, ca: CaEntry, pin: bytearray, mac: Any) -> None:
        from helper.renewal.service import CmpRequest

        request = CmpRequest(ca.cmp_url, mac=mac)
        forget = (lambda: _forget(mac.reference)) if mac is not None else (lambda: None)
        self._install(row.entry.token.serial, row.item.unit, self.app.renewals.renew_cmp, row.entry, pin, request,
                      on_success=forget)

    # --- 导入证书文件 -------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import certificate file"), "",
                                              self.tr("Certificates (%1)").replace("%1", FILE_FILTER))
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Ask the PIN of the key the file belongs to (else the only/first inserted key), then install."""
        if not self.app.present:
            self.app.show_error(HelperError("TOKEN_ABSENT", serial=""))
            return
        entries = [r.row.entry for r in self.rows]
        serial = work.key_for_file(entries, path) or self.app.present[0].serial
        token = self.app.token(serial)
        label = token.label if token else serial
        from gui.dialogs.pin_entry import PinEntryDialog

        dialog = PinEntryDialog(self.app, serial, path.name, title=self.tr("Import certificate file"), parent=self)
        dialog.pin_entered.connect(
            lambda pin: self._install(serial, label, work.import_file, self.app.renewals, serial, pin, path))
        self._open(dialog)

    # --- running an installation ----------------------------------------------------------------
    def _install(self, serial: str, what: str, fn: Callable[..., InstallResult], *args: Any,
                 on_success: Callable[[], None] = lambda: None) -> None:
        self.installing = serial
        self.progress.installing(what)
        self.import_button.setEnabled(False)
        for row in self.rows:
            row.button.setEnabled(False)
        self._poll.start()
        job = self.app.jobs.run(fn, *args, owner=self, description=self.tr("Installing the certificate"))
        job.finished.connect(lambda result: self._installed(result, on_success))
        job.failed.connect(self._install_failed)

    def _show_progress(self) -> None:
        pending = self.app.renewals.pending(self.installing) if self.installing else []
        if pending:
            self.steps.show_step(max(self.steps.current, JOURNAL_PROGRESS[pending[-1].step]))

    def _stop_progress(self) -> None:
        self._poll.stop()
        self.installing = None
        self.import_button.setEnabled(True)

    def _installed(self, result: InstallResult, on_success: Callable[[], None]) -> None:
        self._stop_progress()
        on_success()
        info = result.certificate
        self.progress.done(info.unit, f"{info.not_after.astimezone():%Y-%m-%d}")
        self.app.show_info("RENEW_INSTALLED", self, unit=info.unit, not_after=f"{info.not_after.astimezone():%Y-%m-%d}")
        self.refresh()

    def _install_failed(self, exc: BaseException) -> None:
        self._stop_progress()
        self.progress.failed()
        self.app.show_error(exc, self)
        self.refresh()

    def _open(self, dialog: QWidget) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None) if self.dialog is dialog else None)
        dialog.open()


def _open_site(portal_id: str) -> str:
    from helper import browsers, portals

    portal = portals.find(portal_id)
    return browsers.open_url(portal.url, portal.browser)


def _forget(reference: bytes) -> None:
    from helper.renewal import mac_secret

    mac_secret.forget(reference.decode("utf-8"))
