"""证书延期 page on real SoftHSM keys: import a renewed certificate file, 一键延期 against the `openssl cmp`
mock (MAC with the CA's one-time code), recovery at start, screenshots in zh and en."""

from __future__ import annotations

import hashlib
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
from helper.renewal import cas, install, journal, mac_secret, monitor
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
    wanted = _row_id(der)
    return next((r for r in page.rows if r.row.item.cert_id == wanted), None)


def _type_pin(qtbot, page: RenewalPage, pin: str) -> None:
    qtbot.waitUntil(lambda: isinstance(page.dialog, PinEntryDialog), timeout=60000)
    page.dialog.field.setText(pin)
    page.dialog.accept()


def _wait_installed(qtbot, ctx, page: RenewalPage, der: bytes) -> None:
    qtbot.waitUntil(lambda: _row(page, der) is not None, timeout=60000)
    assert page.steps.done_names() == STEPS_ZH
    assert ctx.last_message.message.code == "RENEW_INSTALLED"


def test_import_renewed_file_through_the_page(page, ctx, key, demo_pki, token_service, qtbot, tmp_path):
    old = key.cert(0)
    qtbot.waitUntil(lambda: _row(page, old) is not None, timeout=60000)
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
        qtbot.waitUntil(lambda: _row(page, old) is not None and _row(page, old).row.ca == ca, timeout=60000)
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
        # interrupted before writing
        install.prepare(handle, journal.JournalStore.default(), renewed, demo_pki.chain_der, target=old, kind="import")
    qtbot.waitUntil(lambda: ctx.token(key.serial) is not None, timeout=60000)
    refreshed = []
    dialogs = offer_recovery(ctx, lambda: refreshed.append(True))
    assert len(dialogs) == 1
    dialogs[0].field.setText(key.pin)
    dialogs[0].accept()
    qtbot.waitUntil(lambda: bool(refreshed), timeout=10000)
    assert ctx.last_message.message.code == "RENEW_RECOVERED"
    assert [o.der for o in token_service.certificates(key.serial)] == [renewed]
    assert not journal.JournalStore.default().pending(key.serial) and offer_recovery(ctx) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshot_in_each_language(lang, language, page, ctx, key, demo_pki, qtbot):
    language(lang)
    window = RenewalPage(ctx)
    qtbot.addWidget(window)
    window.resize(1000, 720)
    window.show()
    qtbot.waitUntil(lambda: _row(window, key.cert(0)) is not None, timeout=60000)
    window.progress.installing(_row(window, key.cert(0)).row.item.unit)
    window.steps.show_step(2)
    shoot(window, "page-renewal", lang, qtbot)
    assert wrong_language(visible_texts(window), lang) == []


# --- issue 11: dual-certificate keys, the 我的证书 banner, pages refreshed, the CA website hand-off -----------
@pytest.fixture()
def dual_key(make_token, token_service, demo_pki):
    """Signing certificate expiring in 20 days, encryption certificate valid two years, on one key."""
    from renewal_kit import add_encryption_pair

    token = make_token(keys=(("rsa2048", "sign"),), days=20)
    return token, add_encryption_pair(token_service, token, demo_pki, days=730)


def _demo_ca(monkeypatch, demo_pki, **fields) -> cas.CaEntry:
    issuer = demo_pki.ca_cert.subject.rfc4514_string().split("CN=")[1].split(",")[0]
    ca = cas.CaEntry("test-ca", "示例电子认证有限公司（演示）", issuer, **fields)
    monkeypatch.setattr(cas, "known_cas", lambda: (ca,))
    return ca


