"""End to end in Chromium: demo portal + local service + SoftHSM key, the consent/PIN dialog answered by
the scripted hook inside the helper (this test's process)."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from login_kit import ScriptedUI, call, new_nonce
from playwright.sync_api import Browser, Page, sync_playwright

from helper import settings
from helper.demo.portal.launch import RunningDemo, start_login_demo
from helper.demo.portal.state import DEMO_PASSWORD, DEMO_USERNAME
from helper.keys import KeyService
from helper.login.keyops import Limits

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ui() -> ScriptedUI:
    return ScriptedUI()


@pytest.fixture(scope="module")
def demo(demo_token, token_service, demo_pki, session_dir, ui) -> Iterator[RunningDemo]:
    settings.update(approved_origins=())
    running = start_login_demo(KeyService(token_service), ui, session_dir / "pki", portal_port=0, service_port=0,
                               limits=Limits(consent_timeout=20))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


def _choose_rsa(demo_token):
    import hashlib

    wanted = hashlib.sha256(demo_token.cert(0)).hexdigest()[:16]
    return lambda request: wanted


def login(page: Page, demo: RunningDemo, demo_token) -> None:
    page.goto(demo.portal.origin + "/")
    page.click("#unit-login")
    option = page.locator(f"#cert option[value='{_choose_rsa(demo_token)(None)}']")
    option.wait_for(state="attached", timeout=15000)
    assert "石家庄示例科技有限公司" in option.inner_text()
    page.select_option("#cert", _choose_rsa(demo_token)(None))
    page.click("#login")


def test_login_bind_once_then_upload_sealed_roster(browser, demo, ui, demo_token, demo_pki, tmp_path: Path):
    ui.choose = _choose_rsa(demo_token)
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    login(page, demo, demo_token)
    page.wait_for_url("**/bind", timeout=20000)
    assert [r.kind for r in ui.requests] == ["approve_origin", "authenticate"]
    assert ui.requests[-1].origin == demo.portal.origin
    assert page.inner_text("#bind-unit") == "石家庄示例科技有限公司"
    page.fill("#username", DEMO_USERNAME)
    page.fill("#password", "wrong-password")
    page.click("#bind-submit")
    assert "用户名或密码错误" in page.inner_text("#bind-error")
    page.fill("#username", DEMO_USERNAME)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#bind-submit")
    page.wait_for_url("**/dashboard")
    assert page.inner_text("#unit-name") == "石家庄示例科技有限公司"

    # A second login (new browser session) goes straight to the dashboard: bound once, not twice.
    context2 = browser.new_context()
    page2 = context2.new_page()
    login(page2, demo, demo_token)
    page2.wait_for_url("**/dashboard", timeout=20000)
    assert ui.kinds()[-1] == "authenticate" and ui.kinds().count("approve_origin") == 1
    context2.close()

    # 上报材料: the page gets the roster, the helper seals it after the PIN dialog, the portal verifies it.
    page.click("#materials")
    page.click("#upload")
    page.wait_for_selector("#message.ok, #message.error", timeout=60000)
    outcome = page.inner_text("#message")
    assert page.get_attribute("#message", "class") == "ok", outcome
    assert "电子签章验证有效" in outcome
    request = ui.requests[-1]
    assert request.kind == "sign_pdf" and request.file_name == "企业养老保险人员参保登记名册.pdf"
    with page.expect_download() as download:
        page.click("#download")
    signed = tmp_path / "signed.pdf"
    download.value.save_as(signed)
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    (tmp_path / "root.pem").write_bytes(demo_pki.root_cert.public_bytes(Encoding.PEM))
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "root", "-t", "CT,C,C", "-i",
                    tmp_path / "root.pem"], check=True)
    report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", signed], capture_output=True, text=True).stdout
    assert "Signature is Valid" in report and "Certificate is Trusted" in report, report
    context.close()


def test_replayed_and_foreign_tokens_are_refused(demo, ui, demo_token):
    """A token is single use at the portal, and a token made for origin A is useless at B."""
    import http.cookiejar
    import json
    import urllib.request

    ui.choose = _choose_rsa(demo_token)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(demo.portal.origin + "/login/unit").read().decode()
    csrf = html.split('name="csrf-token" content="')[1].split('"')[0]

    def post(path: str, body: dict) -> tuple[int, dict]:
        req = urllib.request.Request(demo.portal.origin + path, json.dumps(body).encode(),
                                     {"Content-Type": "application/json", "X-CSRF-Token": csrf})
        try:
            with opener.open(req) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    nonce = post("/login/challenge", {})[1]["nonce"]
    token = call(demo.service.port, "POST", "/v1/auth", {"nonce": nonce}, origin=demo.portal.origin).json()
    assert post("/login/token", {"token": token}) == (200, {"next": "/dashboard"})
    status, body = post("/login/token", {"token": token})  # replay
    assert status == 400 and body["code"] == "NONCE_USED"

    # Token for another origin, presented here with a fresh nonce of this session: signature check fails.
    settings.update(approved_origins=tuple(settings.load().approved_origins) + ("https://other.example",))
    fresh = post("/login/challenge", {})[1]["nonce"]
    demo.service.registry.invalidate()
    foreign = call(demo.service.port, "POST", "/v1/auth", {"nonce": fresh}, origin="https://other.example")
    assert foreign.status == 200, foreign.body
    status, body = post("/login/token", {"token": foreign.json()})
    assert status == 400 and body["code"] == "AUTH_TOKEN_SIGNATURE_INVALID"
    # Without CSRF token the portal refuses before looking at anything.
    req = urllib.request.Request(demo.portal.origin + "/login/challenge", b"{}", {"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(req)
    assert refused.value.code == 403
    assert base64.b64decode(new_nonce())
