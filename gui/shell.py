"""The main window: left navigation, page stack, busy bar. Pages are registered in ``PAGES``.

A page is the package ``gui/pages/<key>`` exposing ``create_page(app: AppContext) -> QWidget``.
Pages are created when first shown. While a package does not exist yet, the shell shows an honest
"not available yet" page instead (only a ModuleNotFoundError for that very package is tolerated;
any other import error is a bug and propagates).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.context import AppContext
from gui.pages.placeholder import PlaceholderPage
from gui.widgets import screen_fit
from gui.widgets.labels import icon_label
from gui.widgets.page_header import COMPACT_MARGINS, PAGE_MARGINS
from helper import settings

log = logging.getLogger(__name__)

PREFERRED_SIZE = QSize(1100, 720)
MINIMUM_SIZE = QSize(640, 420)  # bounded by the screen: 1366x768 at 150 % leaves 911x512
COMPACT_BELOW = QSize(1000, 640)  # smaller windows get a narrower navigation bar and page margins
NAV_WIDTH, COMPACT_NAV_WIDTH = 200, 164


@dataclass(frozen=True)
class PageSpec:
    key: str
    icon: str

    @property
    def module(self) -> str:
        return f"gui.pages.{self.key}"

    @property
    def title(self) -> str:
        return page_titles().get(self.key, self.key)


PAGES: list[PageSpec] = [
    PageSpec("certificates", "nav-certificates"),
    PageSpec("renewal", "nav-renewal"),
    PageSpec("signing", "nav-signing"),
    PageSpec("portals", "nav-portals"),
    PageSpec("diagnostics", "nav-diagnostics"),
    PageSpec("settings", "nav-settings"),
]


def page_titles() -> dict[str, str]:
    return {
        "certificates": QCoreApplication.translate("Shell", "My certificates"),
        "renewal": QCoreApplication.translate("Shell", "Renewal"),
        "signing": QCoreApplication.translate("Shell", "E-signing"),
        "portals": QCoreApplication.translate("Shell", "Portals"),
        "diagnostics": QCoreApplication.translate("Shell", "Diagnostics"),
        "settings": QCoreApplication.translate("Shell", "Settings"),
    }


def create_page(spec: PageSpec, app: AppContext) -> QWidget:
    """The page for ``spec``, or the placeholder while its package does not exist yet."""
    try:
        module = importlib.import_module(spec.module)
    except ModuleNotFoundError as exc:
        if exc.name != spec.module:
            raise
        return PlaceholderPage(spec.title)
    return module.create_page(app)


class MainWindow(QMainWindow):
    """Navigation on the left, the current page on the right."""

    def __init__(self, app: AppContext) -> None:
        super().__init__()
        self.app = app
        app.dialog_parent = self
        self.setWindowTitle(self.tr("Certificate Helper"))
        self.setMinimumSize(screen_fit.bounded(MINIMUM_SIZE, self))
        self.pages: dict[str, QWidget] = {}
        self.quitting = False

        root = QWidget()
        row = QHBoxLayout(root)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._nav_bar())
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedHeight(3)
        keep_room = self.busy_bar.sizePolicy()
        keep_room.setRetainSizeWhenHidden(True)  # the page does not move when the bar comes and goes
        self.busy_bar.setSizePolicy(keep_room)
        self.busy_bar.setVisible(False)
        right.addWidget(self.busy_bar)
        self.stack = QStackedWidget()
        right.addWidget(self.stack, 1)
        row.addLayout(right, 1)
        self.setCentralWidget(root)

        app.jobs.busy_changed.connect(self.busy_bar.setVisible)
        app.navigate_requested.connect(self.show_page)
        for n, spec in enumerate(PAGES, 1):
            QShortcut(QKeySequence(f"Ctrl+{n}"), self, activated=lambda key=spec.key: self.show_page(key))
        self._restore_geometry()
        self.show_page("certificates")

    def _nav_bar(self) -> QWidget:
        bar = QWidget()
        bar.setObjectName("NavBar")
        bar.setFixedWidth(NAV_WIDTH)
        self.nav_bar = bar
        layout = QVBoxLayout(bar)
        layout.setContentsMargins(0, 18, 0, 12)
        head = QHBoxLayout()
        head.setContentsMargins(18, 0, 12, 12)
        head.addWidget(icon_label("app", 30))
        title = QLabel(self.tr("Certificate Helper"))
        title.setObjectName("NavTitle")
        title.setWordWrap(True)  # "Certificate Helper" takes two lines in the narrow navigation bar
        head.addWidget(title, 1)
        layout.addLayout(head)
        self.nav = QListWidget()
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for spec in PAGES:
            item = QListWidgetItem(theme.icon(spec.icon), spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(lambda row: self.show_page(PAGES[row].key))
        layout.addWidget(self.nav, 1)
        self.version = QLabel()
        self.version.setProperty("muted", True)
        self.version.setContentsMargins(20, 0, 0, 0)
        layout.addWidget(self.version)
        # importlib.metadata is slow to import: fill the version in once the window is up
        QTimer.singleShot(800, self.version, lambda: self.version.setText(self.tr("Version %1").replace("%1", _version())))
        return bar

    def page(self, key: str) -> QWidget:
        """The page widget for ``key`` (created on first use)."""
        if key not in self.pages:
            spec = next(s for s in PAGES if s.key == key)
            try:
                widget = create_page(spec, self.app)
            except Exception:
                log.exception("page %s failed to open", key)
                widget = PlaceholderPage(spec.title)
            self.pages[key] = widget
            self.stack.addWidget(widget)
            self._fit_page(widget)
        return self.pages[key]

    def show_page(self, key: str) -> None:
        widget = self.page(key)
        self.stack.setCurrentWidget(widget)
        row = next(i for i, s in enumerate(PAGES) if s.key == key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)

    def current_key(self) -> str:
        return PAGES[self.nav.currentRow()].key

    # --- window state -------------------------------------------------------------------------
    def _settings(self) -> QSettings:
        return QSettings(str(settings.config_dir() / "window.ini"), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        """The saved geometry, or the preferred size centred; either way inside the screen's available area
        (a geometry saved on a bigger screen or at another scaling is shrunk and moved)."""
        saved = self._settings().value("geometry")
        if isinstance(saved, QByteArray) and self.restoreGeometry(saved):
            self.setWindowState(self.windowState() & ~Qt.WindowState.WindowFullScreen)
        else:
            self.resize(screen_fit.bounded(PREFERRED_SIZE, self))
            area, frame = screen_fit.available(self), screen_fit.frame_margins(self)
            outer = self.size().grownBy(frame)
            self.move(area.left() + (area.width() - outer.width()) // 2,
                      area.top() + (area.height() - outer.height()) // 2)
        screen_fit.keep_on_screen(self)

    @property
    def compact(self) -> bool:
        return self.width() < COMPACT_BELOW.width() or self.height() < COMPACT_BELOW.height()

    def _fit_page(self, widget: QWidget) -> None:
        """Page margins (and the navigation width) follow the window size: small screens keep the room for
        the content and the buttons."""
        layout = widget.layout()
        if layout is not None:
            layout.setContentsMargins(*(COMPACT_MARGINS if self.compact else PAGE_MARGINS))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        self.nav_bar.setFixedWidth(COMPACT_NAV_WIDTH if self.compact else NAV_WIDTH)
        for widget in self.pages.values():
            self._fit_page(widget)
        super().resizeEvent(event)

    def save_geometry(self) -> None:
        store = self._settings()
        store.setValue("geometry", self.saveGeometry())
        store.sync()

    def bring_to_front(self) -> None:
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_geometry()
        if not self.quitting and getattr(self.app, "keep_in_tray", False):
            event.ignore()
            self.hide()
            return
        super().closeEvent(event)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cahelper")
    except PackageNotFoundError:
        return "dev"
