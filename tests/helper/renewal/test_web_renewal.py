"""Web-driven renewal through the local service: /v1/renewal/csr and /v1/renewal/install with the scripted
consent hook, on real SoftHSM keys; every refusal leaves the key unchanged."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from renewal_kit import Forger, renewals, store, token_objects

from helper import settings
from helper.demo.pki import DemoPKI, software_key, unit_name
from helper.keys import KeyService
from helper.local_service import LocalService, ServiceConfig
from helper.login.keyops import Limits
from helper.login.server import openapi_document
from helper.renewal.service import WAITING_DAYS
from tests.helper.login.login_kit import ORIGIN, ScriptedUI, call

RENEWAL = "https://renew.ca.example"
FAST = Limits(consent_timeout=1.0, cooldown_base=0.1, cooldown_max=0.2)


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode()


def _spki(der: bytes) -> bytes:
    return x509.load_der_x509_certificate(der).public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _sha256(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _cert_id(der: bytes) -> str:
    return _sha256(der)[:16]


@pytest.fixture()
def start(token_service, tmp_path) -> Iterator[Callable[..., LocalService]]:
    """A local service on a free port where RENEWAL is a renewal site and ORIGIN an ordinary portal."""
    started: list[LocalService] = []
    settings.update(approved_origins=())

    def run(ui: ScriptedUI, limits: Limits = FAST) -> LocalService:
        service = LocalService(KeyService(token_service), ui, ServiceConfig(port=0, limits=limits,
                                                                          cooldown_path=tmp_path / "cooldown.json"),
                               extra_origins=(ORIGIN, RENEWAL), renewal_origins=(RENEWAL,))
        service.start()
        started.append(service)
        return service

    yield run
    for service in started:
        service.stop()
    settings.update(approved_origins=())


@pytest.fixture()
def key(make_token):
    return make_token(keys=(("rsa2048", "sign"),), days=20)


def _certs_by_key(token_service, token) -> dict[bytes, list[bytes]]:
    out: dict[bytes, list[bytes]] = {}
    for obj in token_service.certificates(token.serial):
        out.setdefault(obj.cka_id, []).append(obj.der)
    return out


def test_openapi_lists_the_renewal_endpoints():
    paths = json.loads(openapi_document())["paths"]
    assert {"/v1/renewal/csr", "/v1/renewal/install"} <= set(paths)


def test_same_key_renewal_replaces_the_certificate(start, token_service, key, demo_pki):
    ui = ScriptedUI(pin=key.pin)
    service = start(ui)
    old = key.cert(0)
    reply = call(service.port, "POST", "/v1/renewal/csr", {"certificateId": _cert_id(old)}, origin=RENEWAL)
    assert reply.status == 200, reply.body
    body = reply.json()
    assert (body["newKey"], body["keyType"], body["keyId"]) == (False, "rsa", key.keys[0].cka_id.hex())
    csr = x509.load_der_x509_csr(base64.b64decode(body["csr"]))
    assert csr.is_signature_valid
    assert csr.subject == x509.load_der_x509_certificate(old).subject
    assert csr.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) == _spki(old)
    request = ui.requests[-1]
    assert ui.kinds() == ["approve_origin", "renewal_csr"] and request.origin == RENEWAL
    assert request.preselected == _cert_id(old)
    assert "石家庄示例科技有限公司" in request.summary and "张三" in request.summary and "沿用" in request.summary

    renewed = demo_pki.issue(_spki(old), unit_name(), days=730)
    reply = call(service.port, "POST", "/v1/renewal/install",
                 {"certificate": _b64(renewed), "chain": [_b64(d) for d in demo_pki.chain_der],
                  "certificateId": body["certificateId"]}, origin=RENEWAL)
    assert reply.status == 200, reply.body
    done = reply.json()
    assert done["ok"] is True and done["code"] == "RENEW_INSTALLED" and done["certificateId"] == _cert_id(renewed)
    assert ui.requests[-1].kind == "renewal_install" and "石家庄示例科技有限公司" in ui.requests[-1].summary
    assert _certs_by_key(token_service, key) == {key.keys[0].cka_id: [renewed]}
    entry = store().history()[0]
    assert entry["kind"] == "web" and entry["outcome"] == "completed"
    assert entry["certificate"].startswith(done["certificateId"]) and entry["replaced"] == [_sha256(old)]
    assert (store().folder / "history" / f"{_sha256(old)}.cer").read_bytes() == old


def test_new_key_renewal_generates_a_key_pair_and_installs_for_it(start, token_service, key, demo_pki):
    ui = ScriptedUI(pin=key.pin)
    service = start(ui)
    old = key.cert(0)
    reply = call(service.port, "POST", "/v1/renewal/csr",
                 {"certificateId": _cert_id(old), "newKey": True, "keyType": "ec"}, origin=RENEWAL)
    assert reply.status == 200, reply.body
    body = reply.json()
    new_id = bytes.fromhex(body["keyId"])
    assert body["newKey"] is True and body["keyType"] == "ec" and new_id != key.keys[0].cka_id
    assert "EC P-256" in ui.requests[-1].summary
    csr = x509.load_der_x509_csr(base64.b64decode(body["csr"]))
    assert csr.is_signature_valid
    keys_now = {o[1] for o in token_objects(token_service, key.serial, key.pin) if o[0] == "key"}
    assert keys_now == {key.keys[0].cka_id, new_id}

    spki = csr.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    renewed = demo_pki.issue(spki, unit_name(), days=730)
    reply = call(service.port, "POST", "/v1/renewal/install",
                 {"certificate": _b64(renewed), "chain": [_b64(d) for d in demo_pki.chain_der],
                  "certificateId": body["certificateId"]}, origin=RENEWAL)
    assert reply.status == 200, reply.body
    # the old pair keeps its certificate until it expires; the new pair has exactly the new one
    assert _certs_by_key(token_service, key) == {key.keys[0].cka_id: [old], new_id: [renewed]}


def _unchanged(token_service, key, ui: ScriptedUI, reply, status: int, code: str, before) -> None:
    assert (reply.status, reply.code) == (status, code), reply.body
    assert token_objects(token_service, key.serial, key.pin) == before
    assert not store().pending(key.serial)


@pytest.mark.parametrize("path", ["/v1/renewal/csr", "/v1/renewal/install"])
def test_origins_that_are_not_renewal_sites_are_refused(start, token_service, key, demo_pki, path):
    ui = ScriptedUI(pin=key.pin)
    service = start(ui)
    before = token_objects(token_service, key.serial, key.pin)
    body = {"certificateId": _cert_id(key.cert(0))} if path.endswith("csr") else \
        {"certificate": _b64(demo_pki.issue(_spki(key.cert(0)), unit_name())), "certificateId": _cert_id(key.cert(0))}
    _unchanged(token_service, key, ui, call(service.port, "POST", path, body, origin="https://evil.example"),
               403, "ORIGIN_NOT_ALLOWED", before)
    portal = call(service.port, "POST", path, body, origin=ORIGIN)  # allowed portal, but no renewal site
    _unchanged(token_service, key, ui, portal, 403, "RENEWAL_ORIGIN_NOT_ALLOWED", before)
    assert "access-control-allow-origin" in portal.headers
    assert ui.requests == []


def test_certificate_for_another_key_never_reaches_a_dialog(start, token_service, key, demo_pki):
    ui = ScriptedUI(pin=key.pin)
    service = start(ui)
    before = token_objects(token_service, key.serial, key.pin)
    stranger = software_key("rsa").public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    reply = call(service.port, "POST", "/v1/renewal/install",
                 {"certificate": _b64(demo_pki.issue(stranger, unit_name(), days=730)),
                  "certificateId": _cert_id(key.cert(0))}, origin=RENEWAL)
    _unchanged(token_service, key, ui, reply, 400, "RENEW_KEY_MISMATCH", before)
    assert ui.requests == []


ANY_ID = {"certificateId": "00112233445566ff"}


@pytest.mark.parametrize(("body", "code"), [
    ({"certificate": "not base64 at all!", **ANY_ID}, "RENEW_REQUEST_INVALID"),
    ({"certificate": _b64(b"\x30\x03garbage"), **ANY_ID}, "CERT_UNREADABLE"),
    ({"certificate": _b64(b"x"), "extra": 1, **ANY_ID}, "RENEW_REQUEST_INVALID"),
    ({"chain": [], **ANY_ID}, "RENEW_REQUEST_INVALID"),
    ({"certificate": _b64(b"x"), "chain": "nope", **ANY_ID}, "RENEW_REQUEST_INVALID"),
    ({"certificate": _b64(b"x")}, "RENEW_REQUEST_INVALID"),  # certificateId is required
])
def test_garbage_install_requests_never_reach_a_dialog(start, token_service, key, body, code):
    ui = ScriptedUI(pin=key.pin)
    service = start(ui)
    before = token_objects(token_service, key.serial, key.pin)
    _unchanged(token_service, key, ui, call(service.port, "POST", "/v1/renewal/install", body, origin=RENEWAL),
               400, code, before)
    assert ui.requests == []


def test_untrusted_certificate_never_reaches_a_dialog(start, token_service, key):
    ui = ScriptedUI(pin=key.pin)
    service = start(ui)
    before = token_objects(token_service, key.serial, key.pin)
    rogue = DemoPKI.create()
    body = {"certificate": _b64(rogue.issue(_spki(key.cert(0)), unit_name(), days=730)),
            "chain": [_b64(d) for d in rogue.chain_der], "certificateId": _cert_id(key.cert(0))}
    _unchanged(token_service, key, ui, call(service.port, "POST", "/v1/renewal/install", body, origin=RENEWAL),
               400, "RENEW_CHAIN_UNTRUSTED", before)
    assert ui.requests == []


@pytest.mark.parametrize("bad", [{"keyType": "ec"}, {"newKey": "yes"}, {"newKey": True, "keyType": "dsa"}])
def test_bad_csr_requests_are_refused(start, key, bad):
    ui = ScriptedUI(pin=key.pin)
    service = start(ui)
    reply = call(service.port, "POST", "/v1/renewal/csr", {"certificateId": _cert_id(key.cert(0)), **bad},
                 origin=RENEWAL)
    assert (reply.status, reply.code) == (400, "RENEW_REQUEST_INVALID")
    assert ui.requests == []


@pytest.mark.parametrize("how", ["declined", "timeout", "wrong_pin"])
def test_new_key_request_declined_timed_out_or_wrong_pin_leaves_the_key_unchanged(start, token_service, key, how):
    ui = ScriptedUI(pin="000000" if how == "wrong_pin" else key.pin)
    service = start(ui)
    settings.update(approved_origins=(RENEWAL,))
    before = token_objects(token_service, key.serial, key.pin)
    ui.consent = how != "declined"
    ui.hold = how == "timeout"
    reply = call(service.port, "POST", "/v1/renewal/csr",
                 {"certificateId": _cert_id(key.cert(0)), "newKey": True}, origin=RENEWAL)
    expected = {"declined": (403, "CONSENT_DENIED"), "timeout": (408, "CONSENT_TIMEOUT"),
                "wrong_pin": (403, "PIN_INCORRECT")}[how]
    assert reply.status == expected[0] and reply.code.startswith(expected[1]), reply.body
    assert token_objects(token_service, key.serial, key.pin) == before
    assert ui.kinds() == ["renewal_csr"]
    if how == "timeout":
        assert ui.cancels >= 1


# --- issue 11: a forged certificate, another unit's certificate, repeated new-key requests ----------------
def test_forged_certificate_never_reaches_a_dialog_and_changes_nothing(start, token_service, key, demo_pki):
    """Issued by an end-entity certificate of the trusted CA (CA:FALSE), valid for a century, unit and holder
    copied: refused before any dialog, the key's objects byte for byte as before."""
    ui = ScriptedUI(pin=key.pin)
    service = start(ui)
    settings.update(approved_origins=(RENEWAL,))
    before = token_objects(token_service, key.serial, key.pin)
    forger = Forger(demo_pki)
    reply = call(service.port, "POST", "/v1/renewal/install",
                 {"certificate": _b64(forger.issue(_spki(key.cert(0)), unit_name())),
                  "chain": [_b64(d) for d in forger.chain], "certificateId": _cert_id(key.cert(0))}, origin=RENEWAL)
    _unchanged(token_service, key, ui, reply, 400, "RENEW_CHAIN_INVALID", before)
    assert ui.requests == []


