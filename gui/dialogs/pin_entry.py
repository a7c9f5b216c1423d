"""The shared PIN-entry dialog for every page that needs the user PIN for one operation.

API::

    from gui.dialogs.pin_entry import PinEntryDialog

    pin = PinEntryDialog.ask(app, serial, requester, title="", parent=None)   # or app.ask_pin(...)
    if pin is None:
        return                        # cancelled, or the key was pulled out (already explained)
    job = app.jobs.run(app.keys.login, serial, pin)   # services wipe the buffer; never keep it

* ``serial``: the key whose PIN is asked (its label and PIN-state warning are shown).
* ``requester``: who is asking, in words the clerk recognises, e.g. a website origin
  ("https://si.example.gov.cn") or an action ("批量签章 12 个文件").
* ``title``: the window title (default "Enter PIN").
* ``so=True`` asks for the administrator (SO) PIN instead of the user PIN.
* Returns a fresh ``bytearray`` (the caller owns it and must let a service wipe it, or call
  ``helper.keys.wipe``) or ``None``. An empty PIN cannot be submitted. The dialog closes with
  a GUI_KEY_REMOVED explanation when the key is removed while it is open. The PIN is never retried
  or cached; the dialog itself makes no token call.

For a non-blocking flow construct ``PinEntryDialog(...)``, connect ``pin_entered(bytearray)`` and
call ``open()``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from gui.context import AppContext
from gui.dialogs.base import TokenDialog
from gui.widgets.pin_field import PinField


class PinEntryDialog(TokenDialog):
    pin_entered = Signal(bytearray)

    def __init__(self, app: AppContext, serial: str, requester: str, *, title: str = "", so: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(app, serial, parent)
        self.so = so
        self._pin: bytearray | None = None
        self.setWindowTitle(title or (self.tr("Enter administrator PIN") if so else self.tr("Enter PIN")))
        heading = QLabel(self.tr("Requested by"))
        heading.setProperty("muted", True)
        self.requester_label = QLabel(requester)
        self.requester_label.setWordWrap(True)
        self.requester_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.requester_label.setProperty("data", True)
        self.token_label = QLabel(self.tr("USB key: %1").replace("%1", self.label))
        self.token_label.setProperty("data", True)
        self.state = self.state_label(so)
        prompt = QLabel(self.tr("Administrator PIN of this key:") if so else self.tr("PIN of this key:"))
        self.field = PinField()
        self.caps = QLabel(self.tr("Caps Lock is on"))
        self.caps.setStyleSheet("color: #B45309;")
        self.caps.setVisible(False)
        self.field.caps_lock_changed.connect(self.caps.setVisible)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setProperty("primary", True)
        self.ok.setEnabled(False)
        self.field.textChanged.connect(lambda text: self.ok.setEnabled(bool(text)))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for widget in (heading, self.requester_label, self.token_label, self.state, prompt, self.field,
                       self.caps, self.buttons):
            self.layout_.addWidget(widget)
        self.field.setFocus()

    def accept(self) -> None:
        if not self.field.text() or self._pin is not None:
            return
        self._pin = self.field.take()
        self.pin_entered.emit(self._pin)
        super().accept()

    def pin(self) -> bytearray | None:
        """The PIN typed (after accept), else None."""
        return self._pin

    @classmethod
    def ask(cls, app: AppContext, serial: str, requester: str, *, title: str = "", so: bool = False,
            parent: QWidget | None = None) -> bytearray | None:
        """Modal: the PIN as bytearray, or None when cancelled or the key was removed."""
        dialog = cls(app, serial, requester, title=title, so=so, parent=parent)
        try:
            return dialog.pin() if dialog.exec() == cls.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
