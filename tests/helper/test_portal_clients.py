"""Honest readiness: a portal names the client its login needs; 已就绪 only when all of it is present."""

from __future__ import annotations

import json

import pytest

from helper import messages, portals
from helper.keys import KeyService
from helper.messages import HelperError

HELPER_ENTRY = """
[[portal]]
id = "own"
name = "用本助手登录的网站"
region = "测试"
url = "https://own.example.gov.cn/"
needs_service = true
"""


@pytest.fixture(autouse=True)
def no_user_file():
    portals.user_path().unlink(missing_ok=True)
    yield
    portals.user_path().unlink(missing_ok=True)


def test_bundled_ca_key_portals_name_the_ca_control():
    entries = {p.id: p for p in portals.bundled()}
    assert entries["sjz-rsj"].login_client == "ca_control"
    assert entries["sjz-rsj"].client_name == "河北CA数字证书助手"
    assert "下载数字证书助手" in entries["sjz-rsj"].help  # the help says what to install
    assert entries["hlj-rst"].login_client == "none"


def test_key_present_is_not_ready_when_the_ca_control_is_needed(token_service, demo_token):
    check = portals.check(portals.find("sjz-rsj"), KeyService(token_service), lambda: True)
    assert check.problems == () and check.launchable
    assert not check.ready  # the site's login box is the CA's program: the helper cannot vouch for it
    assert check.external.code == "PORTAL_NEEDS_CA_CLIENT"
    assert "河北CA数字证书助手" in check.summary() and "不由本助手提供" in check.summary()



def test_helper_service_portal_is_ready_with_key_and_service(token_service, demo_token):
    portals.user_path().parent.mkdir(parents=True, exist_ok=True)
    portals.user_path().write_text(HELPER_ENTRY, "utf-8")
    own = portals.find("own")
    assert own.login_client == "helper"
    assert portals.check(own, KeyService(token_service), lambda: True).ready
    down = portals.check(own, KeyService(token_service), lambda: False)
    assert [m.code for m in down.problems] == ["PORTAL_SERVICE_DOWN"] and not down.launchable
    with pytest.raises(HelperError) as caught:
        portals.launch(down)
    assert caught.value.code == "PORTAL_NOT_READY"


def test_client_field_is_checked():
    portals.user_path().parent.mkdir(parents=True, exist_ok=True)
    portals.user_path().write_text(HELPER_ENTRY.replace("needs_service = true", 'client = "helper"'), "utf-8")
    with pytest.raises(HelperError) as caught:
        portals.load()
    assert caught.value.code == "PORTALS_INVALID" and "needs_service" in caught.value.message("en").explanation
    portals.user_path().write_text(HELPER_ENTRY.replace("needs_service = true", 'client = "plugin"'), "utf-8")
    with pytest.raises(HelperError):
        portals.load()


def test_cli_list_shows_what_is_not_the_helpers_to_provide(run_cli, demo_token):
    result = run_cli("portals", "list")
    assert result.returncode == 0, result.stderr
    block = result.stdout[result.stdout.index("sjz-rsj"):result.stdout.index("hebei-rst")]
    assert "已就绪" not in block and "河北CA数字证书助手" in block and "不由本助手提供" in block
    data = json.loads(run_cli("portals", "list", "--json").stdout)
    sjz = next(p for p in data["portals"] if p["id"] == "sjz-rsj")
    assert sjz["login_client"] == "ca_control" and sjz["ready"] is False and sjz["launchable"] is True
    assert sjz["needs_client"]["code"] == "PORTAL_NEEDS_CA_CLIENT"
    assert messages.get("PORTAL_NEEDS_CA_CLIENT", client="x").remedy