def test_install_is_bound_to_the_approved_certificate(start, token_service, make_token, demo_pki):
    """certificateId names key 1's certificate (张三); the body holds a CA-issued certificate for key 2 of another
    unit (王五): refused, and neither key changes."""
    first = make_token(keys=(("rsa2048", "sign"),), days=20)
    second = make_token(keys=(("rsa2048", "sign"),), days=20,
                        subject=unit_name("另一家单位有限公司", "王五", "91130100MA0OTHER9Y"))
    ui = ScriptedUI(pin=first.pin)
    service = start(ui)
    settings.update(approved_origins=(RENEWAL,))
    before = [token_objects(token_service, t.serial, t.pin) for t in (first, second)]
    issued = demo_pki.issue(_spki(second.cert(0)), unit_name("另一家单位有限公司", "王五", "91130100MA0OTHER9Y"),
                            days=730)
    reply = call(service.port, "POST", "/v1/renewal/install",
                 {"certificate": _b64(issued), "chain": [_b64(d) for d in demo_pki.chain_der],
                  "certificateId": _cert_id(first.cert(0))}, origin=RENEWAL)
    assert (reply.status, reply.code) == (400, "RENEW_SUBJECT_MISMATCH"), reply.body
    assert "另一家单位有限公司" in reply.json()["explanation"]
    assert [token_objects(token_service, t.serial, t.pin) for t in (first, second)] == before
    assert ui.requests == []


