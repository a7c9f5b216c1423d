"""A masked PIN field with a show/hide toggle and caps-lock detection; hands the PIN out as a bytearray."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit

from gui import theme


class PinField(QLineEdit):
    """QLineEdit in password mode. ``take()`` returns the PIN as bytearray and clears the field."""

    caps_lock_changed = Signal(bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setMaxLength(64)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.caps_lock = False
        self._toggle = self.addAction(theme.icon("eye"), QLineEdit.ActionPosition.TrailingPosition)
        self._toggle.setCheckable(True)
        self._toggle.toggled.connect(self.set_revealed)
        self._toggle.setToolTip(self.tr("Show the PIN"))

    def set_revealed(self, shown: bool) -> None:
        self.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self._toggle.setIcon(theme.icon("eye-off" if shown else "eye"))
        self._toggle.setToolTip(self.tr("Hide the PIN") if shown else self.tr("Show the PIN"))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        text = event.text()
        if len(text) == 1 and text.isalpha() and text.lower() != text.upper():
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            caps = text.isupper() != shift
            if caps != self.caps_lock:
                self.caps_lock = caps
                self.caps_lock_changed.emit(caps)
        super().keyPressEvent(event)

    def copy(self) -> bytearray:
        """The PIN as UTF-8 bytes, left in the field (the caller wipes the buffer after use)."""
        return bytearray(self.text().encode("utf-8"))

    def take(self) -> bytearray:
        """The PIN as UTF-8 bytes; the field is cleared (the caller wipes the buffer after use)."""
        pin = self.copy()
        self.clear()
        return pin
