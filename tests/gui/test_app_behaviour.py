"""Shell registry, settings page (autostart, driver path), single instance, daily reminder, translations."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from gui import i18n, single_instance
from gui.dialogs.message import MessageDialog
from gui.pages.placeholder import PlaceholderPage
from gui.pages.settings.view import SettingsPage
from gui.shell import PageSpec, create_page
from helper import settings
from helper.renewal import monitor
from tests.support import SOFTHSM


def test_missing_page_package_falls_back_to_placeholder(ctx, qtbot):
    page = create_page(PageSpec("not_written_yet", "nav-settings"), ctx)
    assert isinstance(page, PlaceholderPage)
    assert isinstance(create_page(PageSpec("certificates", "nav-certificates"), ctx), QWidget)


def test_broken_page_import_is_not_hidden(ctx, monkeypatch, tmp_path):
    package = tmp_path / "gui_pages_probe"
    package.mkdir()
    (package / "__init__.py").write_text("import a_module_that_does_not_exist\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(PageSpec, "module", property(lambda self: "gui_pages_probe"))
    with pytest.raises(ModuleNotFoundError):
        create_page(PageSpec("probe", "nav-settings"), ctx)


def test_autostart_writes_and_removes_the_desktop_file(ctx, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    desktop = tmp_path / "autostart" / "cahelper.desktop"
    page.autostart.setChecked(True)
    text = desktop.read_text("utf-8")
    assert "Exec=" in text and "gui.app" in text and "--minimized" in text
    assert settings.load().autostart
    page.autostart.setChecked(False)
    assert not desktop.exists() and not settings.load().autostart


def test_driver_path_is_validated(ctx, qtbot, tmp_path):
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.module_path.setText(str(tmp_path / "missing.dll"))
    assert not page.apply_module_path()
    assert isinstance(ctx.last_message, MessageDialog) and ctx.last_message.message.code == "MODULE_NOT_FOUND"
    bogus = tmp_path / "vendor.dll"
    bogus.write_bytes(b"not a module at all")
    page.module_path.setText(str(bogus))
    assert not page.apply_module_path()
    assert ctx.last_message.message.code == "MODULE_INVALID"
    page.module_path.setText(SOFTHSM)
    assert page.apply_module_path()
    assert settings.load().module_paths == (SOFTHSM,)
    page.module_path.setText("")
    assert page.apply_module_path() and settings.load().module_paths == ()


def test_second_launch_raises_the_first(qapp, qtbot):
    server = single_instance.InstanceServer()
    try:
        with qtbot.waitSignal(server.raise_requested, timeout=15000):
            assert single_instance.signal_running()
    finally:
        server.server.close()
    assert not single_instance.signal_running(100)


def test_second_launch_hands_over_pdfs_to_sign(qapp, qtbot, tmp_path):
    server = single_instance.InstanceServer()
    pdf = tmp_path / "参保登记名册.pdf"
    try:
        with qtbot.waitSignal(server.sign_requested, timeout=15000) as received:
            assert single_instance.signal_running(sign=(str(pdf),))
    finally:
        server.server.close()
    assert received.args == [[str(pdf)]]


def test_open_for_signing_lists_the_files_without_signing(ctx, qtbot, tmp_path):
    from gui.app import _open_for_signing
    from gui.shell import MainWindow
    from helper.demo.portal.roster import roster_pdf

    pdf = tmp_path / "名册.pdf"
    pdf.write_bytes(roster_pdf("石家庄示例科技有限公司", "91130100MA0DEM012U"))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    _open_for_signing(window, [str(pdf)])
    tab = window.page("signing").sign_tab
    assert window.current_key() == "signing"
    assert tab.files == [pdf] and not tab.signed


def test_expiring_certificate_notifies_once_a_day(page, ctx, make_token, qtbot):
    monitor.ReminderStore().path.unlink(missing_ok=True)  # the daily check has not run today
    notes: list[tuple[str, str]] = []
    ctx.notified.connect(lambda title, text: notes.append((title, text)))
    token = make_token(keys=(("ec-p256", "sign"),), days=5)
    qtbot.waitUntil(lambda: token.serial in page.cards and bool(page.cards[token.serial].rows), timeout=15000)
    qtbot.waitUntil(lambda: bool(notes), timeout=15000)
    assert {t for t, _ in notes} == {"证书即将到期"}
    assert sum(bool(re.search("还有 [45] 天到期", text)) for _, text in notes) == 1  # its 7-day threshold, once
    shown = len(notes)
    page.refresh()
    qtbot.wait(500)
    assert len(notes) == shown


def test_shipped_qm_files_match_their_ts(tmp_path):
    for ts in sorted(i18n.TS_DIR.glob("*_zh_CN.ts")):
        fresh = tmp_path / ts.with_suffix(".qm").name
        subprocess.run([str(Path(sys.executable).parent / "pyside6-lrelease"), "-silent", str(ts), "-qm",
                        str(fresh)], check=True)
        assert fresh.read_bytes() == ts.with_suffix(".qm").read_bytes(), f"run python -m gui.i18n compile ({ts.name})"
        assert 'type="unfinished"' not in ts.read_text("utf-8"), f"untranslated entries in {ts.name}"
