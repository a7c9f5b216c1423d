"""Words for a key's PIN state, straight from the token flags (no retry counts exist in PKCS#11). COUNT_LOW
means a wrong PIN was entered since the last correct one (PKCS#11 2.40), which some keys set after one typo:
its words warn without alarm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from helper.tokens import PinState


def user_pin_text(state: PinState) -> tuple[str, str]:
    """(text, level) for the user PIN; level is "ok", "warn" or "bad"."""
    summary = state.summary
    if summary == "locked":
        return QCoreApplication.translate("PinState", "PIN locked: unblock it with the administrator PIN"), "bad"
    if summary == "final_try":
        return QCoreApplication.translate("PinState", "Last chance: one more wrong PIN locks the key"), "bad"
    if summary == "count_low":
        return QCoreApplication.translate("PinState", "A wrong PIN was entered before: type it carefully"), "warn"
    if summary == "to_be_changed":
        return QCoreApplication.translate("PinState", "The PIN must be changed before use"), "warn"
    if summary == "uninitialized":
        return QCoreApplication.translate("PinState", "No PIN set on this key"), "warn"
    return QCoreApplication.translate("PinState", "PIN normal"), "ok"


def so_pin_text(state: PinState) -> tuple[str, str]:
    """(text, level) for the administrator (SO) PIN."""
    if state.so_locked:
        return QCoreApplication.translate("PinState", "Administrator PIN locked: only your CA can help now"), "bad"
    if state.so_final_try:
        return QCoreApplication.translate("PinState", "Last chance for the administrator PIN: one more mistake locks it"), "bad"
    if state.so_count_low:
        return QCoreApplication.translate("PinState", "A wrong administrator PIN was entered before: type it carefully"), "warn"
    return "", "ok"


def style(level: str) -> str:
    from gui import theme

    fg = {"ok": theme.OK, "warn": theme.WARN, "bad": theme.BAD}[level]
    return f"color: {fg}; font-weight: bold;"
