"""The 社保网报 page and the consent dialog the GUI shows for the local service."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from gui.pages.portals.consent import ConsentDialog, QtConsentUI
from gui.pages.portals.view import PortalsPage
from helper import portals
from helper.login.consent import CertChoice, ConsentRequest

SHOTS = Path(__file__).parent / "screenshots"
CHOICES = (CertChoice("aaaa", "石家庄示例科技有限公司", "张三", "示例CA", "2027-01-01", "U盾"),
           CertChoice("bbbb", "石家庄示例科技有限公司", "张三", "示例CA", "2027-06-01", "U盾"))


def test_portals_page_tiles_by_region(ctx, qtbot, service_port):
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
    assert "网站登录服务没有运行" in page.tiles["demo"].status.text()  # nothing serves the test's free port
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


def _settled(page):
    return all("…" not in t.status.text() for t in page.tiles.values())


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def service_port(ctx):
    """A free port for the local service (nothing listens there), the usual one restored afterwards."""
    usual = ctx.settings.service_port
    ctx.update_settings(service_port=_free_port())
    yield ctx.settings.service_port
    ctx.stop_service()
    ctx.update_settings(service_port=usual)
    portals.user_path().unlink(missing_ok=True)


def test_ca_control_portal_never_says_ready(ctx, qtbot):
    page = PortalsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: _settled(page), timeout=15000)
    tile = page.tiles["sjz-rsj"]
    assert "已就绪" not in tile.status.text()
    assert "河北CA数字证书助手" in tile.status.text() and "不由本助手提供" in tile.status.text()
    assert tile.button.property("primary")  # opening the site is still the next step


def test_open_that_cannot_proceed_says_why_in_the_window(ctx, qtbot, service_port):
    portals.user_path().parent.mkdir(parents=True, exist_ok=True)
    portals.user_path().write_text('[[portal]]\nid = "own"\nname = "用本助手登录的网站"\nregion = "测试"\n'
                                   'url = "https://own.example.gov.cn/"\nbrowser = "chrome"\nneeds_service = true\n', "utf-8")
    page = PortalsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: _settled(page), timeout=15000)
    tile = page.tiles["own"]
    tile.button.click()
    assert tile.status.text() == "正在用 Google Chrome 打开…"
    qtbot.waitUntil(lambda: ctx.last_message is not None and ctx.last_message.isVisible(), timeout=15000)
    assert ctx.last_message.message.code == "PORTAL_NOT_READY"
    assert tile.status.text() == "打开“用本助手登录的网站”前还有问题需要处理" and tile.button.isEnabled()


def test_open_shows_progress_then_the_browser_used(ctx, qtbot, tmp_path, monkeypatch):
    log = tmp_path / "chrome.log"
    script = tmp_path / "google-chrome"
    script.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'w').write(sys.argv[1])\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    page = PortalsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: _settled(page), timeout=15000)
    tile = page.tiles["hlj-rst"]
    tile.button.click()
    assert tile.status.text() == "正在用 Google Chrome 打开…" and not tile.button.isEnabled()
    qtbot.waitUntil(lambda: tile.status.text().startswith("已用 Google Chrome 打开"), timeout=60000)
    # the stand-in browser is a Python script: on a busy machine it may take a while to start
    qtbot.waitUntil(lambda: log.exists() and log.read_text() == "http://111.41.62.151:31000/sever", timeout=60000)
    assert tile.button.isEnabled()


def test_service_that_cannot_start_says_why_and_retries(ctx, qtbot, service_port):
    import socket

    squatter = socket.socket()
    squatter.bind(("127.0.0.1", service_port))
    squatter.listen()
    try:
        assert ctx.start_service() is None
        assert ctx.service_error.code == "SERVICE_PORT_BUSY"
        page = PortalsPage(ctx)
        qtbot.addWidget(page)
        page.show()
        assert page.service_banner.isVisible() and str(service_port) in page.service_banner.text.text()
    finally:
        squatter.close()
    page.service_banner.retry.click()
    assert ctx.service is not None and ctx.service.port == service_port
    assert not page.service_banner.isVisible()
    assert portals.service_running(service_port)


def test_the_service_belongs_to_its_context_and_restarts_at_once(ctx, qtbot, service_port):
    first = ctx.start_service()
    assert first is not None and ctx.start_service() is first  # started once per application
    assert portals.service_running(service_port)  # a connection leaves the port in TIME_WAIT
    ctx.stop_service()
    assert ctx.service is None and not portals.service_running(service_port)
    again = ctx.start_service()
    assert again is not None and again is not first, ctx.service_error
    assert portals.service_running(service_port)


def test_site_approval_defaults_to_the_safe_choice(ctx, qtbot):
    from PySide6.QtCore import Qt

    dialog = ConsentDialog(ConsentRequest("approve_origin", "https://portal.example"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    allow = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    deny = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert deny.isDefault() and not allow.isDefault() and deny.text() == "不允许"
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Rejected and dialog.answer().approved is False
