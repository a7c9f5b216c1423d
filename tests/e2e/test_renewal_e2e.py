"""End to end in Chromium: the demo CA renewal site + local service + a SoftHSM key. The clerk orders, pays
(demo), clicks 延期证书; the helper's consent/PIN dialogs are answered by the scripted hook in this process."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from login_kit import ScriptedUI
from playwright.sync_api import sync_playwright

from helper import certs, settings
from helper.demo.renewal_site.launch import RunningRenewalDemo, start_renewal_demo
from helper.keys import KeyService
from helper.login.keyops import Limits

pytestmark = pytest.mark.slow


@pytest.fixture()
def key(make_token):
    return make_token(keys=(("rsa2048", "sign"),), days=15)


@pytest.fixture()
def ui(key) -> ScriptedUI:
    return ScriptedUI(pin=key.pin)


@pytest.fixture()
def demo(token_service, demo_pki, session_dir, ui) -> Iterator[RunningRenewalDemo]:
    settings.update(approved_origins=())
    running = start_renewal_demo(KeyService(token_service), ui, session_dir / "pki", site_port=0, service_port=0,
                                 limits=Limits(consent_timeout=20))
    yield running
    running.stop()
    settings.update(approved_origins=())


def test_renew_on_the_ca_site_installs_the_new_certificate(demo, ui, key, token_service):
    cert_id = hashlib.sha256(key.cert(0)).hexdigest()[:16]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.goto(demo.site.origin + "/")
        page.locator(f"#cert option[value='{cert_id}']").wait_for(state="attached", timeout=15000)
        page.select_option("#cert", cert_id)
        assert "有效期至" in page.inner_text("#current")
        page.select_option("#years", "2")
        page.click("#order")
        page.wait_for_selector("#pay:enabled", timeout=10000)
        assert "380 元" in page.inner_text("#order-box")
        page.click("#pay")
        page.wait_for_selector("#renew:enabled", timeout=10000)
        page.click("#renew")
        page.wait_for_selector("#result.ok", timeout=30000)
        result = page.inner_text("#result")
        browser.close()

    assert "证书延期成功" in result
    assert ui.kinds() == ["approve_origin", "renewal_csr", "renewal_install"]
    assert all(r.origin == demo.site.origin for r in ui.requests)
    renewed = demo.site.issued[-1]
    assert certs.parse(renewed).days_left() >= 729
    on_key = [(o.cka_id, o.der) for o in token_service.certificates(key.serial)]
    assert on_key == [(key.keys[0].cka_id, renewed)]  # the renewed certificate, and only it, for that key pair
