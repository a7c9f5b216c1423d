"""Portal registry (bundled + user file), readiness in words, browser launch and the CLI."""

from __future__ import annotations

import dataclasses
import json
import stat
import sys
import time
from pathlib import Path

import pytest

from helper import browsers, portals
from helper.keys import KeyService
from helper.messages import HelperError


@pytest.fixture(autouse=True)
def no_user_file():
    portals.user_path().unlink(missing_ok=True)
    yield
    portals.user_path().unlink(missing_ok=True)


def test_bundled_list_from_the_seeds():
    entries = {p.id: p for p in portals.load()}
    assert entries["sjz-rsj"].name == "石家庄人社局网报"
    assert entries["nj-rsj"].url == "http://wsbs.njhrss.gov.cn/NJLD/"
    assert entries["hlj-rst"].login == "qr_code"
    # The product lists no demo site: a local program on the demo's ports must not get the service.
    assert [p.id for p in entries.values() if p.allow_http or p.needs_service or p.renewal] == []
    assert portals.service_origins(entries.values()) == frozenset()


def test_demo_sites_come_from_the_demo_home():
    from helper.demo.sites import register_demo_portals

    register_demo_portals()
    entries = portals.load()
    assert {p.id for p in entries if p.source == "user"} == {"demo", "demo-renewal"}
    assert portals.service_origins(entries) == {"http://127.0.0.1:28961", "http://127.0.0.1:28962"}
    assert portals.renewal_origins(entries) == {"http://127.0.0.1:28962"}


def test_user_entries_survive_and_override(tmp_path):
    mine = portals.Portal("my-site", "我的网站", "河北省", "https://wb.example.gov.cn/", needs_service=True)
    portals.save_user_entry(mine)
    portals.set_hidden("hlj-rst", True)
    edited = dataclasses.replace(portals.find("sjz-rsj"), browser="edge")
    portals.save_user_entry(edited)
    visible = {p.id: p for p in portals.load()}
    assert "hlj-rst" not in visible and "hlj-rst" in {p.id for p in portals.load(include_hidden=True)}
    assert visible["my-site"].source == "user" and visible["sjz-rsj"].browser == "edge"
    assert "https://wb.example.gov.cn" in portals.service_origins(visible.values())
    # The bundled file is read fresh every time: the user's entries are a separate overlay.
    assert {p.id for p in portals.bundled()} >= {"sjz-rsj", "hlj-rst"}


def test_invalid_user_file_is_a_coded_error():
    portals.user_path().parent.mkdir(parents=True, exist_ok=True)
    portals.user_path().write_text('[[portal]]\nid = "x"\nname = "x"\nregion = "x"\nurl = "ftp://x"\n', "utf-8")
    with pytest.raises(HelperError) as caught:
        portals.load()
    assert caught.value.code == "PORTALS_INVALID"
    portals.user_path().write_text('[[portal]]\nid = "x"\nname = "x"\nregion = "x"\nurl = "https://x"\nfoo = 1\n')
    with pytest.raises(HelperError):
        portals.load()


def test_readiness_in_words(token_service, demo_token):
    from helper.demo.sites import DEMO_PORTALS

    demo = DEMO_PORTALS[0]
    without_key = portals.check(demo, None, lambda: False)
    assert [m.code for m in without_key.problems] == ["PORTAL_NEEDS_KEY", "PORTAL_SERVICE_DOWN"]
    with_key = portals.check(demo, KeyService(token_service), lambda: True)
    assert with_key.ready, with_key.summary()
    qr = portals.check(portals.find("hlj-rst"), None, lambda: False)
    assert qr.ready  # scanning a QR code needs neither key nor service
    with pytest.raises(HelperError) as caught:
        portals.launch(without_key)
    assert caught.value.code == "PORTAL_NOT_READY" and "U盾" in caught.value.message("zh").explanation


def test_expired_certificate_is_named(make_token, token_service):
    from datetime import UTC, datetime, timedelta

    token = make_token("过期U盾", keys=(("ec-p256", "sign"),), days=1)

    class OnlyThisKey(KeyService):  # the clerk has only this key inserted; the session holds many more
        def certificates(self, serial: str | None = None):
            return super().certificates(token.serial)

    later = datetime.now(UTC) + timedelta(days=3)
    check = portals.check(portals.find("sjz-rsj"), OnlyThisKey(token_service), lambda: True, now=later)
    assert [m.code for m in check.problems] == ["PORTAL_CERT_EXPIRED"]


def _fake_browser(folder: Path, name: str) -> Path:
    log = folder / f"{name}.log"
    script = folder / name
    script.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'w').write(' '.join(sys.argv[1:]))\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return log


def test_launch_uses_the_recommended_browser(tmp_path, monkeypatch):
    chrome_log = _fake_browser(tmp_path, "google-chrome")
    _fake_browser(tmp_path, "firefox")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert [b.key for b in browsers.discover()] == ["chrome", "firefox"]
    ready = portals.check(portals.find("hlj-rst"), None, lambda: False)
    assert portals.launch(ready) == "Google Chrome"
    for _ in range(100):
        if chrome_log.exists() and chrome_log.read_text():
            break
        time.sleep(0.05)
    assert chrome_log.read_text() == "http://111.41.62.151:31000/sever"
    assert browsers.open_url("https://x.example/", "firefox") == "Firefox"


def test_cli_portals_list_json(run_cli, demo_token):
    from helper.demo.sites import register_demo_portals

    register_demo_portals()
    result = run_cli("portals", "list", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    ids = [p["id"] for p in data["portals"]]
    assert ids[:2] == ["sjz-rsj", "hebei-rst"] and "demo" in ids
    demo = next(p for p in data["portals"] if p["id"] == "demo")
    assert demo["origin"] == "http://127.0.0.1:28961"
    codes = {p["code"] for p in demo["problems"]}
    assert "PORTAL_NEEDS_KEY" not in codes and codes <= {"PORTAL_SERVICE_DOWN"}


def test_cli_open_unknown_portal(run_cli):
    result = run_cli("portals", "open", "nope")
    assert result.returncode == 2 and "nope" in result.stderr  # an unknown ID is a usage error
