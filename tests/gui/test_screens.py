"""Every page and dialog, in zh_CN and en: rendered to tests/gui/screenshots/, and no text left untranslated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTabWidget,
    QWidget,
)

from gui.dialogs.message import MessageDialog
from gui.dialogs.pin_change import ChangePinDialog, UnblockPinDialog
from gui.dialogs.pin_entry import PinEntryDialog
from gui.shell import PAGES, MainWindow
from helper.messages import HelperError
from tests.gui.support import wait_card

SHOTS = Path(__file__).parent / "screenshots"
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Terms a Chinese UI keeps in Latin letters.
KEPT = {"USB", "PKCS", "SHA", "CRL", "CA", "dll", "so", "dylib", "cer", "HTML"}


def visible_texts(root: QWidget) -> list[str]:
    """Texts a user sees in ``root`` (widgets marked as showing data from the key are skipped)."""
    out: list[str] = [root.windowTitle()] if root.isWindow() else []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root or widget.property("data"):
            continue
        if isinstance(widget, QLabel):
            out.append(re.sub(r"<[^>]+>", " ", widget.text()))
        elif isinstance(widget, QAbstractButton):
            out.append(widget.text())
        elif isinstance(widget, QGroupBox):
            out.append(widget.title())
        elif isinstance(widget, QLineEdit):
            out.append(widget.placeholderText())
        elif isinstance(widget, QListWidget):
            out += [widget.item(i).text() for i in range(widget.count())]
        elif isinstance(widget, QTabWidget):
            out += [widget.tabText(i) for i in range(widget.count())]
    return [t for t in out if t.strip()]


QUOTED = re.compile(r"“[^”]*”")  # a name quoted in an English sentence (a CA's own program) stays as it is


def wrong_language(texts: list[str], lang: str) -> list[str]:
    if lang == "zh":
        return [t for t in texts if any(w not in KEPT for w in ENGLISH_WORD.findall(t.replace("&", "")))]
    return [t for t in texts if CJK.search(QUOTED.sub("", t))]


def shoot(widget: QWidget, name: str, lang: str, qtbot) -> None:
    qtbot.wait(30)
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 100 and image.height() > 100, name
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 8, f"{name} rendered empty"
    SHOTS.mkdir(exist_ok=True)
    image.save(str(SHOTS / f"{lang}-{name}.png"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_and_dialog_renders_in_its_language(lang, language, ctx, demo_token, qtbot):
    language(lang)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1000, 680)
    window.show()
    page = window.page("certificates")
    card = wait_card(qtbot, page, demo_token.serial)
    problems: dict[str, list[str]] = {}
    for spec in PAGES:
        window.show_page(spec.key)
        assert window.stack.currentWidget() is window.pages[spec.key]
        shoot(window, f"page-{spec.key}", lang, qtbot)
        problems[spec.key] = wrong_language(visible_texts(window), lang)
    window.show_page("certificates")

    dialogs = {
        "change-pin": page.open_change_pin(demo_token.serial),
        "unblock-pin": page.open_unblock_pin(demo_token.serial),
        "pin-entry": PinEntryDialog(ctx, demo_token.serial, "https://si.example.gov.cn"),
        "cert-details": page.open_details(card.rows[0].entry),
        "message": MessageDialog.for_exception(HelperError("PIN_LOCKED")),
    }
    dialogs["change-pin"].new.setText("111111")
    for name, dialog in dialogs.items():
        dialog.show()
        shoot(dialog, f"dialog-{name}", lang, qtbot)
        problems[name] = wrong_language(visible_texts(dialog), lang)
        if name == "cert-details":
            dialog.tabs.setCurrentIndex(1)
            shoot(dialog, "dialog-cert-chain", lang, qtbot)
            problems["cert-chain"] = wrong_language(visible_texts(dialog), lang)
        dialog.close()
    assert isinstance(dialogs["unblock-pin"], UnblockPinDialog)
    assert isinstance(dialogs["change-pin"], ChangePinDialog)
    assert {k: v for k, v in problems.items() if v} == {}


def test_empty_state_screenshot(language, qapp, qtbot, tmp_path):
    """No key at all: a TokenService over no module shows the friendly empty page."""
    from gui.context import AppContext
    from tokenio.worker import TokenService

    service = TokenService((), use_registry=False)
    ctx = AppContext(service)
    ctx.start_watching(interval=0.2)
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.resize(1000, 680)
        window.show()
        page = window.page("certificates")
        qtbot.waitUntil(lambda: page.empty is not None and page.stack.currentWidget() is page.empty)
        shoot(window, "page-certificates-empty", "zh", qtbot)
        assert wrong_language(visible_texts(window), "zh") == []
    finally:
        ctx.shutdown()
        service.shutdown()
