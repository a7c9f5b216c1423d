"""The 电子签章 page on the SoftHSM key: certificates told apart, files with full names and reasons, the engine's
placement and batch plan, checks before the PIN, jobs off the GUI thread, and the verification view."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "signing"))
from corpus import ROSTER_ANCHOR, blank_pdf, roster_pdf  # noqa: E402

from gui.pages.signing.view import SigningPage  # noqa: E402
from helper.seals import make_demo_seal  # noqa: E402
from helper.signing import desk  # noqa: E402
from helper.signing.options import Placement  # noqa: E402
from helper.signing.verify import verify_pdf  # noqa: E402

SHOTS = Path(__file__).parent / "screenshots"
LONG_NAME = "石家庄示例科技有限公司2026年第四季度社会保险参保人员增减变动名册（盖章版）.pdf"


def _wait_cert(qtbot, tab, serial: str, algorithm: str | None = None) -> None:
    qtbot.waitUntil(lambda: tab.select_certificate(serial, algorithm), timeout=10_000)


@pytest.fixture()
def signing_page(ctx, qtbot, demo_token):
    page = SigningPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    _wait_cert(qtbot, page.sign_tab, demo_token.serial)
    return page


@pytest.fixture()
def pin_asked(ctx, demo_token, monkeypatch) -> list[str]:
    asked: list[str] = []
    monkeypatch.setattr(ctx, "ask_pin", lambda serial, requester, **kw: asked.append(requester)
                        or bytearray(demo_token.pin.encode()))
    return asked


def _statuses(tab) -> dict[str, str]:
    return {tab.list.topLevelItem(i).text(0): tab.list.topLevelItem(i).text(1)
            for i in range(tab.list.topLevelItemCount())}


def _select(tab, name: str) -> None:
    tab.list.setCurrentItem(next(tab.list.topLevelItem(i) for i in range(tab.list.topLevelItemCount())
                                 if tab.list.topLevelItem(i).text(0) == name))


def test_batch_with_one_pin_then_verify(signing_page, qtbot, tmp_path, pin_asked):
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(3):
        (docs / f"名册{n}.pdf").write_bytes(roster_pdf(pages=2))
    (docs / "坏文件.pdf").write_bytes(b"not a pdf")
    seal = tmp_path / "seal.png"
    seal.write_bytes(make_demo_seal("石家庄示例科技有限公司", "公章").png)
    tab = signing_page.sign_tab
    tab.add_files([docs])
    tab.use_seal_file(seal)
    assert tab.list.topLevelItemCount() == 4 and tab.sign_button.text() == "签章（4 个文件）"
    _select(tab, "名册0.pdf")
    tab.anchor.setText(ROSTER_ANCHOR)
    tab.snap_to_anchor()
    qtbot.waitUntil(lambda: tab.page.value() == 2 and not tab.preview.seal_rect().isEmpty(), timeout=10_000)
    assert 20 < tab.centre_mm[0] < 60
    SHOTS.mkdir(exist_ok=True)
    signing_page.grab().save(str(SHOTS / "zh-page-signing-placed.png"))
    tab.start_signing()
    qtbot.waitUntil(lambda: tab.summary.isVisible(), timeout=30_000)
    assert pin_asked == ["电子签章（3 个文件）"]  # the damaged file was refused before the PIN
    statuses = _statuses(tab)
    assert statuses["坏文件.pdf"] == "未签章"
    assert all(statuses[f"名册{n}.pdf"] == "已签章" for n in range(3))
    signed = docs / "名册0-signed.pdf"
    report = verify_pdf(signed)
    assert report.ok and report.signatures[0].unit == "石家庄示例科技有限公司"
    for dialog in QApplication.topLevelWidgets():  # the refusal is listed, not a blocking dialog
        assert not (dialog.isVisible() and dialog.windowTitle() == "提示")
    signing_page.grab().save(str(SHOTS / "zh-page-signing-done.png"))

    signing_page.tabs.setCurrentIndex(1)
    verify = signing_page.verify_tab
    verify.verify(signed)
    qtbot.waitUntil(lambda: verify.verdict.text() != "", timeout=10_000)
    assert "#15803D" in verify.verdict.text()
    texts = " ".join(label.text() for label in verify.cards.findChildren(QLabel))
    sig = report.signatures[0]
    for fact in ("石家庄示例科技有限公司", sig.holder, sig.issuer, "签章时在有效期内", "没有改动",
                 sig.cert_not_after.astimezone().strftime("%Y-%m-%d")):
        assert fact in texts, fact
    assert "B-B" not in texts and "B-T" not in texts
    (image,) = verify.cards.findChildren(QLabel, "SealImage")
    assert image.pixmap() is not None and not image.pixmap().isNull()
    signing_page.grab().save(str(SHOTS / "zh-page-signing-verify.png"))


def test_rsa_and_ec_certificates_are_told_apart(signing_page, demo_token):
    tab = signing_page.sign_tab
    mine = [tab.cert_choice.itemData(i) for i in range(tab.cert_choice.count())
            if tab.cert_choice.itemData(i).serial == demo_token.serial]
    assert sorted(c.algorithm for c in mine) == ["EC", "RSA"]
    labels = {tab.cert_choice.itemText(i) for i in range(tab.cert_choice.count())
              if tab.cert_choice.itemData(i).serial == demo_token.serial}
    assert len(labels) == 2 and any("RSA" in t for t in labels) and any("EC" in t for t in labels)
    assert all("有效期至" not in t and "至 20" in t for t in labels)  # the end date in the label
    tab.select_certificate(demo_token.serial, "EC")
    note = tab.cert_note.text()
    assert "单位：石家庄示例科技有限公司" in note and "EC" in note and "有效期至" in note


def test_refusals_before_the_pin_show_full_name_and_reason(signing_page, qtbot, tmp_path, pin_asked):
    src = tmp_path / LONG_NAME
    src.write_bytes(blank_pdf(1))
    tab = signing_page.sign_tab
    tab.add_files([src])
    tab.cross_page.setChecked(True)  # 骑缝章 on a one-page file
    tab.start_signing()
    qtbot.waitUntil(lambda: tab.summary.isVisible(), timeout=10_000)
    assert pin_asked == []
    assert _statuses(tab)[LONG_NAME] == "未签章"
    detail = tab.detail.text().replace("\u200b", "")  # break opportunities between characters
    assert LONG_NAME in detail and "只有一页的文件不能盖骑缝章" in detail and "去掉“骑缝章”" in detail
    assert tab.detail.isVisible() and tab.detail.wordWrap()
    qtbot.waitUntil(lambda: tab.preview_stack.currentWidget() is tab.preview, timeout=10_000)
    signing_page.grab().save(str(SHOTS / "zh-page-signing-refused.png"))


def test_output_folder_is_browsed_and_batch_plan_renames_clashes(signing_page, qtbot, tmp_path, pin_asked,
                                                                  monkeypatch):
    for folder in ("甲", "乙"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "名册.pdf").write_bytes(roster_pdf(pages=2))
    out = tmp_path / "签好的"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
    tab = signing_page.sign_tab
    tab.browse_out.click()
    assert tab.out_dir.text() == str(out)
    tab.add_files([tmp_path / "甲" / "名册.pdf", tmp_path / "乙" / "名册.pdf"])
    tab.start_signing()
    qtbot.waitUntil(lambda: tab.summary.isVisible(), timeout=30_000)
    assert sorted(p.name for p in out.iterdir()) == ["名册-signed (2).pdf", "名册-signed.pdf"]
    assert all(verify_pdf(p).ok for p in out.iterdir())


def test_default_position_is_the_engines_and_is_used_for_every_file(signing_page, qtbot, tmp_path, pin_asked):
    two, three = tmp_path / "两页.pdf", tmp_path / "三页.pdf"
    two.write_bytes(roster_pdf(pages=2))
    three.write_bytes(blank_pdf(3))
    tab = signing_page.sign_tab
    tab.add_files([two, three])
    spot = desk.seal_spot(two, Placement(), max_mb=200)
    qtbot.waitUntil(lambda: tab.centre_mm == (spot.x_mm, spot.y_mm) and tab.page.value() == 2, timeout=10_000)
    tab.start_signing()
    qtbot.waitUntil(lambda: tab.summary.isVisible(), timeout=30_000)
    pages = {p.name: tab.results[p].signed.page for p in (two, three)}
    assert pages == {"两页.pdf": 2, "三页.pdf": 3}  # the last page of each file, not the page on screen


def test_rendering_and_anchor_search_run_off_the_gui_thread(signing_page, qtbot, tmp_path, monkeypatch):
    threads: list[str] = []
    for name in ("page_picture", "seal_spot"):
        real = getattr(desk, name)

        def recording(*args, _real=real, _name=name, **kwargs):
            threads.append((_name, threading.current_thread() is threading.main_thread()))
            return _real(*args, **kwargs)

        monkeypatch.setattr(desk, name, recording)
    src = tmp_path / "名册.pdf"
    src.write_bytes(roster_pdf(pages=2))
    tab = signing_page.sign_tab
    tab.add_files([src])
    tab.anchor.setText(ROSTER_ANCHOR)
    tab.snap_to_anchor()
    qtbot.waitUntil(lambda: {n for n, _ in threads} == {"page_picture", "seal_spot"}
                    and tab.preview_stack.currentWidget() is tab.preview, timeout=10_000)
    assert threads and not any(on_main for _, on_main in threads)


def test_options_panel_keeps_its_room_after_a_batch(signing_page, qtbot, tmp_path, pin_asked):
    signing_page.resize(1000, 560)
    tab = signing_page.sign_tab
    for n in range(3):
        (tmp_path / f"名册{n}.pdf").write_bytes(roster_pdf(pages=2))
    tab.add_files([tmp_path])
    qtbot.wait(50)
    before = (tab.options_scroll.viewport().height(), tab.sign_button.geometry())
    tab.start_signing()
    qtbot.waitUntil(lambda: tab.summary.isVisible(), timeout=30_000)
    qtbot.wait(50)
    assert (tab.options_scroll.viewport().height(), tab.sign_button.geometry()) == before
    tab.options_scroll.ensureWidgetVisible(tab.browse_out)
    qtbot.wait(20)
    port = tab.options_scroll.viewport()
    corner = tab.browse_out.mapTo(port, tab.browse_out.rect().bottomRight())
    assert port.rect().contains(corner)  # 保存到文件夹 and its browse button can be reached


def test_default_seal_rule_on_the_page(ctx, qtbot, make_token, token_service):
    from helper import seal_store

    token = make_token("有印章的U盾", keys=(("ec-p256", "sign"),))
    with token_service.session(token.serial, bytearray(token.pin.encode()), rw=True) as session:
        for name in ("财务专用章", "公章"):
            seal_store.store(session, make_demo_seal("石家庄示例科技有限公司", name), name)
    page = SigningPage(ctx)
    qtbot.addWidget(page)
    page.show()
    tab = page.sign_tab
    _wait_cert(qtbot, tab, token.serial)
    qtbot.waitUntil(lambda: tab.seal_choice.count() == 3, timeout=5_000)
    first = sorted(["财务专用章", "公章"])[0]
    assert first in tab.seal_choice.currentText()  # several seals: the first by name, and said so
    assert tab.seal_note.isVisible() and first in tab.seal_note.text()
    tab.seal_choice.setCurrentIndex(0)
    assert tab.seal_png is None  # back to a text stamp


@pytest.mark.slow
@pytest.mark.parametrize("scale", ["1", "1.25", "1.5"])
def test_page_after_a_batch_fits_1366x768(scale, tmp_path):
    import json
    import os
    import subprocess

    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "office", "x": 0, "y": 0, "width": 1366, "height": 768,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "PYTHONPATH": str(root)}
    run = subprocess.run([sys.executable, "-m", "pytest", str(Path(__file__).parent / "fit_signing.py"), "-q", "-x",
                          "-p", "no:cacheprovider"], cwd=root, env=env, capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def test_dragging_keeps_the_whole_seal_on_the_page(signing_page, qtbot, tmp_path):
    from PySide6.QtCore import QPoint, Qt

    src = tmp_path / "名册.pdf"
    src.write_bytes(roster_pdf(pages=2))
    tab = signing_page.sign_tab
    tab.add_files([src])
    qtbot.waitUntil(lambda: tab.preview_stack.currentWidget() is tab.preview and tab.preview.image is not None,
                    timeout=10_000)
    corner = QPoint(tab.preview.width() - 1, tab.preview.height() - 1)  # past the lower right of the page
    qtbot.mousePress(tab.preview, Qt.MouseButton.LeftButton, pos=corner)
    qtbot.mouseRelease(tab.preview, Qt.MouseButton.LeftButton, pos=corner)
    assert tab.mode == "coords" and tab.chosen_page == 2
    x_mm, y_mm = tab.centre_mm
    assert y_mm == pytest.approx(21, abs=0.2) and x_mm == pytest.approx(595 / 72 * 25.4 - 21, abs=0.2)
    desk.seal_spot(src, tab.options().placement, max_mb=200)  # the engine accepts it: no SEAL_OFF_PAGE


def test_cross_page_seal_is_offered_only_where_there_are_two_pages(signing_page, qtbot, tmp_path):
    tab = signing_page.sign_tab
    single = tmp_path / "一页.pdf"
    single.write_bytes(blank_pdf(1))
    tab.add_files([single])
    qtbot.waitUntil(lambda: tab.preview.image is not None, timeout=10_000)
    assert not tab.cross_page.isEnabled() and not tab.cross_page.isChecked()
    assert "只有一页" in tab.cross_page.toolTip()  # the window speaks Chinese by default
    tab.clear()
    double = tmp_path / "两页.pdf"
    double.write_bytes(blank_pdf(2))
    tab.add_files([double])
    qtbot.waitUntil(lambda: tab.page_count.text() == "/ 2", timeout=10_000)
    assert tab.cross_page.isEnabled()
    tab.cross_page.setChecked(True)
    assert tab.options().placement.cross_page