def _key_ids(token_service, key) -> set[bytes]:
    return {o[1] for o in token_objects(token_service, key.serial, key.pin) if o[0] == "key"}


def test_repeated_new_key_requests_leave_one_waiting_key_pair_and_cancel_removes_it(start, token_service, key,
                                                                                   demo_pki):
    ui = ScriptedUI(pin=key.pin)
    service = start(ui)
    settings.update(approved_origins=(RENEWAL,))
    before = token_objects(token_service, key.serial, key.pin)
    body = {"certificateId": _cert_id(key.cert(0)), "newKey": True}
    replies = [call(service.port, "POST", "/v1/renewal/csr", body, origin=RENEWAL) for _ in range(3)]
    assert [r.status for r in replies] == [200, 200, 200], replies[-1].body
    assert len({r.json()["keyId"] for r in replies}) == 1  # the waiting key pair is reused
    assert len(_key_ids(token_service, key)) == 2
    (waiting,) = store().pending(key.serial)
    assert waiting.step == "awaiting" and waiting.target == key.cert(0)
    # another kind of key replaces it: still one extra key pair
    ec = call(service.port, "POST", "/v1/renewal/csr", {**body, "keyType": "ec"}, origin=RENEWAL)
    assert ec.status == 200 and ec.json()["keyId"] != replies[0].json()["keyId"]
    assert len(_key_ids(token_service, key)) == 2 and len(store().pending(key.serial)) == 1
    cancelled = renewals(token_service).cancel(key.serial, bytearray(key.pin.encode()))
    assert len(cancelled) == 1 and store().history()[0]["outcome"] == "cancelled"
    assert token_objects(token_service, key.serial, key.pin) == before


