"""The 电子签章 page's verification tab on an SM2 (国密) seal: trusted through the user's CA folder, shown
like any other seal; untrusted without the SM2 root."""

# ruff: noqa: F401, F811 - the session fixture sm2_pki is imported from tests.interop.sm2world
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "signing"))
from corpus import blank_pdf  # noqa: E402
from sm2kit import seal, sm2_signer  # noqa: E402

from gui.pages.signing.view import SigningPage  # noqa: E402
from helper import settings  # noqa: E402
from helper.seals import make_demo_seal  # noqa: E402
from tests.interop.sm2world import sm2_pki  # noqa: E402

SHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture()
def sealed(sm2_pki, tmp_path) -> Path:
    out = tmp_path / "国密签章.pdf"
    out.write_bytes(seal(blank_pdf(), sm2_signer(sm2_pki), make_demo_seal("石家庄示例科技有限公司", "公章").png))
    return out


def _verify(ctx, qtbot, path: Path) -> SigningPage:
    page = SigningPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.tabs.setCurrentIndex(1)
    page.verify_tab.verify(path)
    qtbot.waitUntil(lambda: page.verify_tab.verdict.text() != "", timeout=15_000)
    return page


def test_sm2_seal_in_the_verification_view(ctx, qtbot, sm2_pki, sealed):
    ca_dir = settings.user_ca_dir()
    ca_dir.mkdir(parents=True, exist_ok=True)
    root = ca_dir / "sm2-test-root.der"
    root.write_bytes(sm2_pki.root.der)
    try:
        page = _verify(ctx, qtbot, sealed)
        verify = page.verify_tab
        assert "#15803D" in verify.verdict.text()  # the green verdict
        texts = " ".join(label.text() for label in verify.cards.findChildren(QLabel))
        assert "石家庄示例科技有限公司" in texts and "张三" in texts
        assert "签章时在有效期内" in texts  # the signing time (/M) is read for SM2 seals too
        (image,) = verify.cards.findChildren(QLabel, "SealImage")
        assert not image.pixmap().isNull()
        SHOTS.mkdir(exist_ok=True)
        page.grab().save(str(SHOTS / "zh-page-signing-verify-sm2.png"))
    finally:
        root.unlink()


def test_sm2_seal_without_its_root_is_not_green(ctx, qtbot, sealed):
    page = _verify(ctx, qtbot, sealed)
    assert "#15803D" not in page.verify_tab.verdict.text()
    texts = [label.text() for label in page.verify_tab.cards.findChildren(QLabel)]
    row = texts.index("证书")
    assert "证书的根CA不在受信任列表中" in texts[row + 1]  # the 证书 row says why, in words
    assert "问题" not in texts and not any("chain_" in text for text in texts)
