"""System checks built for real: clock, an occupied port, the real local service, portals on loopback, browsers."""

from __future__ import annotations

import datetime as dt
import http.server
import os
import socket
import threading
from collections.abc import Iterator

import pytest

from helper import settings
from helper.diagnostics import Status
from helper.diagnostics.clock import RELEASE_DATE
from helper.keys import KeyService
from helper.local_service import LocalService, ServiceConfig
from tests.helper.diagnostics.kit import run_check

NO_KEY = "0000feedface0000"  # no such key: the clock is judged by the release date alone


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_clock_now_is_fine(env, demo_token):
    assert run_check("clock", env(serial=demo_token.serial)).code == "DIAG_CLOCK_OK"


def test_clock_before_release(env):
    result = run_check("clock", env(serial=NO_KEY, now=lambda: dt.datetime(2019, 5, 1, tzinfo=dt.UTC)))
    assert result.status is Status.ERROR and result.code == "DIAG_CLOCK_BEHIND"
    assert "2019-05-01" in result.message("zh").title


def test_clock_years_ahead(env):
    later = RELEASE_DATE + dt.timedelta(days=11 * 365)
    result = run_check("clock", env(serial=NO_KEY, now=lambda: later))
    assert result.status is Status.WARNING and result.code == "DIAG_CLOCK_AHEAD"


def test_service_not_running_on_a_free_port(env):
    port = free_port()
    result = run_check("local-service", env(settings=settings.Settings(service_port=port)))
    assert result.status is Status.WARNING and result.code == "DIAG_SERVICE_NOT_RUNNING"
    assert result.params["port"] == port


def test_port_held_by_another_program(env):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen(1)
        port = squatter.getsockname()[1]
        result = run_check("local-service", env(settings=settings.Settings(service_port=port), timeout=0.5))
    assert result.status is Status.ERROR and result.code == "DIAG_PORT_TAKEN"
    assert f"pid {os.getpid()}".lower() in result.params["program"].lower()
    assert str(port) in result.message("zh").title


def test_real_local_service_answers(env, token_service, demo_token):
    service = LocalService(KeyService(token_service), None, ServiceConfig(port=0))
    service.start()
    try:
        result = run_check("local-service", env(settings=settings.Settings(service_port=service.port)))
    finally:
        service.stop()
    assert result.status is Status.OK and result.code == "DIAG_SERVICE_OK"
    assert result.params["port"] == service.port


class _Head(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def portal_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Head)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_portals_reachable_and_not(env, portal_server):
    closed = f"http://127.0.0.1:{free_port()}/"
    ok = run_check("portals", env(portal_urls=(("演示网报", portal_server),)))
    assert ok.status is Status.OK and ok.params["count"] == 1
    some = run_check("portals", env(portal_urls=(("演示网报", portal_server), ("关闭的网站", closed))))
    assert some.status is Status.WARNING and some.code == "DIAG_PORTALS_SOME_DOWN"
    assert some.params["names"] == "关闭的网站"
    offline = run_check("portals", env(portal_urls=(("关闭的网站", closed),)))
    assert offline.status is Status.WARNING and offline.code == "DIAG_PORTALS_OFFLINE"
    assert offline.message("zh").title == "网络不通或网站暂时无法访问"


def test_browsers_found_on_path(env):
    result = run_check("browsers", env())
    assert result.status is Status.OK and any("chromium" in d for d in result.details)


def test_no_browser_on_path(env, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run_check("browsers", env())
    assert result.status is Status.WARNING and result.code == "DIAG_BROWSER_NONE"


def test_smartcard_service_is_windows_only(env):
    result = run_check("smartcard-service", env())
    assert result.status is Status.SKIPPED and "Windows" in result.message("zh").title
