"""The 提醒 setting decides both the days-left colour on every page and when the tray reminds."""

from __future__ import annotations

import pytest

from gui import theme
from gui.pages.certificates.view import CertificatesPage
from gui.pages.renewal.view import RenewalPage
from gui.pages.settings.view import SettingsPage
from helper.renewal import monitor
from tests.gui.support import wait_card


@pytest.fixture()
def fifty_nine_days(make_token):
    return make_token("五十九天U盾", keys=(("ec-p256", "sign"),), days=59)


@pytest.fixture()
def settings_page(ctx, qtbot):
    usual = ctx.settings.expiry_reminder_days
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    yield page
    ctx.update_settings(expiry_reminder_days=usual)


def _colours(ctx, qtbot, token, renewal: RenewalPage, certificates: CertificatesPage) -> tuple[str, str]:
    card = wait_card(qtbot, certificates, token.serial)
    qtbot.waitUntil(lambda: any(r.row.item.token_serial == token.serial for r in renewal.rows), timeout=15000)
    row = next(r for r in renewal.rows if r.row.item.token_serial == token.serial)
    return card.rows[0].days.styleSheet(), row.days.styleSheet()


@pytest.mark.parametrize(("days", "state"), [(30, "valid"), (60, "expiring")])
def test_one_colour_for_59_days_on_every_page(days, state, ctx, qtbot, fifty_nine_days, settings_page):
    settings_page.warn_days.setValue(days)
    assert ctx.settings.expiry_reminder_days[0] == days
    certificates, renewal = CertificatesPage(ctx), RenewalPage(ctx)
    for page in (certificates, renewal):
        qtbot.addWidget(page)
    mine, theirs = _colours(ctx, qtbot, fifty_nine_days, renewal, certificates)
    assert mine == theirs == theme.status_style(state)


def test_the_setting_decides_when_reminders_come(ctx, qtbot, fifty_nine_days, settings_page, tmp_path):
    def due_for_token(path):
        due = monitor.daily_reminders(ctx.keys, monitor.ReminderStore(path))
        return [r.threshold for r in due if r.item.token_serial == fifty_nine_days.serial]

    settings_page.warn_days.setValue(30)
    assert due_for_token(tmp_path / "a.json") == []  # 59 days left, remind from 30: not yet
    settings_page.warn_days.setValue(60)
    assert ctx.settings.expiry_reminder_days == (60, 30, 7)
    assert due_for_token(tmp_path / "b.json") == [60]
    assert settings_page.warn_days.value() == 60 and SettingsPage(ctx).warn_days.value() == 60
