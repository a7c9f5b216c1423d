"""The 电子签章 page on the SoftHSM key: drop files, snap the seal to 盖章, one PIN for the batch, verify."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "signing"))
from corpus import ROSTER_ANCHOR, roster_pdf  # noqa: E402

from gui.pages.signing.view import SigningPage  # noqa: E402
from helper.seals import make_demo_seal  # noqa: E402
from helper.signing.verify import verify_pdf  # noqa: E402

SHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture()
def signing_page(ctx, qtbot, demo_token):
    page = SigningPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitUntil(lambda: page.sign_tab.key_choice.findData(demo_token.serial) >= 0, timeout=10_000)
    page.sign_tab.key_choice.setCurrentIndex(page.sign_tab.key_choice.findData(demo_token.serial))
    return page


def test_batch_with_one_pin_then_verify(signing_page, ctx, qtbot, demo_token, tmp_path, monkeypatch):
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
    assert tab.list.topLevelItemCount() == 4 and tab.sign_button.text().startswith("签章")
    tab.list.setCurrentItem(tab.list.topLevelItem(1))  # 名册0.pdf (sorted after 坏文件? no: by code point)
    tab.list.setCurrentItem(next(tab.list.topLevelItem(i) for i in range(4)
                                 if tab.list.topLevelItem(i).text(0) == "名册0.pdf"))
    tab.anchor.setText(ROSTER_ANCHOR)
    tab.snap_to_anchor()
    assert tab.page.value() == 2 and tab.centre_mm is not None and 20 < tab.centre_mm[0] < 60
    assert not tab.preview.seal_rect().isEmpty()
    asked = []
    monkeypatch.setattr(ctx, "ask_pin", lambda serial, requester, **kw: asked.append(requester)
                        or bytearray(demo_token.pin.encode()))
    SHOTS.mkdir(exist_ok=True)
    signing_page.grab().save(str(SHOTS / "zh-page-signing-placed.png"))
    tab.start_signing()
    qtbot.waitUntil(lambda: tab.summary.text() != "", timeout=30_000)
    assert len(asked) == 1 and "4" in asked[0]
    statuses = {tab.list.topLevelItem(i).text(0): tab.list.topLevelItem(i).text(1) for i in range(4)}
    assert statuses["坏文件.pdf"].startswith("未签章")
    assert all(statuses[f"名册{n}.pdf"] == "已签章" for n in range(3))
    signed = docs / "名册0-signed.pdf"
    report = verify_pdf(signed)
    assert report.ok and report.signatures[0].unit == "石家庄示例科技有限公司"
    for dialog in QApplication.topLevelWidgets():  # the refusal is listed, not a blocking dialog
        assert not (dialog.isVisible() and dialog.windowTitle() == "提示")
    signing_page.grab().save(str(SHOTS / "zh-page-signing-done.png"))

    signing_page.tabs.setCurrentIndex(1)
    job = signing_page.verify_tab.verify(signed)
    qtbot.waitUntil(lambda: signing_page.verify_tab.verdict.text() != "", timeout=10_000)
    assert job is not None and "#15803D" in signing_page.verify_tab.verdict.text()
    assert "石家庄示例科技有限公司" in signing_page.verify_tab.details.toPlainText()
    signing_page.grab().save(str(SHOTS / "zh-page-signing-verify.png"))


def test_seals_stored_on_the_key_are_offered_without_a_pin(ctx, qtbot, make_token, token_service):
    from helper import seal_store

    token = make_token("有印章的U盾", keys=(("rsa2048", "sign"),))
    seal = make_demo_seal("石家庄示例科技有限公司", "公章")
    with token_service.session(token.serial, bytearray(token.pin.encode()), rw=True) as session:
        seal_store.store(session, seal, "公章")
    page = SigningPage(ctx)
    qtbot.addWidget(page)
    page.show()
    tab = page.sign_tab
    qtbot.waitUntil(lambda: tab.key_choice.findData(token.serial) >= 0, timeout=10_000)
    tab.key_choice.setCurrentIndex(tab.key_choice.findData(token.serial))
    qtbot.waitUntil(lambda: any("公章" in tab.seal_choice.itemText(i) for i in range(tab.seal_choice.count())),
                    timeout=5_000)
    assert "公章" in tab.seal_choice.currentText()  # the key's own seal is preselected
    assert tab.seal_png == seal.png
    tab.seal_choice.setCurrentIndex(0)
    assert tab.seal_png is None  # back to a text stamp
