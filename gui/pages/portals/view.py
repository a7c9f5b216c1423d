"""Portal cards by region; each shows the portal name, its login kind, whether it is ready, and 打开."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.context import AppContext
from gui.widgets.labels import icon_label
from gui.widgets.page_header import page_header
from helper import portals

MAX_COLUMNS = 3
TILE_WIDTH = 300  # a column is added for every this many pixels, up to MAX_COLUMNS
KIND_COLOURS = {"ca_key": (theme.ACCENT, theme.ACCENT_LIGHT), "qr_code": ("#0F766E", "#CCFBF1"),
                "password": (theme.MUTED, "#F3F4F6")}
DOT_COLOURS = {None: "#D1D5DB", True: theme.OK, False: theme.WARN}


def _tag_style(login: str) -> str:
    fg, bg = KIND_COLOURS.get(login, KIND_COLOURS["password"])
    return f"color: {fg}; background: {bg}; border-radius: 8px; padding: 1px 8px; font-size: 12px;"


def _dot_style(ready: bool | None) -> str:
    return f"background: {DOT_COLOURS[ready]}; border-radius: 4px;"


class PortalTile(QFrame):
    """One portal: name, address, login kind, readiness (coloured dot + line) and the 打开 button."""

    def __init__(self, portal: portals.Portal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.portal = portal
        self.setToolTip(f"{portal.url}\n{portal.help}".strip())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addLayout(self._heading())
        layout.addStretch(1)
        layout.addLayout(self._status_row())

    def _heading(self) -> QHBoxLayout:
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(icon_label("portal", 34), 0, Qt.AlignmentFlag.AlignTop)
        names = QVBoxLayout()
        names.setSpacing(4)
        self.name = QLabel(self.portal.name)
        self.name.setProperty("data", True)  # the portal's own name, from the portal list
        self.name.setStyleSheet("font-size: 14px; font-weight: bold;")
        self.name.setWordWrap(True)
        names.addWidget(self.name)
        meta = QHBoxLayout()
        meta.setSpacing(8)
        kinds = {"ca_key": self.tr("USB key login"), "qr_code": self.tr("QR code login"),
                 "password": self.tr("Password login")}
        self.kind = QLabel(kinds.get(self.portal.login, self.portal.login))
        self.kind.setStyleSheet(_tag_style(self.portal.login))
        meta.addWidget(self.kind)
        address = QLabel(urlsplit(self.portal.url).hostname or self.portal.url)
        address.setProperty("data", True)
        address.setProperty("muted", True)
        address.setStyleSheet("font-size: 12px;")
        meta.addWidget(address, 1)
        names.addLayout(meta)
        head.addLayout(names, 1)
        return head

    def _status_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.dot = QLabel()
        self.dot.setFixedSize(8, 8)
        self.dot.setStyleSheet(_dot_style(None))
        row.addWidget(self.dot, 0, Qt.AlignmentFlag.AlignVCenter)
        self.status = QLabel(self.tr("Checking…"))
        self.status.setWordWrap(True)
        self.status.setProperty("muted", True)
        row.addWidget(self.status, 1)
        self.button = QPushButton(self.tr("Open"))
        self.button.setToolTip(self.toolTip())
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        return row

    def show_readiness(self, check: portals.Readiness) -> None:
        self.status.setText(self.tr("Ready") if check.ready else check.summary())
        self.status.setStyleSheet(f"color: {theme.OK if check.ready else theme.WARN};")
        self.dot.setStyleSheet(_dot_style(check.ready))
        self.button.setProperty("primary", check.ready)
        self.button.style().unpolish(self.button)
        self.button.style().polish(self.button)


class PortalsPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.tiles: dict[str, PortalTile] = {}
        self.sections: list[tuple[QLabel, list[PortalTile]]] = []
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(10)
        self.columns = 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 26, 32, 20)
        outer.setSpacing(12)
        outer.addLayout(self._header())
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setContentsMargins(0, 4, 8, 4)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)
        self._build()
        app.tokens_changed.connect(lambda *_: self.refresh())
        self.refresh()

    def _header(self) -> QHBoxLayout:
        self.refresh_button = QPushButton(self.tr("Check again"))
        self.refresh_button.clicked.connect(self.refresh)
        return page_header(self.tr("Social insurance portals"),
                           self.tr("Click a portal to open it: your USB key, certificate and login service are "
                                   "checked first."),
                           self.refresh_button)

    def _build(self) -> None:
        by_region: dict[str, list[portals.Portal]] = {}
        for portal in portals.load():
            by_region.setdefault(portal.region, []).append(portal)
        for n, (region, entries) in enumerate(by_region.items()):
            title = QLabel(region)
            title.setProperty("data", True)  # region names come from the portal list
            title.setObjectName("CardTitle")
            title.setContentsMargins(2, 12 if n else 0, 0, 0)
            self.sections.append((title, [self._tile(portal) for portal in entries]))
        self.body_layout.addLayout(self.grid)
        self.body_layout.addStretch(1)
        self._arrange(MAX_COLUMNS)

    def _tile(self, portal: portals.Portal) -> PortalTile:
        tile = PortalTile(portal)
        tile.button.clicked.connect(lambda _=False, p=portal: self.open_portal(p))
        self.tiles[portal.id] = tile
        return tile

    def _arrange(self, columns: int) -> None:
        """Region titles across the page, the tiles below in ``columns`` equal columns (again on resize)."""
        if columns == self.columns:
            return
        self.columns = columns
        row = 0
        for title, tiles in self.sections:
            for widget in (title, *tiles):
                self.grid.removeWidget(widget)
            self.grid.addWidget(title, row, 0, 1, columns)
            for n, tile in enumerate(tiles):
                self.grid.addWidget(tile, row + 1 + n // columns, n % columns)
            row += 2 + (len(tiles) - 1) // columns
        for column in range(MAX_COLUMNS):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        width = event.size().width() - 80  # page margins and the scroll bar
        self._arrange(max(1, min(MAX_COLUMNS, width // TILE_WIDTH)))

    def _check(self, portal: portals.Portal) -> portals.Readiness:
        return portals.check(portal, self.app.keys, portals.service_running)

    def refresh(self) -> None:
        """Re-check every tile off the GUI thread (the keys are read once for all of them)."""
        tiles = list(self.tiles.values())
        job = self.app.jobs.run(portals.check_all, [t.portal for t in tiles], self.app.keys, portals.service_running,
                                owner=self, description="portal readiness")
        job.finished.connect(lambda checks: [t.show_readiness(c) for t, c in zip(tiles, checks, strict=True)])

    def open_portal(self, portal: portals.Portal) -> None:
        job = self.app.jobs.run(lambda: portals.launch(self._check(portal)), owner=self, description=f"open {portal.id}")
        job.finished.connect(lambda _browser: self.refresh())
        job.failed.connect(lambda _exc: self.refresh())