def test_dual_key_banner_leads_to_renewal_and_every_page_shows_the_new_dates(ctx, qtbot, dual_key, demo_pki,
                                                                             token_service, tmp_path, monkeypatch):
    from gui.pages.certificates.view import CertificatesPage
    from tests.gui.support import wait_card

    key, enc = dual_key
    old = key.cert(0)
    renewed = renewed_for(demo_pki, old)
    server = start_server(tmp_path, *MAC_SERVER, "-rsp_cert", pem_file(tmp_path, "renewed", renewed))
    _demo_ca(monkeypatch, demo_pki, cmp_url=server.url, cmp_protection="mac")
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    shown: list[str] = []
    ctx.navigate_requested.connect(shown.append)
    certs_page = CertificatesPage(ctx)
    renewal = RenewalPage(ctx)
    for widget in (certs_page, renewal):
        qtbot.addWidget(widget)
        widget.resize(1366, 768)
        widget.show()
    try:
        wait_card(qtbot, certs_page, key.serial)
        qtbot.waitUntil(lambda: certs_page.expiry.isVisible(), timeout=60000)
        # the banner names the soonest certificate to renew on the inserted keys (other test keys are inserted
        # too); ours is due, its encryption certificate is not
        def due_now():
            return monitor.due(monitor.items([e for es in certs_page.entries.values() for e in es],
                                             thresholds=ctx.settings.expiry_reminder_days,
                                             history=ctx.renewals.history()))

        qtbot.waitUntil(lambda: set(certs_page.entries) == set(certs_page.cards)
                        and certs_page.expiry.cert_id == due_now()[0].cert_id, timeout=60000)
        due = due_now()
        assert _row_id(old) in {i.cert_id for i in due} and _row_id(enc) not in {i.cert_id for i in due}
        first = due[0]
        days_text = f"{first.days_left} 天后到期" if first.state == "expiring" else "过期"
        assert days_text in certs_page.expiry.text.text()
        assert ("签名证书" if first.is_signing else "加密证书") in certs_page.expiry.text.text()
        shoot(certs_page, "page-certificates-expiry-banner", "zh", qtbot)
        with qtbot.waitSignal(ctx.renewal_requested) as asked:
            certs_page.expiry.button.click()  # 去延期 → 证书延期, the renewal flow for that certificate
        assert asked.args == [first.cert_id] and shown[-1] == "renewal"
        qtbot.waitUntil(lambda: _row(renewal, old) is not None and _row(renewal, enc) is not None, timeout=60000)
        assert not _row(renewal, old).row.item.superseded and not _row(renewal, enc).row.item.superseded
        assert _row(renewal, old).button.isEnabled()
        if renewal.dialog is not None:  # the banner's certificate was another key's: leave that one
            renewal.dialog.reject()
            qtbot.waitUntil(lambda: renewal.dialog is None, timeout=5000)
        ctx.request_renewal(_row_id(old))  # what the banner's button asks for our key's certificate
        qtbot.waitUntil(lambda: isinstance(renewal.dialog, CaSecretDialog), timeout=60000)
        renewal.dialog.reference.setText(REF)
        renewal.dialog.secret.setText(SECRET)
        renewal.dialog.accept()
        _type_pin(qtbot, renewal, key.pin)
        qtbot.waitUntil(lambda: renewal.progress.state == "done", timeout=60000)
        assert "完成" in renewal.progress.title.text() and renewal.progress.button.isVisible()
        shoot(renewal, "page-renewal-done", "zh", qtbot)

        # every page that shows certificates re-reads the key: 我的证书 shows the new dates, no banner
        def renewed_row():
            rows = certs_page.cards[key.serial].rows
            return next((r for r in rows if r.entry.info and r.entry.info.der == renewed), None)

        qtbot.waitUntil(lambda: renewed_row() is not None, timeout=60000)
        assert renewed_row().status == "valid" and "天" in renewed_row().days.text()
        due = {i.cert_id for i in due_now()}
        assert not due & {_row_id(renewed), _row_id(enc)} and certs_page.expiry.cert_id not in (_row_id(old),
                                                                                              _row_id(renewed))
        qtbot.waitUntil(lambda: _row(renewal, renewed) is not None, timeout=60000)
        assert not _row(renewal, renewed).row.item.superseded and not _row(renewal, enc).row.item.superseded
        shoot(certs_page, "page-certificates-after-renewal", "zh", qtbot)
    finally:
        keyring.set_keyring(previous)
        server.stop()


