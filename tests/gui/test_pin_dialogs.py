"""PIN change/unblock/entry dialogs on real tokens (SoftHSM; opencryptoki for real lock states)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from shiboken6 import isValid

from gui.context import AppContext
from gui.dialogs.message import MessageDialog
from gui.dialogs.pin_change import UnblockPinDialog
from gui.dialogs.pin_entry import PinEntryDialog
from gui.pages.certificates.view import CertificatesPage
from helper.demo import softhsm
from tests.gui.support import wait_card
from tests.support import OCK_SO_PIN, OCK_USER_PIN, pin
from tokenio.errors import PinIncorrect
from tokenio.worker import TokenService

NEW_PIN = "Zq8#kd27"


def fill(dialog, first: str, new: str, repeat: str, qtbot) -> None:
    dialog.first.setText(first)
    dialog.new.setText(new)
    dialog.repeat.setText(repeat)


def submit_with_enter(dialog, qtbot) -> None:
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)


def closed(dialog) -> bool:
    return not isValid(dialog) or not dialog.isVisible()


def logs_in(service: TokenService, serial: str, value: str) -> bool:
    try:
        service.open_session(serial, pin(value)).close()
        return True
    except PinIncorrect:
        return False


@pytest.fixture()
def fresh(make_token, page, qtbot):
    token = make_token(keys=(("ec-p256", "sign"),))
    wait_card(qtbot, page, token.serial)
    return token


def test_change_pin_really_changes_it(page, ctx, fresh, token_service, qtbot):
    dialog = page.open_change_pin(fresh.serial)
    fill(dialog, fresh.pin, NEW_PIN, NEW_PIN, qtbot)
    assert dialog.ok.isEnabled() and "符合要求" in dialog.feedback.text()
    started = []
    ctx.jobs.job_started.connect(lambda job: started.append(job.fn))
    submit_with_enter(dialog, qtbot)
    submit_with_enter(dialog, qtbot)  # a second Enter while busy does nothing
    qtbot.waitUntil(lambda: isinstance(ctx.last_message, MessageDialog), timeout=20000)
    assert ctx.last_message.message.code == "GUI_PIN_CHANGED"
    assert started.count(ctx.keys.change_pin) == 1
    assert closed(dialog)
    assert logs_in(token_service, fresh.serial, NEW_PIN)
    assert not logs_in(token_service, fresh.serial, fresh.pin)


def test_wrong_old_pin_is_explained(page, ctx, fresh, qtbot):
    dialog = page.open_change_pin(fresh.serial)
    fill(dialog, "Wr0ng-pin", NEW_PIN, NEW_PIN, qtbot)
    submit_with_enter(dialog, qtbot)
    qtbot.waitUntil(lambda: isinstance(ctx.last_message, MessageDialog), timeout=20000)
    message = ctx.last_message.message
    assert message.code.startswith("PIN_INCORRECT")
    assert "口令不正确" in message.title and message.remedy
    assert dialog.isVisible() and dialog.first.text() == ""  # the clerk can try again, nothing retried
    assert dialog.new.text() == NEW_PIN and dialog.repeat.text() == NEW_PIN  # only the wrong PIN is retyped
    assert dialog.first.hasFocus() or not dialog.isActiveWindow()
    dialog.reject()
    assert dialog.new.text() == dialog.repeat.text() == ""


def test_weak_new_pin_is_refused_before_any_token_call(page, ctx, fresh, qtbot):
    dialog = page.open_change_pin(fresh.serial)
    started = []
    ctx.jobs.job_started.connect(started.append)
    fill(dialog, fresh.pin, "111111", "111111", qtbot)
    assert not dialog.ok.isEnabled()
    assert "过于简单" in dialog.feedback.text() or "容易" in dialog.feedback.text()
    submit_with_enter(dialog, qtbot)
    fill(dialog, fresh.pin, NEW_PIN, NEW_PIN + "x", qtbot)
    assert "不一致" in dialog.feedback.text()
    submit_with_enter(dialog, qtbot)
    fill(dialog, fresh.pin, fresh.pin, fresh.pin, qtbot)
    assert not dialog.ok.isEnabled()
    qtbot.wait(100)
    assert started == []


def test_removing_the_key_closes_the_dialog(page, ctx, fresh, softhsm_conf, tmp_path, qtbot):
    dialog = page.open_change_pin(fresh.serial)
    stashed = softhsm.unplug(softhsm_conf, fresh.serial, tmp_path)
    try:
        qtbot.waitUntil(lambda: closed(dialog), timeout=15000)
        assert ctx.last_message.message.code == "GUI_KEY_REMOVED"
        assert fresh.label in ctx.last_message.message.explanation
    finally:
        softhsm.plug_back(softhsm_conf, stashed)


def test_pin_entry_returns_a_bytearray(ctx, fresh, qtbot):
    def type_pin() -> None:
        dialog = next(w for w in qtbot_widgets() if isinstance(w, PinEntryDialog))
        assert "批量签章 12 个文件" in dialog.requester_label.text()
        assert fresh.label in dialog.token_label.text()
        dialog.field.setText(fresh.pin)
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)

    QTimer.singleShot(100, type_pin)
    got = ctx.ask_pin(fresh.serial, "批量签章 12 个文件")
    assert isinstance(got, bytearray) and got == bytearray(fresh.pin.encode())

    QTimer.singleShot(100, lambda: next(w for w in qtbot_widgets() if isinstance(w, PinEntryDialog)).reject())
    assert ctx.ask_pin(fresh.serial, "https://si.example.gov.cn") is None


def qtbot_widgets():
    from PySide6.QtWidgets import QApplication

    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_caps_lock_warning(page, fresh, qtbot):
    dialog = page.open_change_pin(fresh.serial)
    qtbot.keyClicks(dialog.first, "A")  # an upper-case letter without Shift: caps lock is on
    assert dialog.caps.isVisible()
    qtbot.keyClicks(dialog.first, "a")
    assert not dialog.caps.isVisible()


def test_opencryptoki_lock_states_render_and_unblock(qapp, language, ock_service, qtbot):
    """COUNT_LOW -> FINAL_TRY -> LOCKED on a real lockout backend, then unblock through the dialog."""
    ctx = AppContext(ock_service)
    ctx.start_watching(interval=0.2)
    page = CertificatesPage(ctx)
    qtbot.addWidget(page)
    page.show()
    try:
        qtbot.waitUntil(lambda: bool(page.cards), timeout=15000)
        serial = next(iter(page.cards))
        card = page.cards[serial]
        qtbot.waitUntil(lambda: card.pin_label.text() == "口令正常", timeout=15000)
        for _ in range(2):
            assert not logs_in(ock_service, serial, "000000")
        page.load(serial)
        qtbot.waitUntil(lambda: "最后一次机会" in card.pin_label.text(), timeout=15000)
        dialog = page.open_change_pin(serial)
        assert "最后一次机会" in dialog.state.text()
        dialog.close()
        assert not logs_in(ock_service, serial, "000000")
        page.load(serial)
        qtbot.waitUntil(lambda: "已锁定" in card.pin_label.text(), timeout=15000)
        assert not card.change_button.isEnabled()

        unblock = page.open_unblock_pin(serial)
        assert isinstance(unblock, UnblockPinDialog)
        assert "管理员口令" in unblock.intro.text()
        fill(unblock, OCK_SO_PIN, NEW_PIN, NEW_PIN, qtbot)
        submit_with_enter(unblock, qtbot)
        qtbot.waitUntil(lambda: isinstance(ctx.last_message, MessageDialog)
                        and ctx.last_message.message.code == "GUI_PIN_UNBLOCKED", timeout=20000)
        assert logs_in(ock_service, serial, NEW_PIN)
        qtbot.waitUntil(lambda: card.pin_label.text() == "口令正常", timeout=15000)
    finally:
        ctx.shutdown()
        # leave the shared opencryptoki token as the fixture made it: user PIN 123456, SO PIN 12345678
        serial = ock_service.tokens()[0].serial
        ock_service.unblock_pin(serial, pin(OCK_SO_PIN), pin(OCK_USER_PIN))
        assert logs_in(ock_service, serial, OCK_USER_PIN)