def test_waiting_key_pair_is_removed_by_recover_or_once_stale_and_installs_when_its_certificate_comes(
        start, token_service, key, demo_pki):
    ui = ScriptedUI(pin=key.pin)
    service = start(ui)
    settings.update(approved_origins=(RENEWAL,))
    before = token_objects(token_service, key.serial, key.pin)
    body = {"certificateId": _cert_id(key.cert(0)), "newKey": True}
    assert call(service.port, "POST", "/v1/renewal/csr", body, origin=RENEWAL).status == 200
    service_ = renewals(token_service)
    assert service_.needs_recovery(key.serial) == []  # young: the window does not ask for it at start
    assert service_.recover(key.serial, bytearray(key.pin.encode()), all_waiting=False) == []
    (waiting,) = store().pending(key.serial)
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=WAITING_DAYS + 1)).isoformat(timespec="seconds")
    waiting.advance("awaiting", created=old)
    assert [j.id for j in service_.needs_recovery(key.serial)] == [waiting.id]
    (undone,) = service_.recover(key.serial, bytearray(key.pin.encode()), all_waiting=False)
    assert undone.id == waiting.id and token_objects(token_service, key.serial, key.pin) == before

    # a new request; `renew recover` (all waiting) removes it too
    assert call(service.port, "POST", "/v1/renewal/csr", body, origin=RENEWAL).status == 200
    assert len(service_.recover(key.serial, bytearray(key.pin.encode()))) == 1
    assert token_objects(token_service, key.serial, key.pin) == before

    # and a certificate that comes for the waiting key pair installs (its key is then never removed)
    reply = call(service.port, "POST", "/v1/renewal/csr", body, origin=RENEWAL).json()
    csr = x509.load_der_x509_csr(base64.b64decode(reply["csr"]))
    issued = demo_pki.issue(csr.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo),
                            unit_name(), days=730)
    done = call(service.port, "POST", "/v1/renewal/install",
                {"certificate": _b64(issued), "chain": [_b64(d) for d in demo_pki.chain_der],
                 "certificateId": _cert_id(key.cert(0))}, origin=RENEWAL)
    assert done.status == 200, done.body
    assert not store().pending(key.serial)
    assert service_.recover(key.serial, bytearray(key.pin.encode())) == []
    assert bytes.fromhex(reply["keyId"]) in _key_ids(token_service, key)
