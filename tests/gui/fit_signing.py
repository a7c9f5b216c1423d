"""Run by test_signing_page.py in a process with QT_SCALE_FACTOR set and a 1366x768 offscreen screen: the
电子签章 page after a batch (signed files, a refusal) and its verification view, in zh and en. The 签章
button stays visible, 保存到文件夹 and its browse button can be scrolled to, the reason of the refused file
is shown in full. Screenshots go to tests/gui/screenshots/<lang>-<scale>-signing-*.png."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "signing"))
from corpus import roster_pdf  # noqa: E402

from gui.shell import MainWindow  # noqa: E402
from tests.gui.fit_pages import SCALE, clipped, outside  # noqa: E402
from tests.gui.test_screens import SHOTS  # noqa: E402

LONG_NAME = "石家庄示例科技有限公司2026年第四季度社会保险参保人员增减变动名册（盖章版）.pdf"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_signing_page_after_a_batch_fits(lang, language, ctx, demo_token, qtbot, tmp_path, monkeypatch):
    language(lang)
    monkeypatch.setattr(ctx, "ask_pin", lambda *a, **k: bytearray(demo_token.pin.encode()))
    for n in range(3):
        (tmp_path / f"名册{n}.pdf").write_bytes(roster_pdf(pages=2))
    (tmp_path / LONG_NAME).write_bytes(b"not a pdf")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("signing")
    page = window.page("signing")
    tab = page.sign_tab
    qtbot.waitUntil(lambda: tab.select_certificate(demo_token.serial), timeout=10_000)
    tab.add_files([tmp_path])
    tab.start_signing()
    qtbot.waitUntil(lambda: tab.summary.isVisible() and len(tab.signed) == 3, timeout=60_000)
    tab.list.setCurrentItem(next(tab.list.topLevelItem(i) for i in range(4)
                                 if tab.list.topLevelItem(i).text(0) == LONG_NAME))
    qtbot.wait(100)
    SHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SHOTS / f"{lang}-{SCALE}-signing-after-batch.png"))
    problems = [f"window: {issue}"] if (issue := outside(window)) else []
    if issue := clipped(tab.sign_button, window):
        problems.append(f"sign button: {issue}")
    assert LONG_NAME in tab.detail.text().replace("\u200b", "")
    tab.options_scroll.ensureWidgetVisible(tab.browse_out)
    qtbot.wait(30)
    if issue := clipped(tab.browse_out, window):
        problems.append(f"output folder browse: {issue}")
    window.grab().save(str(SHOTS / f"{lang}-{SCALE}-signing-after-batch-scrolled.png"))

    page.tabs.setCurrentIndex(1)
    page.verify_tab.verify(tmp_path / "名册0-signed.pdf")
    qtbot.waitUntil(lambda: page.verify_tab.verdict.text() != "", timeout=15_000)
    qtbot.wait(60)
    window.grab().save(str(SHOTS / f"{lang}-{SCALE}-signing-verify.png"))
    assert not problems, "\n".join(problems)
