"""The local service: the login flow through the scripted consent hook, and every refusal rule."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import threading
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from login_kit import ORIGIN, ScriptedUI, call, new_nonce

from helper import settings
from helper.login.keyops import Limits
from helper.messages import HelperError


def _cert_id(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()[:16]


def test_status_without_origin_and_openapi(service):
    reply = call(service.port, "GET", "/v1/status", origin=None)
    assert reply.status == 200
    assert reply.json()["keyPresent"] is True
    assert "access-control-allow-origin" not in reply.headers
    doc = call(service.port, "GET", "/v1/openapi.json", origin=None).json()
    assert set(doc["paths"]) >= {"/v1/status", "/v1/certificates", "/v1/auth"}


def test_certificates_ask_once_for_the_origin(service, ui, demo_token):
    first = call(service.port, "POST", "/v1/certificates", {})
    assert first.status == 200, first.body
    assert first.headers["access-control-allow-origin"] == ORIGIN
    ids = {c["id"] for c in first.json()["certificates"]}
    assert _cert_id(demo_token.cert(0)) in ids and _cert_id(demo_token.cert(1)) in ids
    assert _cert_id(demo_token.cert(2)) not in ids  # the encryption certificate is not offered
    unit = next(c for c in first.json()["certificates"] if c["id"] == _cert_id(demo_token.cert(0)))["unit"]
    assert unit == "石家庄示例科技有限公司"
    assert ORIGIN in settings.load().approved_origins
    call(service.port, "POST", "/v1/certificates", {})
    assert ui.kinds() == ["approve_origin"]  # approval asked once, remembered


def test_refused_origin_approval(start_service):
    ui = ScriptedUI(approve=False)
    service = start_service(ui)
    reply = call(service.port, "POST", "/v1/certificates", {})
    assert (reply.status, reply.code) == (403, "ORIGIN_NOT_APPROVED")
    assert ORIGIN not in settings.load().approved_origins


@pytest.mark.parametrize("key_index, algorithm", [(0, "RS256"), (1, "ES256")])
def test_auth_token_verifies_with_openssl(service, ui, demo_token, tmp_path: Path, key_index, algorithm):
    nonce = new_nonce()
    cert_der = demo_token.cert(key_index)
    reply = call(service.port, "POST", "/v1/auth", {"nonce": nonce, "certificateId": _cert_id(cert_der)})
    assert reply.status == 200, reply.body
    token = reply.json()
    assert token["format"] == "web-eid:1.0" and token["algorithm"] == algorithm
    assert base64.b64decode(token["unverifiedCertificate"]) == cert_der
    assert ui.requests[-1].kind == "authenticate" and ui.requests[-1].origin == ORIGIN
    # Independent check: openssl over SHA-256(origin) || SHA-256(nonce).
    data = hashlib.sha256(ORIGIN.encode()).digest() + hashlib.sha256(nonce.encode()).digest()
    signature = base64.b64decode(token["signature"])
    if algorithm == "ES256":
        assert len(signature) == 64
        signature = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public = x509.load_der_x509_certificate(cert_der).public_key()
    (tmp_path / "pub.pem").write_bytes(public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    (tmp_path / "data").write_bytes(data)
    (tmp_path / "sig").write_bytes(signature)
    check = subprocess.run(["openssl", "dgst", "-sha256", "-verify", tmp_path / "pub.pem", "-signature",
                            tmp_path / "sig", tmp_path / "data"], capture_output=True, text=True)
    assert check.returncode == 0 and "Verified OK" in check.stdout
    (tmp_path / "data").write_bytes(hashlib.sha256(b"https://other.example").digest() + data[32:])
    other = subprocess.run(["openssl", "dgst", "-sha256", "-verify", tmp_path / "pub.pem", "-signature",
                            tmp_path / "sig", tmp_path / "data"], capture_output=True, text=True)
    assert other.returncode != 0


def test_user_cancels(start_service):
    ui = ScriptedUI(consent=False)
    service = start_service(ui)
    reply = call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()})
    assert (reply.status, reply.code) == (403, "CONSENT_DENIED")
    assert service.ops.key_uses == 0


@pytest.mark.parametrize("nonce", ["", "c2hvcnQ=", "!" * 44, base64.b64encode(b"x" * 31).decode(), 12345,
                                   "A" * 300])
def test_bad_nonce_never_reaches_the_key(service, ui, nonce):
    reply = call(service.port, "POST", "/v1/auth", {"nonce": nonce})
    assert reply.status == 400 and reply.code in ("NONCE_INVALID", "REQUEST_INVALID")
    assert ui.requests == [] and service.ops.key_uses == 0


@pytest.mark.parametrize("origin, code", [
    ("https://evil.example", "ORIGIN_NOT_ALLOWED"),
    ("https://portal.example.evil.example", "ORIGIN_NOT_ALLOWED"),
    ("http://portal.example", "ORIGIN_NOT_ALLOWED"),
    ("null", "ORIGIN_NOT_ALLOWED"),
    (None, "ORIGIN_MISSING"),
])
def test_wrong_or_missing_origin(service, ui, origin, code):
    for path, body in (("/v1/auth", {"nonce": new_nonce()}), ("/v1/certificates", {})):
        reply = call(service.port, "POST", path, body, origin=origin)
        assert (reply.status, reply.code) == (403, code)
        assert "access-control-allow-origin" not in reply.headers
    assert ui.requests == [] and service.ops.key_uses == 0


def test_status_from_a_foreign_origin_is_refused(service):
    reply = call(service.port, "GET", "/v1/status", origin="https://evil.example")
    assert (reply.status, reply.code) == (403, "ORIGIN_NOT_ALLOWED")
    assert b"keyPresent" not in reply.body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1", "127.0.0.2:{port}", ""])
def test_dns_rebinding_host(service, ui, host):
    reply = call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()}, host=host.format(port=service.port))
    assert (reply.status, reply.code) == (403, "HOST_NOT_ALLOWED")
    assert ui.requests == []
    assert call(service.port, "GET", "/v1/status", host=f"localhost:{service.port}").status == 200


def test_preflight_with_private_network_access(service):
    reply = call(service.port, "OPTIONS", "/v1/auth", origin=ORIGIN, content_type=None, headers={
        "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type",
        "Access-Control-Request-Private-Network": "true"})
    assert reply.status == 204
    assert reply.headers["access-control-allow-origin"] == ORIGIN
    assert reply.headers["access-control-allow-private-network"] == "true"
    assert "POST" in reply.headers["access-control-allow-methods"]
    bad = call(service.port, "OPTIONS", "/v1/auth", origin="https://evil.example", content_type=None,
               headers={"Access-Control-Request-Method": "POST"})
    assert bad.status == 403 and "access-control-allow-origin" not in bad.headers
    assert "access-control-allow-private-network" not in bad.headers


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None,
                                          "multipart/form-data; boundary=x"])
def test_non_json_body(service, ui, content_type):
    reply = call(service.port, "POST", "/v1/auth", raw=b'{"nonce": "%s"}' % new_nonce().encode(),
                 content_type=content_type)
    assert (reply.status, reply.code) == (415, "CONTENT_TYPE_INVALID")
    assert ui.requests == []


def test_malformed_and_oversized_bodies(service, ui):
    assert call(service.port, "POST", "/v1/auth", raw=b"{not json").code == "REQUEST_INVALID"
    assert call(service.port, "POST", "/v1/auth", raw=b"[1, 2]").code == "REQUEST_INVALID"
    assert call(service.port, "POST", "/v1/auth", {"nonce": new_nonce(), "pin": "123456"}).code == "REQUEST_INVALID"
    big = call(service.port, "POST", "/v1/auth", raw=b'{"nonce": "' + b"A" * 100_000 + b'"}')
    assert (big.status, big.code) == (413, "BODY_TOO_LARGE")
    assert call(service.port, "GET", "/v1/nothing").status == 404
    assert call(service.port, "GET", "/v1/auth").code == "METHOD_NOT_ALLOWED"
    assert ui.requests == [] and service.ops.key_uses == 0


def test_body_arriving_in_pieces_is_read_whole(service, ui, demo_token):
    """A large request (a PDF) reaches the service in several TCP segments; a slow link must not turn
    it into 'not valid JSON'."""
    import json
    import socket

    ui.choose = lambda request: _cert_id(demo_token.cert(0))
    body = json.dumps({"nonce": new_nonce()}).encode()
    head = (f"POST /v1/auth HTTP/1.1\r\nHost: 127.0.0.1:{service.port}\r\nOrigin: {ORIGIN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", service.port), timeout=30) as conn:
        conn.sendall(head + body[:10])
        time.sleep(0.3)
        conn.sendall(body[10:])
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200"), reply[:300]


def test_one_key_operation_at_a_time(service, ui):
    ui.hold = True
    results = {}
    first = threading.Thread(target=lambda: results.setdefault("first", call(
        service.port, "POST", "/v1/auth", {"nonce": new_nonce()})))
    first.start()
    assert ui.waiting.wait(5)
    second = call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()})
    assert (second.status, second.code) == (409, "KEY_BUSY")
    assert call(service.port, "POST", "/v1/certificates", {}).code == "KEY_BUSY"
    assert call(service.port, "GET", "/v1/status").status == 200  # still responsive
    ui.release()
    first.join(10)
    assert results["first"].status == 200
    assert service.ops.key_uses == 1


def test_dialog_timeout_cancels_without_key_use(service, ui):
    ui.hold = True  # the user never answers; FAST limits time out after 1 s
    started = time.monotonic()
    reply = call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()})
    assert (reply.status, reply.code) == (408, "CONSENT_TIMEOUT")
    assert 0.9 < time.monotonic() - started < 5
    assert ui.cancels >= 1 and service.ops.key_uses == 0
    ui.hold = False
    assert call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()}).status == 200


def test_wrong_pin_cooldown_stops_brute_force(start_service):
    ui = ScriptedUI(pin="000000")
    service = start_service(ui)
    first = call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()})
    assert first.status == 403 and first.code.startswith("PIN_INCORRECT")
    asked = len(ui.requests)
    for _ in range(5):
        reply = call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()})
        assert (reply.status, reply.code) == (429, "PIN_COOLDOWN")
    assert len(ui.requests) == asked  # no dialog, no PIN tried during the pause
    time.sleep(2.1)
    assert call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()}).code.startswith("PIN_INCORRECT")
    second = call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()})
    assert second.code == "PIN_COOLDOWN" and "4" in second.json()["message"]  # doubled
    assert service.ops.key_uses == 0


def test_rate_limit_per_origin(start_service):
    ui = ScriptedUI(consent=False)
    service = start_service(ui, limits=Limits(consent_timeout=1, rate_max=3))
    codes = [call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()}).code for _ in range(5)]
    assert codes == ["CONSENT_DENIED"] * 3 + ["RATE_LIMITED"] * 2
    assert ui.kinds() == ["approve_origin"] + ["authenticate"] * 3


def test_no_consent_ui_refuses_key_operations(start_service):
    service = start_service(None)
    reply = call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()})
    assert (reply.status, reply.code) == (409, "NO_CONSENT_UI")
    assert call(service.port, "POST", "/v1/certificates", {}).code == "NO_CONSENT_UI"
    assert call(service.port, "GET", "/v1/status").status == 200


def test_error_body_is_coded_json_in_the_users_language(service):
    reply = call(service.port, "POST", "/v1/auth", {"nonce": "x"})
    body = reply.json()
    assert set(body) == {"code", "message", "explanation", "remedy"}
    assert "Traceback" not in reply.body.decode()
    assert "挑战码" in body["message"]


def test_port_busy_names_the_holder(start_service, service):
    from helper.messages import HelperError

    with pytest.raises(HelperError) as caught:
        start_service(ScriptedUI(), port=service.port)
    assert caught.value.code == "SERVICE_PORT_BUSY"
    text = caught.value.message("en").explanation
    assert str(service.port) in text and "PID" in text


def test_wrong_pin_pause_survives_a_restart(start_service, tmp_path: Path):
    import json

    path = tmp_path / "pause.json"
    ui = ScriptedUI(pin="000000")
    service = start_service(ui, cooldown_path=path, limits=Limits(cooldown_base=30, cooldown_max=60))
    assert call(service.port, "POST", "/v1/auth", {"nonce": new_nonce()}).code.startswith("PIN_INCORRECT")
    service.stop()
    stored = json.loads(path.read_text())
    assert set(stored) == {"failures", "until", "until_text"} and stored["failures"] == 1
    assert "000000" not in path.read_text()
    again = start_service(ScriptedUI(), cooldown_path=path, limits=Limits(cooldown_base=30, cooldown_max=60))
    reply = call(again.port, "POST", "/v1/auth", {"nonce": new_nonce()})
    assert reply.code == "PIN_COOLDOWN" and again.ops.key_uses == 0


def test_a_pause_from_a_clock_set_back_is_cut_to_the_maximum(tmp_path: Path):
    import json

    from helper.login.keyops import Cooldown

    path = tmp_path / "pause.json"
    path.write_text(json.dumps({"failures": 3, "until": time.time() + 10 * 86400}))
    with pytest.raises(HelperError) as caught:
        Cooldown(Limits(cooldown_max=60), path).check()
    assert caught.value.params["seconds"] <= 60
