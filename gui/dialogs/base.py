"""Base for dialogs that work on one inserted key: closes itself when the key is pulled out,
runs its token calls as jobs with a busy bar, and submits at most once at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QVBoxLayout, QWidget

from gui.context import AppContext
from gui.jobs import Job
from gui.widgets import pin_state
from helper.messages import HelperError
from helper.tokens import TokenChange, TokenInfo


class TokenDialog(QDialog):
    """A dialog bound to the key ``serial``; subclasses add fields and call ``run``."""

    def __init__(self, app: AppContext, serial: str, parent: QWidget | None = None) -> None:
        super().__init__(parent or app.dialog_parent)
        self.app = app
        self.serial = serial
        self.info: TokenInfo | None = app.token(serial)
        self.removed = False
        self.job: Job | None = None
        self.setMinimumWidth(440)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(22, 18, 22, 16)
        self.layout_.setSpacing(10)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setVisible(False)
        app.tokens_changed.connect(self._on_tokens_changed)

    @property
    def label(self) -> str:
        return self.info.label if self.info else self.serial

    def _on_tokens_changed(self, change: TokenChange) -> None:
        if self.removed or not self.isVisible():
            return
        if any(t.serial == self.serial for t in change.removed):
            self.removed = True
            self.reject()
            self.app.show_error(HelperError("GUI_KEY_REMOVED", label=self.label))

    def state_label(self, so: bool = False) -> QLabel:
        """A label with the PIN state of the key as the flags say now."""
        label = QLabel()
        label.setWordWrap(True)
        self.update_state_label(label, so)
        return label

    def update_state_label(self, label: QLabel, so: bool = False) -> None:
        if self.info is None:
            label.setVisible(False)
            return
        text, level = (pin_state.so_pin_text if so else pin_state.user_pin_text)(self.info.pin)
        label.setText(text)
        label.setStyleSheet(pin_state.style(level))
        label.setVisible(bool(text))

    @property
    def alive(self) -> bool:
        """False once Qt has destroyed the dialog (a job may finish after that)."""
        return shiboken6.isValid(self)

    @property
    def busy(self) -> bool:
        return self.job is not None

    def run(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None],
            on_failed: Callable[[BaseException], None]) -> bool:
        """Run one token call; False (and nothing runs) while another call of this dialog is running."""
        if self.busy:
            return False
        self.job = self.app.jobs.run(fn, *args, description=self.windowTitle())
        self.set_busy(True)

        def finished(result: Any) -> None:
            if not self.alive:
                return
            self.job = None
            self.set_busy(False)
            if not self.removed:
                on_done(result)

        def failed(exc: BaseException) -> None:
            if not self.alive:
                return
            self.job = None
            self.set_busy(False)
            if not self.removed:
                on_failed(exc)

        self.job.finished.connect(finished)
        self.job.failed.connect(failed)
        return True

    def set_busy(self, busy: bool) -> None:
        """Subclasses disable their inputs; the base shows the busy bar."""
        self.busy_bar.setVisible(busy)

    def refresh_info(self, then: Callable[[], None]) -> None:
        """Re-read the key's flags (they are snapshots) and call ``then`` on the GUI thread."""
        job = self.app.jobs.run(self.app.keys.find_token, self.serial)

        def done(info: TokenInfo) -> None:
            if not self.alive:
                return  # the dialog was closed while the key was being read
            self.info = info
            self.app.note_token(info)
            then()

        job.finished.connect(done)
        job.failed.connect(lambda _exc: None)  # the key is gone: tokens_changed explains it
