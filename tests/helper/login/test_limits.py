"""Connections and bodies: idle and trickling clients are closed, refusals come before a large body is read,
bodies in flight are capped, the service answers under a slow-client flood and restarts on its port at once."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from login_kit import ORIGIN, ScriptedUI, call, new_nonce

from helper.login.http import HttpLimits, max_connections_for
from helper.login.keyops import Limits
from helper.messages import HelperError

ROOT = Path(__file__).resolve().parents[3]
FAST_HTTP = HttpLimits(idle_timeout=2.0, body_idle=2.0, body_grace=1.0)


def _head(port: int, path: str, length: int, origin: str = ORIGIN) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n").encode()


def _reply(conn: socket.socket, timeout: float = 10) -> bytes:
    """What the service sent until it closed the connection (or ``timeout`` passed)."""
    conn.settimeout(timeout)
    data = b""
    try:
        while chunk := conn.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def _closed_by_server(conn: socket.socket, timeout: float) -> bool:
    conn.settimeout(timeout)
    try:
        return conn.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_idle_and_trickling_connections_are_closed(start_service, ui):
    service = start_service(ui, http=FAST_HTTP)
    idle = socket.create_connection(("127.0.0.1", service.port))
    trickle = socket.create_connection(("127.0.0.1", service.port))
    started = time.monotonic()
    request = b"GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % service.port
    closed_at = None
    for byte in request:
        try:
            trickle.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            closed_at = time.monotonic()
            break
        time.sleep(0.5)
        if time.monotonic() - started > 6:
            break
    assert _closed_by_server(idle, 1)
    assert closed_at is not None or _closed_by_server(trickle, 1)
    assert time.monotonic() - started < 6  # idle_timeout 2 s
    assert call(service.port, "GET", "/v1/status").status == 200
    idle.close()
    trickle.close()


def test_trickling_body_times_out(start_service, ui):
    service = start_service(ui, http=FAST_HTTP)
    with socket.create_connection(("127.0.0.1", service.port)) as conn:
        conn.sendall(_head(service.port, "/v1/auth", 1000) + b'{"nonce": "')
        started = time.monotonic()
        for _ in range(8):
            try:
                conn.send(b"A")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.5)
        reply = _reply(conn)
    assert b" 408 " in reply.split(b"\r\n")[0] and b"REQUEST_TIMEOUT" in reply
    assert time.monotonic() - started < 5
    assert ui.requests == []


def test_busy_and_rate_limit_refuse_before_the_body_is_read(start_service):
    ui = ScriptedUI()
    service = start_service(ui, limits=Limits(consent_timeout=30))
    ui.hold = True
    first = threading.Thread(target=call, args=(service.port, "POST", "/v1/auth", {"nonce": new_nonce()}))
    first.start()
    assert ui.waiting.wait(5)
    for path in ("/v1/sign-pdf", "/v1/auth"):
        with socket.create_connection(("127.0.0.1", service.port)) as conn:
            conn.sendall(_head(service.port, path, 100_000_000))  # announces 100 MB, sends none of it
            reply = _reply(conn, 5)
        assert b" 409 " in reply.split(b"\r\n")[0] and b"KEY_BUSY" in reply, reply[:200]
    ui.release()
    first.join(10)
    limited = start_service(ScriptedUI(consent=False), limits=Limits(rate_max=1))
    assert call(limited.port, "POST", "/v1/auth", {"nonce": new_nonce()}).code == "CONSENT_DENIED"
    with socket.create_connection(("127.0.0.1", limited.port)) as conn:
        conn.sendall(_head(limited.port, "/v1/sign-pdf", 100_000_000))
        assert b"RATE_LIMITED" in _reply(conn, 5)


def test_renewal_origin_refused_before_the_body_is_read(start_service, ui):
    service = start_service(ui)
    with socket.create_connection(("127.0.0.1", service.port)) as conn:
        conn.sendall(_head(service.port, "/v1/renewal/install", 100_000))
        reply = _reply(conn, 5)
    assert b"RENEWAL_ORIGIN_NOT_ALLOWED" in reply


def test_bodies_in_flight_are_capped(start_service, ui):
    service = start_service(ui, pdf_limit_mb=10)  # sign-pdf bodies up to ~13.4 MB; 14.4 MB in flight at most
    with socket.create_connection(("127.0.0.1", service.port)) as first:
        first.sendall(_head(service.port, "/v1/sign-pdf", 10_000_000) + b'{"pdf": "')
        time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", service.port)) as second:
            second.sendall(_head(service.port, "/v1/sign-pdf", 10_000_000))
            reply = _reply(second, 5)
        assert b" 503 " in reply.split(b"\r\n")[0] and b"SERVICE_BUSY" in reply, reply[:200]
        small = call(service.port, "POST", "/v1/certificates", {})  # small bodies still fit
        assert small.status == 200, small.body
    time.sleep(0.3)
    with socket.create_connection(("127.0.0.1", service.port)) as third:  # the budget came back
        third.sendall(_head(service.port, "/v1/sign-pdf", 10_000_000))
        third.settimeout(0.5)
        with pytest.raises(TimeoutError):
            third.recv(100)  # accepted: the service is waiting for the body


def test_restart_binds_the_same_port_at_once(start_service, ui):
    service = start_service(ui)
    port = service.port
    keep = socket.create_connection(("127.0.0.1", port))  # an open connection: closing it leaves TIME_WAIT
    assert call(port, "GET", "/v1/status").status == 200
    service.stop()
    keep.close()
    again = start_service(ui, port=port)
    assert again.port == port and call(port, "GET", "/v1/status").status == 200


def test_port_in_use_by_no_visible_listener_blames_no_program(start_service, ui):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))  # bound, not listening: no program listens on it
    try:
        with pytest.raises(HelperError) as caught:
            start_service(ui, port=blocker.getsockname()[1])
    finally:
        blocker.close()
    assert caught.value.code == "SERVICE_PORT_UNAVAILABLE"
    assert "另一个程序" not in caught.value.message("zh").explanation
    assert "占用" not in caught.value.message("zh").title


def test_beyond_the_connection_cap_the_longest_idle_makes_room(start_service, ui):
    service = start_service(ui, http=HttpLimits(max_connections=20))
    conns = [socket.create_connection(("127.0.0.1", service.port)) for _ in range(30)]
    try:
        time.sleep(0.3)
        assert call(service.port, "GET", "/v1/status").status == 200
        closed = [n for n, conn in enumerate(conns) if _closed_by_server(conn, 0.2)]
        assert closed == list(range(11))  # the oldest made room for the newer ones and for the status call
    finally:
        for conn in conns:
            conn.close()


def test_connection_budget_follows_the_fd_limit():
    assert max_connections_for(1024) == 672
    assert max_connections_for(256) == 96
    assert max_connections_for(64) == 16


def test_status_answers_under_600_slow_connections_with_1024_fds(cli_env, tmp_path: Path):
    """The real `cahelper serve` with RLIMIT_NOFILE 1024 (a common desktop default) against 600 clients that
    connect and then send nothing or trickle headers: /v1/status keeps answering within 1 s, the slow sockets
    are closed by the service within 20 s, and nothing is logged as a traceback."""
    env = {**cli_env, "CAHELPER_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(["prlimit", "--nofile=1024:1024", sys.executable, "-m", "helper.cli.main", "serve",
                             "--port", "0"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=ROOT)
    conns: list[socket.socket] = []
    try:
        assert proc.stdout is not None
        port = None
        for line in proc.stdout:
            found = re.search(rb"http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
                break
        assert port, "the service did not start"
        started = time.monotonic()
        for n in range(600):
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
            if n % 2:
                conn.send(b"GET /v1/status HTTP/1.1\r\n")
            conns.append(conn)
        latencies = []
        open_ = set(range(600))
        while open_ and time.monotonic() - started < 25:
            t0 = time.monotonic()
            assert call(port, "GET", "/v1/status", origin=None, timeout=5).status == 200
            latencies.append(time.monotonic() - t0)
            for n in list(open_):
                conns[n].setblocking(False)
                try:
                    if conns[n].recv(1) == b"":
                        open_.discard(n)
                        continue
                except BlockingIOError:
                    pass
                except ConnectionResetError:
                    open_.discard(n)
                    continue
                if n % 2:
                    try:
                        conns[n].send(b"X")  # one more header byte
                    except (BrokenPipeError, ConnectionResetError):
                        open_.discard(n)
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        assert not open_, f"{len(open_)} slow connections still open after {elapsed:.0f} s"
        assert elapsed < 20
        assert max(latencies) < 1.0, latencies
    finally:
        for conn in conns:
            conn.close()
        proc.terminate()
        out = proc.communicate(timeout=15)[0].decode("utf-8", "replace")
    assert "Traceback" not in out, out[-2000:]


def test_large_bodies_parse_like_json_with_long_strings_left_as_bytes():
    import json

    from helper.login import http

    def plain(value):
        if isinstance(value, http.JsonBytes):
            return bytes(value.view).decode("utf-8")
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    bodies = [b'{"a": "' + b"x" * 100 + b'", "b": "sh\\"ort", "c": ["' + b"y" * 50 + b'\\\\", 1], "d": "'
              + "中文".encode() * 40 + b'"}',
              b'{"k\\\\": "' + b"z" * 30 + b'", "e": "\\u0041' + b"q" * 40 + b'"}', b"[1, 2]"]
    for body in bodies:
        parsed = http.loads_in_pieces(body, long_string=10)
        assert plain(parsed) == json.loads(body)
    assert isinstance(http.loads_in_pieces(bodies[0], long_string=10)["a"], http.JsonBytes)
    for bad in (b'{"a": "' + b"x" * 20, b'{"a": "' + b"x" * 20 + b'" "b"}'):
        with pytest.raises(ValueError):
            http.loads_in_pieces(bad, long_string=10)


def test_base64_in_pieces_is_strict():
    import base64
    import os

    from helper.login.http import JsonBytes
    from helper.login.pdfsign import b64decode_in_pieces

    data = os.urandom(1000)
    text = base64.b64encode(data).decode()
    assert b64decode_in_pieces(text, piece=8) == data
    framed = b'{"pdf": "' + text.encode() + b'"}'
    assert b64decode_in_pieces(JsonBytes(framed, 9, len(framed) - 2), piece=8) == data
    with pytest.raises(HelperError):
        b64decode_in_pieces(JsonBytes(b'"QUI=QUJD"', 1, 9), piece=4)
    for bad in ("QUI=QUJD", "QUJD!UJD", "QUJ", text[:-1] + "*"):
        with pytest.raises(HelperError):
            b64decode_in_pieces(bad, piece=4)
