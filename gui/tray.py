"""The tray icon: open / my certificates / quit, and notifications on key insert/remove."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from gui import theme
from gui.context import AppContext
from gui.shell import MainWindow
from helper.tokens import TokenChange


class Tray(QObject):
    def __init__(self, app: AppContext, window: MainWindow) -> None:
        super().__init__(window)
        self.app = app
        self.window = window
        self.first_change = True
        self.icon = QSystemTrayIcon(theme.icon("app"), self)
        self.icon.setToolTip(self.tr("Certificate Helper"))
        menu = QMenu(window)
        menu.addAction(self.tr("Open"), window.bring_to_front)
        menu.addAction(self.tr("My certificates"), self.show_certificates)
        menu.addSeparator()
        menu.addAction(self.tr("Quit"), self.quit)
        self.menu = menu
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(self._activated)
        app.notified.connect(self.show_message)
        app.tokens_changed.connect(self._tokens_changed)
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        if self.available:
            self.icon.show()

    def show_certificates(self) -> None:
        self.window.bring_to_front()
        self.window.show_page("certificates")

    def quit(self) -> None:
        self.window.quitting = True
        self.window.close()
        QApplication.quit()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.window.bring_to_front()

    def show_message(self, title: str, message: str) -> None:
        if self.available:
            self.icon.showMessage(title, message, theme.icon("app"), 8000)

    def _tokens_changed(self, change: TokenChange) -> None:
        if self.first_change:  # the keys present at start-up are not news
            self.first_change = False
            return
        for token in change.inserted:
            self.app.notify(self.tr("USB key inserted"), token.label)
        for token in change.removed:
            self.app.notify(self.tr("USB key removed"), token.label)
