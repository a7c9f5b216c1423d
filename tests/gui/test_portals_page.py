"""The 社保网报 page and the consent dialog the GUI shows for the local service."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox, QLabel

from gui.pages.portals.consent import ConsentDialog, QtConsentUI
from gui.pages.portals.view import PortalsPage
from helper.login.consent import CertChoice, ConsentRequest

SHOTS = Path(__file__).parent / "screenshots"
CHOICES = (CertChoice("aaaa", "石家庄示例科技有限公司", "张三", "示例CA", "2027-01-01", "U盾"),
           CertChoice("bbbb", "石家庄示例科技有限公司", "张三", "示例CA", "2027-06-01", "U盾"))


def test_portals_page_tiles_by_region(ctx, qtbot):
    from helper import portals
    from helper.demo.sites import register_demo_portals

    register_demo_portals()  # as ./dev demo does in the demo's home
    page = PortalsPage(ctx)
    qtbot.addWidget(page)
    page.resize(960, 720)
    page.show()
    qtbot.waitUntil(lambda: all("…" not in t.status.text() for t in page.tiles.values()), timeout=15000)
    assert page.tiles["sjz-rsj"].name.text() == "石家庄人社局网报"
    assert page.tiles["sjz-rsj"].button.text() == "打开"
    assert "已就绪" in page.tiles["hlj-rst"].status.text()  # QR login needs no key
    assert "网站登录服务没有运行" in page.tiles["demo"].status.text()  # nothing serves the test's port
    SHOTS.mkdir(exist_ok=True)
    page.grab().save(str(SHOTS / "zh-page-portals.png"))
    portals.user_path().unlink()


def test_consent_dialog_returns_choice_and_pin(ctx, qtbot):
    request = ConsentRequest("authenticate", "https://portal.example", "演示网站", CHOICES, "bbbb")
    dialog = ConsentDialog(request)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.certs.currentData() == "bbbb"
    dialog.pin.setText("123456")
    dialog.grab().save(str(SHOTS / "zh-dialog-consent.png"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    answer = dialog.answer()
    assert answer.approved and answer.certificate_id == "bbbb" and bytes(answer.pin) == b"123456"
    assert dialog.pin.text() == ""


def test_qt_consent_ui_from_the_service_thread_and_cancel(ctx, qtbot):
    ui = QtConsentUI(ctx)
    answers = []
    worker = threading.Thread(target=lambda: answers.append(
        ui.ask(ConsentRequest("approve_origin", "https://portal.example"))))
    worker.start()
    qtbot.waitUntil(lambda: ui._dialog is not None and ui._dialog.isVisible(), timeout=20000)
    assert ui._dialog.findChild(QLabel, "origin").text() == "https://portal.example"
    ui.cancel()  # the service gave up waiting
    qtbot.waitUntil(lambda: bool(answers), timeout=20000)
    worker.join(5)
    assert answers[0].approved is False
