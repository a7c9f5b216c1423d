"""Run by test_screen_fit.py in a process with QT_SCALE_FACTOR set and a 1366x768 offscreen screen
(the scale factor is read once, when QApplication starts, so each scale needs its own process).

For zh and en: the window opens inside the screen's available geometry, every page's primary buttons lie
inside the visible area (not clipped by a scroll area, the window or the screen), every dialog fits the
available geometry with its buttons visible. Screenshots go to tests/gui/screenshots/<lang>-<scale>-*.png.
"""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QWidget,
)

from gui.dialogs.message import MessageDialog
from gui.dialogs.pin_entry import PinEntryDialog
from gui.pages.portals.consent import ConsentDialog
from gui.shell import PAGES, MainWindow
from helper.login.consent import CertChoice, ConsentRequest
from helper.messages import HelperError
from tests.gui.support import wait_card
from tests.gui.test_screens import SHOTS

SCALE = os.environ.get("QT_SCALE_FACTOR", "1")


def available() -> QRect:
    return QApplication.primaryScreen().availableGeometry()


def outside(widget: QWidget) -> str:
    """'' when the whole window frame of ``widget`` lies inside the available screen area."""
    frame, screen = widget.frameGeometry(), available()
    return "" if screen.contains(frame) else f"{frame.getRect()} not inside {screen.getRect()}"


def clipped(button: QWidget, top: QWidget) -> str:
    """'' when ``button`` is shown and entirely inside ``top`` and every scroll area's viewport around it."""
    if not button.isVisible():
        return "hidden"
    rect = QRect(button.mapTo(top, button.rect().topLeft()), button.size())
    if not top.rect().contains(rect):
        return f"{rect.getRect()} outside the window {top.rect().getRect()}"
    parent = button.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            port = parent.viewport()
            view = QRect(port.mapTo(top, port.rect().topLeft()), port.size())
            if not view.contains(rect):
                return f"{rect.getRect()} scrolled out of {view.getRect()}"
        parent = parent.parentWidget()
    return ""


def primary_buttons(key: str, page: QWidget) -> dict[str, QWidget]:
    """The buttons a clerk must see on each page without scrolling."""
    if key == "certificates":
        card = next(iter(page.cards.values()))
        return {"change PIN": card.change_button, "first view": card.rows[0].view_button}
    if key == "renewal":
        return {"first renew": page.rows[0].button} if page.rows else {"import": page.import_button}
    if key == "signing":  # the 签章 tab's buttons (object names kept stable by the page)
        tab = page.sign_tab
        found = {"sign": tab.findChild(QPushButton, "SignButton")}
        found |= {b.text(): b for b in tab.findChildren(QPushButton) if b.property("primary") and b.isVisible()}
        return found
    if key == "signing-verify":
        return {"verify": page.verify_tab.findChild(QPushButton, "VerifyButton")}
    if key == "portals":
        return {"first open": next(iter(page.tiles.values())).button, "check again": page.refresh_button}
    if key == "diagnostics":
        return {"check": page.run_button}
    if key == "settings":
        return {"language": page.language, "save driver": page.save_module}
    raise AssertionError(key)


def dialog_buttons(dialog: QDialog) -> list[QWidget]:
    return [b for box in dialog.findChildren(QDialogButtonBox) for b in box.buttons() if b.isVisible()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_window_pages_and_dialogs_fit_the_screen(lang, language, ctx, demo_token, qtbot):
    language(lang)
    SHOTS.mkdir(exist_ok=True)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    problems: list[str] = []
    if issue := outside(window):
        problems.append(f"window: {issue}")
    page = window.page("certificates")
    wait_card(qtbot, page, demo_token.serial)
    renewal = window.page("renewal")
    qtbot.waitUntil(lambda: bool(renewal.rows), timeout=15000)
    for spec in PAGES:
        window.show_page(spec.key)
        if spec.key == "portals":  # the tiles' readiness, as the clerk sees it
            tiles = window.pages["portals"].tiles.values()
            qtbot.waitUntil(lambda tiles=tiles: all("…" not in t.status.text() for t in tiles), timeout=15000)
        qtbot.wait(60)
        window.grab().save(str(SHOTS / f"{lang}-{SCALE}-page-{spec.key}.png"))
        for name, button in primary_buttons(spec.key, window.pages[spec.key]).items():
            if issue := clipped(button, window):
                problems.append(f"{spec.key} / {name}: {issue}")
        if spec.key == "signing":
            signing = window.pages["signing"]
            signing.tabs.setCurrentWidget(signing.verify_tab)
            qtbot.wait(60)
            window.grab().save(str(SHOTS / f"{lang}-{SCALE}-page-signing-verify.png"))
            for name, button in primary_buttons("signing-verify", signing).items():
                if issue := clipped(button, window):
                    problems.append(f"signing / {name}: {issue}")
            signing.tabs.setCurrentWidget(signing.sign_tab)

    window.show_page("certificates")
    card = page.cards[demo_token.serial]
    choices = (CertChoice("a", "演示单位有限公司", "张三", "演示CA", "2027-01-01", "演示U盾"),)
    dialogs = {
        "change-pin": page.open_change_pin(demo_token.serial),
        "unblock-pin": page.open_unblock_pin(demo_token.serial),
        "pin-entry": PinEntryDialog(ctx, demo_token.serial, "https://si.example.gov.cn"),
        "cert-details": page.open_details(card.rows[0].entry),
        "message": MessageDialog.for_exception(HelperError("PIN_LOCKED"), window),
        "approve-site": ConsentDialog(ConsentRequest("approve_origin", "https://si.example.gov.cn"), window),
        "consent-sign": ConsentDialog(ConsentRequest("sign_pdf", "https://si.example.gov.cn", "社保网报",
                                                     choices, file_name="名册.pdf", pages=2,
                                                     preview_png=_preview_png()), window),
    }
    for name, dialog in dialogs.items():
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.wait(30)
        dialog.grab().save(str(SHOTS / f"{lang}-{SCALE}-dialog-{name}.png"))
        if issue := outside(dialog):
            problems.append(f"dialog {name}: {issue}")
        for button in dialog_buttons(dialog):
            if issue := clipped(button, dialog):
                problems.append(f"dialog {name} / {button.text()}: {issue}")
        dialog.close()
    assert not problems, "\n".join(problems)


def _preview_png() -> bytes:
    """A portrait A4-shaped page picture like the one the service sends with an e-seal request."""
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(595, 842, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())
