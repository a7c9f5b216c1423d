"""`cahelper-gui`: start the window (one per user), the tray icon and hot-plug watching.

Options: ``--minimized`` (start in the tray, used by autostart), ``--page KEY`` (open a page),
``--screenshot DIR`` (render every page to DIR/<key>.png once the keys are read, then quit),
``--exit-after first-paint|certificates`` (quit at that point; used by bench/bench_gui.py).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cahelper-gui")
    parser.add_argument("--minimized", action="store_true")
    parser.add_argument("--page", default="certificates")
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--exit-after", choices=("first-paint", "certificates"))
    parser.add_argument("--sign", nargs="+", default=[], metavar="PDF",
                        help="open these PDFs on the 电子签章 page (Explorer: 使用数字证书助手签章)")
    return parser.parse_args(argv)


class _FirstPaint(QObject):
    """Calls ``then`` once the window has painted for the first time."""

    def __init__(self, then) -> None:
        super().__init__()
        self.then = then

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint and self.then is not None:
            then, self.then = self.then, None
            QTimer.singleShot(0, then)
        return False


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    qt = QApplication.instance() or QApplication(sys.argv[:1])
    qt.setApplicationName("cahelper")
    qt.setOrganizationName("cahelper")
    qt.setQuitOnLastWindowClosed(False)

    unattended = bool(args.screenshot or args.exit_after)
    if not unattended:
        from gui import single_instance

        if single_instance.signal_running(sign=tuple(str(Path(p).resolve()) for p in args.sign)):
            return 0

    from gui import i18n, theme
    from helper import settings as settings_mod

    conf = settings_mod.load()
    theme.apply(qt)
    i18n.install(qt, conf.language)

    from gui.context import AppContext
    from gui.shell import MainWindow

    context = AppContext(_make_service, settings=conf)
    window = MainWindow(context)
    window.show_page("signing" if args.sign else args.page)
    if args.sign:
        _open_for_signing(window, args.sign)
    server = None if unattended else single_instance.InstanceServer(qt)
    tray = None
    if not unattended:
        from gui.tray import Tray

        tray = Tray(context, window)
        context.keep_in_tray = tray.available
        server.raise_requested.connect(window.bring_to_front)
        server.sign_requested.connect(lambda files: _open_for_signing(window, files))
        context.first_scan_done.connect(lambda: _recover_renewals(context, window))
        context.first_scan_done.connect(lambda: _start_local_service(context))
    qt.lastWindowClosed.connect(lambda: None if context.keep_in_tray else qt.quit())
    window.destroyed.connect(qt.quit)

    # the token stack is imported and scanned on a worker thread once the window has painted
    paint = _FirstPaint(context.start_watching)
    window.installEventFilter(paint)
    if args.exit_after == "first-paint":
        paint.then = qt.quit
    elif args.exit_after == "certificates" or args.screenshot:
        _when_certificates_listed(window, lambda: _finish(qt, window, args.screenshot))
    if not (args.minimized and tray is not None and tray.available):
        window.show()
    if args.exit_after == "first-paint":
        window.repaint()
    code = qt.exec()
    context.shutdown()
    return code


def _open_for_signing(window, files) -> None:
    """Show 电子签章 with ``files`` in its list (nothing is signed until the clerk clicks 签章)."""
    window.show_page("signing")
    window.page("signing").sign_tab.add_files([Path(f) for f in files])


def _make_service():
    from helper.keys import make_service

    return make_service()


def _start_local_service(context) -> None:
    """The 127.0.0.1 service that portals ask for login tokens and e-seals runs while the window does
    (社保网报 says why when it could not start, and offers 重试)."""
    context.start_service()


def _recover_renewals(context, window) -> None:
    """Finish or roll back renewals an interruption left half done, then re-read the certificate list."""
    from gui.pages.renewal.recovery import offer_recovery

    offer_recovery(context, window.page("certificates").refresh)


def _when_certificates_listed(window, then) -> None:
    """Poll (cheaply, on the GUI thread) until every card shows its certificates."""
    page = window.page("certificates")
    timer = QTimer(window)

    def check() -> None:
        if page.cards and all(card.rows or not card.loading.isVisible() for card in page.cards.values()):
            timer.stop()
            then()

    timer.timeout.connect(check)
    timer.start(5)
    QTimer.singleShot(15000, lambda: (timer.stop(), then()) if timer.isActive() else None)


def _finish(qt: QApplication, window, folder: Path | None) -> None:
    if folder is not None:
        from gui.shell import PAGES

        folder.mkdir(parents=True, exist_ok=True)
        for spec in PAGES:
            window.show_page(spec.key)
            qt.processEvents()
            window.grab().save(str(folder / f"{spec.key}.png"))
    window.quitting = True
    qt.quit()


if __name__ == "__main__":
    sys.exit(main())
