"""证书延期 page on real SoftHSM keys: import a renewed certificate file, 一键延期 against the `openssl cmp`
mock (MAC with the CA's one-time code), recovery at start, screenshots in zh and en."""

from __future__ import annotations

import sys
from pathlib import Path

import keyring
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gui.dialogs.pin_entry import PinEntryDialog
from gui.pages.renewal.recovery import offer_recovery
from gui.pages.renewal.secret import CaSecretDialog
from gui.pages.renewal.view import RenewalPage
from helper.demo.pki import unit_name
from helper.renewal import cas, install, journal, mac_secret
from tests.gui.test_screens import shoot, visible_texts, wrong_language

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "renewal"))
from cmp_pki import start_server  # noqa: E402
from renewal_kit import MAC_SERVER, REF, SECRET, MemoryKeyring, pem_file, renewed_for  # noqa: E402

STEPS_ZH = ["校验证书", "写入U盾", "校验写入", "清理旧证书", "完成"]


def _spki(der: bytes) -> bytes:
    return x509.load_der_x509_certificate(der).public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


@pytest.fixture()
def key(make_token):
    return make_token(keys=(("rsa2048", "sign"),), days=20)


@pytest.fixture()
def page(key, ctx, qtbot) -> RenewalPage:
    widget = RenewalPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 720)
    widget.show()
    return widget


def _row(page: RenewalPage, der: bytes):
    wanted = __import__("hashlib").sha256(der).hexdigest()[:16]
    return next((r for r in page.rows if r.row.item.cert_id == wanted), None)


def _type_pin(qtbot, page: RenewalPage, pin: str) -> None:
    qtbot.waitUntil(lambda: isinstance(page.dialog, PinEntryDialog), timeout=15000)
    page.dialog.field.setText(pin)
    page.dialog.accept()


def _wait_installed(qtbot, ctx, page: RenewalPage, der: bytes) -> None:
    qtbot.waitUntil(lambda: _row(page, der) is not None, timeout=20000)
    assert page.steps.done_names() == STEPS_ZH
    assert ctx.last_message.message.code == "RENEW_INSTALLED"


def test_import_renewed_file_through_the_page(page, ctx, key, demo_pki, token_service, qtbot, tmp_path):
    old = key.cert(0)
    qtbot.waitUntil(lambda: _row(page, old) is not None, timeout=20000)
    row = _row(page, old)
    assert row.row.item.state == "expiring" and row.days.text() == f"{row.row.item.days_left} 天后到期"
    renewed = demo_pki.issue(_spki(old), unit_name(), days=730)
    path = tmp_path / "延期证书.cer"
    path.write_bytes(x509.load_der_x509_certificate(renewed).public_bytes(Encoding.PEM))
    page.import_file(path)
    _type_pin(qtbot, page, key.pin)
    _wait_installed(qtbot, ctx, page, renewed)
    assert _row(page, old) is None and _row(page, renewed).row.item.state == "valid"
    assert [o.der for o in token_service.certificates(key.serial)] == [renewed]
    assert page.history[0]["kind"] == "import" and page.history[0]["outcome"] == "completed"


def test_one_click_renewal_over_cmp_with_the_cas_one_time_code(page, ctx, key, demo_pki, token_service, qtbot,
                                                               tmp_path, monkeypatch):
    old = key.cert(0)
    renewed = renewed_for(demo_pki, old)
    server = start_server(tmp_path, *MAC_SERVER, "-rsp_cert", pem_file(tmp_path, "renewed", renewed))
    store = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(store)
    ca = cas.CaEntry("test-ca", "示例电子认证有限公司（演示）", demo_pki.ca_cert.subject.rfc4514_string().split("CN=")[1]
                     .split(",")[0], cmp_url=server.url, cmp_protection="mac")
    monkeypatch.setattr(cas, "known_cas", lambda: (ca,))
    try:
        page.refresh()
        qtbot.waitUntil(lambda: _row(page, old) is not None and _row(page, old).row.ca == ca, timeout=20000)
        _row(page, old).button.click()
        assert isinstance(page.dialog, CaSecretDialog)
        page.dialog.reference.setText(REF)
        page.dialog.secret.setText(SECRET)
        page.dialog.accept()
        _type_pin(qtbot, page, key.pin)
        _wait_installed(qtbot, ctx, page, renewed)
    finally:
        keyring.set_keyring(previous)
        server.stop()
    assert [o.der for o in token_service.certificates(key.serial)] == [renewed]
    assert mac_secret.SERVICE not in {s for s, _ in store.store}  # the one-time code is forgotten once used
    assert page.history[0]["kind"] == "cmp-kur"


def test_recovery_at_start_finishes_an_interrupted_install(ctx, key, demo_pki, token_service, qtbot):
    old = key.cert(0)
    renewed = demo_pki.issue(_spki(old), unit_name(), days=730)
    with token_service.session(key.serial, bytearray(key.pin.encode()), rw=True) as handle:
        install.prepare(handle, renewed, demo_pki.chain_der, kind="import")  # interrupted before writing
    qtbot.waitUntil(lambda: ctx.token(key.serial) is not None, timeout=20000)
    refreshed = []
    dialogs = offer_recovery(ctx, lambda: refreshed.append(True))
    assert len(dialogs) == 1
    dialogs[0].field.setText(key.pin)
    dialogs[0].accept()
    qtbot.waitUntil(lambda: bool(refreshed), timeout=10000)
    assert ctx.last_message.message.code == "RENEW_RECOVERED"
    assert [o.der for o in token_service.certificates(key.serial)] == [renewed]
    assert not journal.pending(key.serial) and offer_recovery(ctx) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshot_in_each_language(lang, language, page, ctx, key, demo_pki, qtbot):
    language(lang)
    window = RenewalPage(ctx)
    qtbot.addWidget(window)
    window.resize(1000, 720)
    window.show()
    qtbot.waitUntil(lambda: _row(window, key.cert(0)) is not None, timeout=20000)
    window.progress_title.setText(_row(window, key.cert(0)).row.item.unit)
    window.progress.setVisible(True)
    window.steps.show_step(2)
    shoot(window, "page-renewal", lang, qtbot)
    assert wrong_language(visible_texts(window), lang) == []