def _row_id(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()[:16]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_click_renewal_on_the_cas_website_says_what_to_do_and_ends_in_done(lang, language, ctx, qtbot, key,
                                                                               demo_pki, token_service, monkeypatch,
                                                                               tmp_path):
    from gui.pages.renewal import view
    from helper import settings
    from helper.keys import KeyService
    from helper.local_service import LocalService, ServiceConfig
    from helper.login.keyops import Limits
    from tests.helper.login.login_kit import ScriptedUI, call

    language(lang)
    _demo_ca(monkeypatch, demo_pki, renewal_site="demo-renewal")
    opened: list[str] = []
    monkeypatch.setattr(view, "_open_site", lambda portal_id: opened.append(portal_id) or "Chromium")
    page = RenewalPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitUntil(lambda: _row(page, key.cert(0)) is not None, timeout=60000)
    _row(page, key.cert(0)).button.click()
    qtbot.waitUntil(lambda: page.progress.state == "site", timeout=60000)
    assert opened == ["demo-renewal"]
    text = page.progress.text.text()
    words = ("填写", "支付", "安装延期证书", "口令") if lang == "zh" else ("Fill in", "Pay", "Install renewed", "PIN")
    assert all(w in text for w in words), text
    shoot(page, "page-renewal-ca-website", lang, qtbot)
    assert wrong_language(visible_texts(page), lang) == []

    # the CA's website installs through the window's local service: the page shows 完成
    site = "https://renew.ca.example"
    settings.update(approved_origins=(site,))
    service = LocalService(KeyService(token_service), ScriptedUI(pin=key.pin), ServiceConfig(
        port=0, limits=Limits(consent_timeout=5), cooldown_path=tmp_path / "cooldown.json"), extra_origins=(site,),
        renewal_origins=(site,),
        renewals=ctx.renewals)
    service.start()
    try:
        import base64

        renewed = renewed_for(demo_pki, key.cert(0))
        reply = call(service.port, "POST", "/v1/renewal/install",
                     {"certificate": base64.b64encode(renewed).decode(),
                      "chain": [base64.b64encode(d).decode() for d in demo_pki.chain_der],
                      "certificateId": _row_id(key.cert(0))}, origin=site)
        assert reply.status == 200, reply.body
    finally:
        service.stop()
        settings.update(approved_origins=())
    qtbot.waitUntil(lambda: page.progress.state == "done", timeout=60000)
    assert _row(page, renewed) is not None
    shoot(page, "page-renewal-website-done", lang, qtbot)


def test_my_certificates_shows_the_new_dates_right_after_a_file_import(ctx, qtbot, dual_key, demo_pki, tmp_path):
    from gui.pages.certificates.view import CertificatesPage
    from tests.gui.support import wait_card

    key, enc = dual_key
    certs_page = CertificatesPage(ctx)
    renewal = RenewalPage(ctx)
    for widget in (certs_page, renewal):
        qtbot.addWidget(widget)
        widget.resize(1366, 768)
        widget.show()
    card = wait_card(qtbot, certs_page, key.serial)
    assert {r.status for r in card.rows} == {"expiring", "valid"}
    qtbot.waitUntil(lambda: _row(renewal, key.cert(0)) is not None, timeout=60000)
    renewed = demo_pki.issue(_spki(key.cert(0)), unit_name(), days=730)
    path = tmp_path / "延期证书.cer"
    path.write_bytes(x509.load_der_x509_certificate(renewed).public_bytes(Encoding.PEM))
    renewal.import_file(path)
    _type_pin(qtbot, renewal, key.pin)
    qtbot.waitUntil(lambda: {r.entry.info.der for r in certs_page.cards[key.serial].rows} == {renewed, enc},
                    timeout=60000)
    assert {r.status for r in certs_page.cards[key.serial].rows} == {"valid"}
    assert renewal.progress.state == "done"
