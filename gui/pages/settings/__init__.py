"""设置: language, start at login, expiry reminder, extra driver, log folder, support contacts."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext


def create_page(app: AppContext) -> QWidget:
    from gui.pages.settings.view import SettingsPage

    return SettingsPage(app)
