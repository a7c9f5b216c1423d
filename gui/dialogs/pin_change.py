"""修改PIN and 解锁PIN: the current (or administrator) PIN, the new PIN twice, live policy feedback.

Nothing reaches the key while the policy (helper.pin.PinPolicy) has an objection; Enter submits
once; each result is explained in the shared 提示/说明/解决方案 dialog.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QWidget

from gui.context import AppContext
from gui.dialogs.base import TokenDialog
from gui.widgets.pin_field import PinField
from helper import messages
from helper.tokens import TokenInfo

LOCKING_CODES = {"PIN_LOCKED", "SO_PIN_LOCKED"}
WRONG_FIRST_PIN = ("PIN_INCORRECT", "SO_PIN_INCORRECT")  # the current / administrator PIN was wrong


class _PinDialog(TokenDialog):
    """Shared form: first PIN (current or administrator), new PIN, repeat."""

    done = Signal(object)  # TokenInfo after a successful change
    so = False
    success_code = ""

    def __init__(self, app: AppContext, serial: str, parent: QWidget | None = None) -> None:
        super().__init__(app, serial, parent)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.token_label = QLabel(f"<b>{self.label}</b>")
        self.token_label.setProperty("data", True)
        self.state = self.state_label(self.so)
        self.first, self.new, self.repeat = PinField(), PinField(), PinField()
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.first_label = QLabel()
        self.form.addRow(self.first_label, self.first)
        self.form.addRow(QCoreApplication.translate("PinDialog", "New PIN:"), self.new)
        self.form.addRow(QCoreApplication.translate("PinDialog", "Repeat new PIN:"), self.repeat)
        self.caps = QLabel(QCoreApplication.translate("PinDialog", "Caps Lock is on"))
        self.caps.setStyleSheet("color: #B45309;")
        self.caps.setVisible(False)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setProperty("data", True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setProperty("primary", True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for field in (self.first, self.new, self.repeat):
            field.textChanged.connect(self.check)
            field.caps_lock_changed.connect(self.caps.setVisible)
            field.returnPressed.connect(self.submit)
        for widget in (self.intro, self.token_label, self.state):
            self.layout_.addWidget(widget)
        self.layout_.addLayout(self.form)
        for widget in (self.caps, self.feedback, self.busy_bar, self.buttons):
            self.layout_.addWidget(widget)
        self.setTabOrder(self.first, self.new)
        self.setTabOrder(self.new, self.repeat)
        self.setTabOrder(self.repeat, self.ok)
        self.first.setFocus()

    # --- live policy feedback ---------------------------------------------------------------
    def problems(self) -> list[str]:
        new, repeat = self.new.text(), self.repeat.text()
        if not new:
            return ["PIN_EMPTY"]
        found = self.app.keys.policy.problems(new, None if self.so else self.first.text(), repeat or None)
        if not repeat:
            found.append("REPEAT_MISSING")
        return found

    def check(self) -> list[str]:
        """Refresh the feedback line and the OK button; returns the problems."""
        found = self.problems()
        shown = [c for c in found if c not in ("PIN_EMPTY", "REPEAT_MISSING")]
        if self.new.text() and found == ["REPEAT_MISSING"]:
            self.feedback.setText(QCoreApplication.translate("PinDialog", "Type the new PIN again to confirm it."))
            self.feedback.setStyleSheet("color: #6B7280;")
        elif shown:
            policy = self.app.keys.policy
            titles = [messages.get(c, min=policy.min_length, max=policy.max_length).title for c in shown]
            self.feedback.setText("<br>".join(f"✗ {t}" for t in titles))
            self.feedback.setStyleSheet("color: #B91C1C;")
        elif not found:
            self.feedback.setText(QCoreApplication.translate("PinDialog", "✓ The new PIN meets the rules."))
            self.feedback.setStyleSheet("color: #15803D;")
        else:
            self.feedback.setText("")
        self.ok.setEnabled(not found and bool(self.first.text()) and not self.busy)
        return found

    # --- submission -----------------------------------------------------------------------
    def submit(self) -> None:
        if self.busy or self.check() or not self.first.text():
            return
        # the new PIN stays in its two fields until the key accepted it: a wrong current PIN is typed again alone
        first, new, repeat = self.first.take(), self.new.copy(), self.repeat.copy()
        self.run(self.operation(), self.serial, first, new, repeat, on_done=self._succeeded, on_failed=self._failed)

    def operation(self):
        raise NotImplementedError

    def set_busy(self, busy: bool) -> None:
        super().set_busy(busy)
        for field in (self.first, self.new, self.repeat):
            field.setEnabled(not busy)
        if busy:
            self.ok.setEnabled(False)
        else:
            self.check()

    def reject(self) -> None:
        for field in (self.first, self.new, self.repeat):
            field.clear()
        super().reject()

    def _succeeded(self, info: TokenInfo) -> None:
        self.new.clear()
        self.repeat.clear()
        self.info = info
        self.done.emit(info)
        self.accept()
        self.app.show_info(self.success_code, self.parentWidget(), label=self.label)

    def _failed(self, exc: BaseException) -> None:
        code = messages.describe(exc).code
        if not code.startswith(WRONG_FIRST_PIN):  # the new PIN itself was refused: choose it again
            self.new.clear()
            self.repeat.clear()
        self.app.show_error(exc, self)
        if code in LOCKING_CODES:
            self.reject()
            return
        self.refresh_info(lambda: self.update_state_label(self.state, self.so))
        self.first.setFocus()


class ChangePinDialog(_PinDialog):
    """修改PIN: current PIN, new PIN, repeat."""

    success_code = "GUI_PIN_CHANGED"

    def __init__(self, app: AppContext, serial: str, parent: QWidget | None = None) -> None:
        super().__init__(app, serial, parent)
        self.setWindowTitle(self.tr("Change PIN"))
        self.intro.setText(self.tr("Choose a new PIN for this key. The PIN protects your company's seal: "
                                   "use 6 to 16 characters that others cannot guess."))
        self.first_label.setText(self.tr("Current PIN:"))

    def operation(self):
        return self.app.keys.change_pin


class UnblockPinDialog(_PinDialog):
    """解锁PIN with the administrator (SO) PIN."""

    so = True
    success_code = "GUI_PIN_UNBLOCKED"

    def __init__(self, app: AppContext, serial: str, parent: QWidget | None = None) -> None:
        super().__init__(app, serial, parent)
        self.setWindowTitle(self.tr("Unblock PIN"))
        self.intro.setText(self.tr(
            "If the PIN was typed wrong too many times, the key is locked. The administrator PIN "
            "(from the envelope your CA gave you with the key) can unlock it and set a new PIN.<br>"
            "<b>Careful:</b> the administrator PIN also locks after a few wrong tries, and then only "
            "your CA can help. If you are not sure of it, call your CA first."))
        self.intro.setTextFormat(Qt.TextFormat.RichText)
        self.first_label.setText(self.tr("Administrator PIN:"))

    def operation(self):
        return self.app.keys.unblock_pin
