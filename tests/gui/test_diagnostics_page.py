"""The 检测修复 page: one click runs every check, rows are coloured by status, 修复 repairs, report export."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gui.pages.diagnostics.view import DiagnosticsPage
from helper import settings
from helper.diagnostics import CHECK_IDS, Environment, Status

SHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture()
def nssdb(tmp_path: Path) -> Path:
    folder = tmp_path / "nssdb"
    folder.mkdir()
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{folder}"], check=True, capture_output=True)
    return folder


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_click_check_fix_and_report(lang, language, ctx, demo_token, nssdb, qtbot, tmp_path):
    language(lang)
    ctx.settings = settings.Settings(support_contacts=("河北CA客服 400-707-3355",))
    page = DiagnosticsPage(ctx, lambda: Environment(tokens=ctx.tokens, serial=demo_token.serial, settings=ctx.settings,
                                                      nss_dirs=(nssdb,), portal_urls=(), log_dir=tmp_path))
    qtbot.addWidget(page)
    page.resize(960, 1100)
    page.show()
    assert "400-707-3355" in page.support.text()
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.run_button.isEnabled() and len(page.rows) == len(CHECK_IDS), timeout=15000)
    shown = page.ordered_ids()
    assert sorted(shown) == sorted(CHECK_IDS)
    ranks = [page.rows[i].result.status.rank for i in shown]
    assert ranks == sorted(ranks, reverse=True)  # problems first, then passed and skipped checks
    assert shown[0] == "root-ca"  # the one thing to note on this computer comes before the passed checks
    root = page.rows["root-ca"]
    assert root.result.status is Status.WARNING
    qtbot.waitUntil(lambda: root.fix.isVisibleTo(page), timeout=5000)  # the reordered row is shown by the layout
    assert not page.rows["key"].fix.isVisibleTo(page)
    assert page.rows["key"].badge.text() == "✔" and root.badge.text() == "!"
    SHOTS.mkdir(exist_ok=True)
    page.grab().save(str(SHOTS / f"{lang}-page-diagnostics-results.png"))

    page.confirm = lambda name: True
    qtbot.mouseClick(root.fix, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.rows["root-ca"].result.status is Status.OK, timeout=10000)
    assert not root.fix.isVisibleTo(page)
    assert page.ordered_ids().index("root-ca") > 0  # fixed: it joins the passed checks

    written = page.export_report(str(tmp_path / "report"))
    assert [p.name for p in written] == ["report.txt", "report.json"]
    assert demo_token.serial in written[0].read_text("utf-8")


def test_summary_offers_fix_only_when_a_fix_button_is_shown(ctx, demo_token, nssdb, qtbot, tmp_path):
    page = DiagnosticsPage(ctx, lambda: Environment(tokens=ctx.tokens, serial="0000-no-such-key", settings=ctx.settings,
                                                      nss_dirs=(nssdb,), portal_urls=(), log_dir=tmp_path))
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.run_button.isEnabled() and len(page.rows) == len(CHECK_IDS), timeout=15000)
    errors = [i for i in page.ordered_ids() if page.rows[i].result.status is Status.ERROR]
    assert errors and page.ordered_ids()[:len(errors)] == errors
    fix_shown = any(page.rows[i].fix.isVisibleTo(page) for i in errors)
    assert ("修复" in page.summary.text()) == fix_shown, page.summary.text()
