"""The GUI's ConsentUI for the local service: the helper's own dialog naming the website, with the certificate
choice (by unit name), the file and a page preview for e-seals, and the PIN field.

``QtConsentUI.ask`` is called on the service's consent thread; it hands the request to the GUI thread
through a queued signal and waits for the answer. ``cancel`` (the service timed out) closes the dialog.
``make_service(app)`` builds the local service the application context starts (``AppContext.start_service``).
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from gui.context import AppContext
from gui.widgets import screen_fit
from gui.widgets.pin_field import PinField
from helper.login.consent import DENIED, ConsentAnswer, ConsentRequest

log = logging.getLogger(__name__)

PREVIEW_HEIGHT = 260  # the page picture of an e-seal request, smaller on small screens


class ConsentDialog(QDialog):
    """Who asks, for what, with which certificate; the PIN when the key will be used."""

    def __init__(self, request: ConsentRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.setWindowTitle(self.tr("Website request") if request.kind != "approve_origin"
                            else self.tr("Allow website"))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(8)
        who = QLabel(f"{request.portal_name}\n{request.origin}" if request.portal_name else request.origin)
        who.setObjectName("origin")
        who.setStyleSheet("font-size: 15px; font-weight: bold;")
        who.setWordWrap(True)
        layout.addWidget(QLabel(self.tr("Website")))
        layout.addWidget(who)
        question = QLabel(self._question())
        question.setWordWrap(True)
        layout.addWidget(question)
        self.certs = QComboBox()
        self.pin: PinField | None = None
        if request.kind != "approve_origin":
            for choice in request.certificates:
                self.certs.addItem(f"{choice.unit}（{choice.holder}，{choice.not_after}）", choice.id)
            if request.preselected:
                self.certs.setCurrentIndex(max(0, self.certs.findData(request.preselected)))
            layout.addWidget(QLabel(self.tr("Certificate (unit name)")))
            layout.addWidget(self.certs)
            if request.kind == "sign_pdf":
                pages = self.tr("File: %1 (1 page)") if request.pages == 1 else self.tr("File: %1 (%2 pages)")
                layout.addWidget(QLabel(pages.replace("%1", request.file_name).replace("%2", str(request.pages))))
                if request.preview_png:
                    preview = QLabel()
                    pixmap = QPixmap()
                    pixmap.loadFromData(request.preview_png, "PNG")
                    height = max(120, min(PREVIEW_HEIGHT, screen_fit.room(self).height() - 330))
                    preview.setPixmap(pixmap.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation))
                    layout.addWidget(preview)
            layout.addWidget(QLabel(self.tr("PIN of the USB key (only typed here, never sent to the website):")))
            self.pin = PinField()
            layout.addWidget(self.pin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("Allow") if request.kind == "approve_origin" else self.tr("OK"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        if request.kind == "approve_origin":  # Enter must not let a site in: the safe choice is the default
            allow, deny = (buttons.button(b) for b in (QDialogButtonBox.StandardButton.Ok,
                                                      QDialogButtonBox.StandardButton.Cancel))
            deny.setText(self.tr("Do not allow"))
            allow.setAutoDefault(False)
            deny.setDefault(True)
            deny.setFocus()

    def _question(self) -> str:
        if self.request.kind == "approve_origin":
            return self.tr("This website wants to read the certificates on your USB key. Allow it? "
                           "Check the address: allow only the official site.")
        if self.request.kind == "authenticate":
            return self.tr("This website asks to log you in with your USB key.")
        if self.request.summary:  # renewal requests: the helper's catalogue text says what is asked
            return self.request.summary
        return self.tr("This website asks to put your unit's e-seal on a document.")

    def answer(self) -> ConsentAnswer:
        """The answer after exec(); the PIN field is cleared."""
        if self.result() != QDialog.DialogCode.Accepted:
            if self.pin is not None:
                self.pin.take()
            return DENIED
        if self.pin is None:
            return ConsentAnswer(True)
        return ConsentAnswer(True, self.certs.currentData(), self.pin.take())


class QtConsentUI(QObject):
    """ConsentUI (helper.login.consent) over ConsentDialog; thread-safe ``ask``/``cancel``."""

    _show = Signal(object)  # ConsentRequest, to the GUI thread
    _close = Signal()

    def __init__(self, app: AppContext) -> None:
        super().__init__()
        self.app = app
        self._answer: ConsentAnswer = DENIED
        self._done = threading.Event()
        self._dialog: ConsentDialog | None = None
        self._show.connect(self._open, Qt.ConnectionType.QueuedConnection)
        self._close.connect(self._cancel_open, Qt.ConnectionType.QueuedConnection)

    def ask(self, request: ConsentRequest) -> ConsentAnswer:
        self._done.clear()
        self._answer = DENIED
        self._show.emit(request)
        self._done.wait()
        return self._answer

    def cancel(self, *, stopping: bool = False) -> None:
        self._close.emit()

    @Slot(object)
    def _open(self, request: ConsentRequest) -> None:
        self._dialog = ConsentDialog(request, self.app.dialog_parent)
        self._dialog.finished.connect(self._finished)
        self._dialog.open()
        self._dialog.raise_()
        self._dialog.activateWindow()

    @Slot()
    def _finished(self) -> None:
        if self._dialog is not None:
            self._answer = self._dialog.answer()
            self._dialog.deleteLater()
            self._dialog = None
        self._done.set()

    @Slot()
    def _cancel_open(self) -> None:
        if self._dialog is not None:
            self._dialog.reject()
        else:
            self._done.set()


def make_service(app: AppContext):
    """The LocalService for this application, answering through the GUI's consent dialog (not started)."""
    from helper.local_service import LocalService, ServiceConfig

    ui = QtConsentUI(app)
    ui.setParent(app)
    return LocalService(app.keys, ui, ServiceConfig(port=app.settings.service_port,
                                                    pdf_limit_mb=app.settings.max_pdf_mb), renewals=app.renewals)
