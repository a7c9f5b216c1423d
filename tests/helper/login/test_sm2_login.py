"""SM2 login: /v1/auth with the SM2 signing certificate on an SM2 key returns an SM3withSM2 token over
SHA-256(origin) || SHA-256(nonce); Bouncy Castle verifies it independently, TokenVerifier accepts it and
refuses it for another origin, another nonce or an untrusted SM2 root."""

# ruff: noqa: F401, F811 - the session fixtures sm2_pki / bouncy_castle are imported from tests.interop.sm2world
from __future__ import annotations

import base64
from pathlib import Path

import pytest
from login_kit import ORIGIN, ScriptedUI, call, new_nonce

from helper import settings
from helper.crypto import sm2
from helper.keys import KeyService
from helper.local_service import LocalService, ServiceConfig
from helper.login.authtoken_errors import CertificateUntrusted, RevocationUnavailable, TokenSignatureInvalid
from helper.login.keyops import Limits
from helper.login.token import signed_data
from helper.login.verify import TokenVerifier
from tests.interop.sm2world import PIN, bouncy_castle, make_pki, provision_pair, sm2_pki, sm2_test_key


@pytest.fixture
def sm2_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sm2_pki):
    """(local service, scripted UI, signing certificate) over a fresh SM2 key with an SM2 pair."""
    with sm2_test_key(tmp_path / "sm2", monkeypatch) as (tokens, serial):
        signing, _ = provision_pair(tokens, serial, sm2_pki, tmp_path)
        settings.update(approved_origins=())
        ui = ScriptedUI(PIN)
        limits = Limits(consent_timeout=1.0, cooldown_base=2.0, cooldown_max=8.0, rate_window=60.0, rate_max=20)
        service = LocalService(KeyService(tokens), ui, ServiceConfig(port=0, limits=limits,
                               cooldown_path=tmp_path / "cooldown.json"), extra_origins=(ORIGIN,))
        service.start()
        try:
            yield service, ui, signing
        finally:
            service.stop()
            settings.update(approved_origins=())


def _login(service) -> tuple[dict, str]:
    nonce = new_nonce()
    reply = call(service.port, "POST", "/v1/auth", {"nonce": nonce})
    assert reply.status == 200, reply.body
    return reply.json(), nonce


def test_sm2_login_token_is_verified_by_bouncy_castle_and_token_verifier(sm2_login, sm2_pki, bouncy_castle, tmp_path):
    service, ui, signing = sm2_login
    token, nonce = _login(service)
    assert token["algorithm"] == "SM3withSM2" and token["format"] == "web-eid:1.0"
    assert base64.b64decode(token["unverifiedCertificate"]) == signing  # the signing half, never encryption
    offered = ui.requests[-1].certificates
    assert len(offered) == 1  # the encryption certificate is not offered for login
    signature = base64.b64decode(token["signature"])
    assert len(signature) == 64  # raw r || s

    (tmp_path / "data").write_bytes(signed_data(ORIGIN, nonce))
    (tmp_path / "sig").write_bytes(sm2.rs_to_der(signature))
    (tmp_path / "cert.der").write_bytes(signing)
    ok, lines = bouncy_castle.signature(tmp_path / "cert.der", tmp_path / "data", tmp_path / "sig")
    assert ok, lines

    verifier = TokenVerifier([sm2_pki.root.der], [sm2_pki.ca.der], revocation="off")
    login = verifier.verify(token, ORIGIN, nonce)
    assert login.certificate == signing and login.unit == "石家庄示例科技有限公司" and login.holder == "张三"


def test_sm2_token_for_another_origin_or_nonce_is_refused(sm2_login, sm2_pki):
    service, _, _ = sm2_login
    token, nonce = _login(service)
    verifier = TokenVerifier([sm2_pki.root.der], [sm2_pki.ca.der], revocation="off")
    with pytest.raises(TokenSignatureInvalid):
        verifier.verify(token, "https://other.example", nonce)
    with pytest.raises(TokenSignatureInvalid):
        verifier.verify(token, ORIGIN, new_nonce())
    forged = dict(token, signature=base64.b64encode(bytes(32) + base64.b64decode(token["signature"])[32:]).decode())
    with pytest.raises(TokenSignatureInvalid):
        verifier.verify(forged, ORIGIN, nonce)


def test_sm2_token_needs_a_trusted_sm2_root_and_revocation_data(sm2_login, sm2_pki, tmp_path):
    service, _, _ = sm2_login
    token, nonce = _login(service)
    other = make_pki(tmp_path / "other")
    with pytest.raises(CertificateUntrusted):
        TokenVerifier([other.root.der], [sm2_pki.ca.der], revocation="off").verify(token, ORIGIN, nonce)
    with pytest.raises(CertificateUntrusted):
        TokenVerifier([sm2_pki.root.der], [], revocation="off").verify(token, ORIGIN, nonce)
    # The certificate names no OCSP responder or CRL: hard-fail (the default) refuses, soft-fail says unknown.
    with pytest.raises(RevocationUnavailable):
        TokenVerifier([sm2_pki.root.der], [sm2_pki.ca.der]).verify(token, ORIGIN, nonce)
    assert TokenVerifier([sm2_pki.root.der], [sm2_pki.ca.der], revocation="soft-fail").verify(
        token, ORIGIN, nonce).revocation == "unknown"


def test_demo_portal_accepts_an_sm2_login(sm2_pki, tmp_path, monkeypatch, session_dir, demo_pki):
    """The demo portal trusts the SM2 demo CA beside the demo CA: an SM2 key's token logs in (the SM2 demo
    CA issues from its root, as here)."""
    import shutil

    from asn1crypto import pem

    from helper.demo.portal.launch import start_portal

    demo = tmp_path / "demo"
    shutil.copytree(session_dir / "pki", demo / "pki")
    (demo / "sm2pki").mkdir()
    (demo / "sm2pki" / "root.pem").write_bytes(pem.armor("CERTIFICATE", sm2_pki.root.der))
    portal = start_portal(demo / "pki", port=0)
    try:
        with sm2_test_key(tmp_path / "sm2", monkeypatch) as (tokens, serial):
            signing, _ = provision_pair(tokens, serial, sm2_pki, tmp_path, issuer=sm2_pki.root)
            settings.update(approved_origins=())
            service = LocalService(KeyService(tokens), ScriptedUI(PIN), ServiceConfig(
                port=0, cooldown_path=tmp_path / "cooldown.json"), extra_origins=(portal.origin,))
            service.start()
            try:
                nonce = new_nonce()
                reply = call(service.port, "POST", "/v1/auth", {"nonce": nonce}, origin=portal.origin)
                assert reply.status == 200, reply.body
            finally:
                service.stop()
        login = portal.verifier.verify(reply.json(), portal.origin, nonce)
        assert login.certificate == signing and login.revocation == "unknown"
    finally:
        portal.stop()
        settings.update(approved_origins=())
