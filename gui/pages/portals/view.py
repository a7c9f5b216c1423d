"""Portal cards by region; each shows the portal name, its login kind, whether it is ready, and 打开."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, Qt
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
from helper import browsers, messages, portals

MAX_COLUMNS = 3
TILE_WIDTH = 300  # a column is added for every this many pixels, up to MAX_COLUMNS
KIND_COLOURS = {"ca_key": (theme.ACCENT, theme.ACCENT_LIGHT), "qr_code": ("#0F766E", "#CCFBF1"),
                "password": (theme.MUTED, "#F3F4F6")}
DOT_COLOURS = {None: "#D1D5DB", True: theme.OK, False: theme.WARN, "external": theme.ACCENT}


def _tag_style(login: str) -> str:
    fg, bg = KIND_COLOURS.get(login, KIND_COLOURS["password"])
    return f"color: {fg}; background: {bg}; border-radius: 8px; padding: 1px 8px; font-size: 12px;"


def _dot_style(ready: bool | str | None) -> str:
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
        """已就绪 only when everything the login needs is there; a CA login client the helper cannot check is
        named (blue), problems the helper found are listed (orange)."""
        self.check = check
        if check.ready:
            text, colour, dot = self.tr("Ready"), theme.OK, True
        elif check.launchable:
            text = self.tr("Key and certificate OK. %1").replace("%1", check.external.title)
            colour, dot = theme.ACCENT, "external"
        else:
            text, colour, dot = check.summary(), theme.WARN, False
        self._status(text, colour, dot)
        self.button.setEnabled(True)
        self.button.setProperty("primary", check.launchable)
        self.button.style().unpolish(self.button)
        self.button.style().polish(self.button)

    def show_opening(self, browser: str) -> None:
        self.button.setEnabled(False)
        self._status(self.tr("Opening in %1…").replace("%1", browser), theme.ACCENT, None)

    def show_opened(self, browser: str) -> None:
        self.button.setEnabled(True)
        text = self.tr("Opened in %1.").replace("%1", browser)
        external = getattr(self, "check", None) and self.check.external
        if external:
            text += " " + external.remedy[1]
        self._status(text, theme.OK, True)

    def show_failure(self, title: str) -> None:
        self.button.setEnabled(True)
        self._status(title, theme.BAD, False)

    def _status(self, text: str, colour: str, dot: bool | str | None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};")
        self.dot.setStyleSheet(_dot_style(dot))


class ServiceBanner(QFrame):
    """Shown while the local service could not start: why (the catalogue's words) and 重试."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setObjectName("Banner")
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 10, 14, 10)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setProperty("data", True)  # catalogue text with this computer's port and program names
        row.addWidget(self.text, 1)
        self.retry = QPushButton(self.tr("Retry"))
        self.retry.setProperty("primary", True)
        self.retry.clicked.connect(self._retry)
        row.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignVCenter)
        app.service_changed.connect(self.update_state)
        self.update_state()

    def update_state(self) -> None:
        error = self.app.service_error if self.app.service is None else None
        if error is not None:
            message = messages.describe(error)
            steps = "<br>".join(f"{n}. {step}" for n, step in enumerate(message.remedy, 1))
            self.text.setText(f"<b>{message.title}</b><br>{message.explanation}<br>{steps}")
        self.retry.setEnabled(True)
        self.setVisible(error is not None)

    def _retry(self) -> None:
        self.retry.setEnabled(False)
        self.text.setText(self.tr("Starting the login service…"))
        self.app.start_service()


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
        self.service_banner = ServiceBanner(app)
        outer.addWidget(self.service_banner)
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
        app.service_changed.connect(self.refresh)
        app.certificates_changed.connect(lambda *_: self.refresh())
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
        """Check, then open in the recommended browser: the tile says "正在用 … 打开…", then the result or
        why not (the reason also in the shared message dialog)."""
        tile = self.tiles[portal.id]
        tile.show_opening(browser_name(portal.browser))
        job = self.app.jobs.run(lambda: portals.launch(self._check(portal)), owner=self, description=f"open {portal.id}")
        job.finished.connect(lambda browser: tile.show_opened(browser_name(browser)))
        job.failed.connect(lambda exc: self._open_failed(tile, exc))

    def _open_failed(self, tile: PortalTile, exc: BaseException) -> None:
        tile.show_failure(messages.describe(exc).title)
        self.app.show_error(exc, self)


def browser_name(key_or_name: str) -> str:
    """"Google Chrome" for "chrome"; the system default browser in words; other names as they are."""
    if key_or_name == "default":
        return QCoreApplication.translate("PortalTile", "the default browser")
    return browsers.KNOWN.get(key_or_name, (key_or_name,))[0]
