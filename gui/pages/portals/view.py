"""Tiles by region; each shows the portal name, its login kind and whether it is ready to open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.context import AppContext
from helper import portals

COLUMNS = 3


class PortalTile(QWidget):
    def __init__(self, portal: portals.Portal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.portal = portal
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.button = QPushButton(portal.name)
        self.button.setMinimumSize(220, 56)
        self.button.setToolTip(f"{portal.url}\n{portal.help}")
        self.button.setStyleSheet("font-size: 14px; font-weight: bold; text-align: center;")
        self.button.setProperty("data", True)  # the portal's own name, from the portal list
        self.status = QLabel(self.tr("Checking…"))
        self.status.setWordWrap(True)
        self.status.setProperty("muted", True)
        layout.addWidget(self.button)
        layout.addWidget(self.status)

    def show_readiness(self, check: portals.Readiness) -> None:
        kind = {"ca_key": self.tr("USB key login"), "qr_code": self.tr("QR code login"),
                "password": self.tr("Password login")}.get(self.portal.login, self.portal.login)
        state = self.tr("Ready — click to open") if check.ready else check.summary()
        self.status.setText(f"{kind} · {state}")
        self.status.setStyleSheet("color: #1B7A2C;" if check.ready else "color: #B45309;")


class PortalsPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.tiles: dict[str, PortalTile] = {}
        outer = QVBoxLayout(self)
        title = QLabel(self.tr("Social insurance portals"))
        title.setStyleSheet("font-size: 18px; font-weight: bold;")
        outer.addWidget(title)
        hint = QLabel(self.tr("Insert your USB key, then click a portal. The helper checks the key, the certificate "
                              "and the login service first, and opens the portal in the recommended browser."))
        hint.setWordWrap(True)
        outer.addWidget(hint)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self._build()
        app.tokens_changed.connect(lambda *_: self.refresh())
        self.refresh()

    def _build(self) -> None:
        by_region: dict[str, list[portals.Portal]] = {}
        for portal in portals.load():
            by_region.setdefault(portal.region, []).append(portal)
        for region, entries in by_region.items():
            box = QGroupBox(region)
            box.setProperty("data", True)  # region names come from the portal list
            grid = QGridLayout(box)
            for n, portal in enumerate(entries):
                tile = PortalTile(portal)
                tile.button.clicked.connect(lambda _=False, p=portal: self.open_portal(p))
                grid.addWidget(tile, n // COLUMNS, n % COLUMNS, Qt.AlignmentFlag.AlignTop)
                self.tiles[portal.id] = tile
            self.body_layout.addWidget(box)
        self.body_layout.addStretch(1)

    def _check(self, portal: portals.Portal) -> portals.Readiness:
        return portals.check(portal, self.app.keys, portals.service_running)

    def refresh(self) -> None:
        """Re-check every tile off the GUI thread."""
        for tile in self.tiles.values():
            job = self.app.jobs.run(self._check, tile.portal, description="portal readiness")
            job.finished.connect(tile.show_readiness)

    def open_portal(self, portal: portals.Portal) -> None:
        job = self.app.jobs.run(lambda: portals.launch(self._check(portal)), description=f"open {portal.id}")
        job.finished.connect(lambda _browser: self.refresh())
        job.failed.connect(lambda _exc: self.refresh())
