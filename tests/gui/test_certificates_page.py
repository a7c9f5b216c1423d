"""我的证书 on real SoftHSM keys: listing, hot-plug, details, export, default-PIN suggestion."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from gui.dialogs.cert_details import CertDetailsDialog
from gui.widgets import export
from helper.certs import parse
from helper.demo import softhsm
from helper.keys import LoginResult
from tests.gui.support import wait_card
from tests.support import pin


def texts(widget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel)]


def test_page_lists_the_demo_certificates(page, demo_token, qtbot):
    card = wait_card(qtbot, page, demo_token.serial)
    assert card.title.text() == demo_token.label
    assert len(card.rows) == len(demo_token.keys)
    units = {parse(k.cert_der).unit for k in demo_token.keys}
    shown = texts(card)
    assert units <= set(shown)
    assert any("剩余" in t and "天" in t for t in shown)  # days left, in Chinese
    assert card.pin_label.text() == "口令正常"
    assert page.stack.currentWidget() is page.scroll


def test_expiry_colours(page, make_token, qtbot):
    token = make_token(keys=(("ec-p256", "sign"),), days=10)
    card = wait_card(qtbot, page, token.serial)
    row = card.rows[0]
    assert row.status == "expiring"
    assert "10 天后到期" in row.days.text() or "9 天后到期" in row.days.text()
    assert "#B45309" in row.days.styleSheet()


def test_hot_plug_adds_and_removes_the_card(page, make_token, softhsm_conf, tmp_path, qtbot):
    # the key is provisioned first (the page may already see it half-filled), then pulled out and
    # plugged back in complete, as a clerk would insert a finished key; late in the suite many test keys are
    # inserted and one reading of them all takes long on a busy machine (latency is a bench figure)
    token = make_token(keys=(("ec-p256", "sign"),))
    qtbot.waitUntil(lambda: token.serial in page.cards, timeout=60000)
    stashed = softhsm.unplug(softhsm_conf, token.serial, tmp_path)
    qtbot.waitUntil(lambda: token.serial not in page.cards, timeout=60000)
    softhsm.plug_back(softhsm_conf, stashed)
    wait_card(qtbot, page, token.serial, timeout=60000)


def test_details_dialog_shows_chain_and_fingerprints(page, demo_token, qtbot):
    card = wait_card(qtbot, page, demo_token.serial)
    dialog = page.open_details(card.rows[0].entry)
    assert isinstance(dialog, CertDetailsDialog)
    info = card.rows[0].entry.info
    shown = " ".join(texts(dialog))
    assert info.sha256[:2].upper() in shown and info.serial_hex in shown
    assert len(dialog.chain) == 3  # leaf, issuing CA, root from the user's CA folder
    assert dialog.chain_list.count() == 3
    dialog.close()


def test_export_writes_the_der_certificate(demo_token, tmp_path):
    info = parse(demo_token.cert(0))
    target = tmp_path / export.suggested_name(info)
    export.write_certificate(target, info)
    assert target.read_bytes() == demo_token.cert(0)
    assert target.name.endswith(".cer") and info.unit in target.name


def test_default_pin_suggestion_after_login(page, ctx, demo_token, qtbot):
    wait_card(qtbot, page, demo_token.serial)
    result = ctx.keys.login(demo_token.serial, pin(demo_token.pin))
    try:
        ctx.report_login(result)
    finally:
        result.session.close()
    assert isinstance(result, LoginResult) and result.default_pin
    assert page.banner.isVisible() and "初始口令" in page.banner.text.text()
    assert page.banner.serial == demo_token.serial


def test_pin_state_is_read_again_after_every_login(page, ctx, make_token, qtbot):
    """One wrong PIN (signing, a website, renewal: any login through app.keys) shows 之前输错过口令; the
    next successful login clears it on the card."""
    import pytest

    from tokenio.errors import PinIncorrect

    token = make_token(keys=(("ec-p256", "sign"),))
    card = wait_card(qtbot, page, token.serial)
    normal = card.pin_label.text()
    with pytest.raises(PinIncorrect):
        ctx.keys.login(token.serial, pin("Wr0ng-pin"))
    qtbot.waitUntil(lambda: card.pin_level == "warn", timeout=10000)
    warned = card.pin_label.text()
    assert warned != normal and "之前输错过口令" in warned and "剩余" not in warned
    ctx.keys.login(token.serial, pin(token.pin)).session.close()
    qtbot.waitUntil(lambda: card.pin_level == "ok", timeout=10000)
    assert card.pin_label.text() == normal and ctx.token(token.serial).pin.summary == "ok"


def test_empty_state_links_to_diagnostics(ctx, qtbot):
    from gui.pages.certificates.view import EmptyState

    empty = EmptyState(ctx)
    qtbot.addWidget(empty)
    with qtbot.waitSignal(ctx.navigate_requested) as sig:
        empty.link.linkActivated.emit("diagnostics")
    assert sig.args == ["diagnostics"]
    assert "请插入您的数字证书 U盾" in texts(empty)


def test_refresh_reads_what_another_program_wrote_to_the_key(page, make_token, demo_pki, qtbot, tmp_path):
    """刷新 after the CA's own tool stored a certificate on the key: the new certificate shows."""
    import os
    import subprocess

    from asn1crypto import x509 as asn1_x509
    from cryptography import x509

    token = make_token(keys=(("rsa2048", "sign"),))
    card = wait_card(qtbot, page, token.serial)
    assert len(card.rows) == 1
    leaf = asn1_x509.Certificate.load(token.cert(0))
    subject = x509.load_der_x509_certificate(token.cert(0)).subject
    extra = tmp_path / "encryption.der"  # an encryption certificate for the same key, as a CA tool writes it
    extra.write_bytes(demo_pki.issue(leaf.public_key.dump(), subject, usage="enc"))
    subprocess.run(["pkcs11-tool", "--module", softhsm.SOFTHSM_MODULE, "--token-label", token.label, "--login",
                    "--pin", token.pin, "--write-object", str(extra), "--type", "cert", "--id", "77",
                    "--label", "加密证书"], check=True, capture_output=True, env=os.environ)
    page.refresh_button.click()
    qtbot.waitUntil(lambda: len(page.cards[token.serial].rows) == 2, timeout=15000)
