"""The relying-party verifier: right bytes, right origin and nonce, trusted chain, validity, usage."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from login_kit import new_nonce

from helper.demo.pki import DemoPKI, unit_name
from helper.login.authtoken_errors import (
    AuthTokenError,
    CertificateRevoked,
    CertificateUntrusted,
    CertificateWrongPurpose,
    NonceExpired,
    NonceInvalid,
    NonceUnknown,
    OriginInvalid,
    RevocationResponseInvalid,
    RevocationUnavailable,
    TokenMalformed,
)
from helper.login.token import FORMAT, signed_data
from helper.login.verify import NonceIssuer, TokenVerifier
from helper.messages import HelperError

ORIGIN = "https://portal.example"


def _der(cert) -> bytes:
    return cert.public_bytes(Encoding.DER)


def _token(key, cert_der: bytes, origin: str, nonce: str, algorithm: str) -> dict:
    data = signed_data(origin, nonce)
    if algorithm == "ES256":
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif algorithm == "PS256":
        sig = key.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    else:
        sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return {"unverifiedCertificate": base64.b64encode(cert_der).decode(), "algorithm": algorithm,
            "signature": base64.b64encode(sig).decode(), "format": FORMAT, "appVersion": "x"}


def _verifier(pki, **options) -> TokenVerifier:
    """The demo PKI publishes no revocation service: revocation is tested against certomancer below."""
    return TokenVerifier([_der(pki.root_cert)], [_der(pki.ca_cert)], **{"revocation": "off", **options})


@pytest.fixture(scope="module")
def pki():
    return DemoPKI.create()


def _issue(pki, kind="rsa", usage="sign", days=365):
    key = rsa.generate_private_key(65537, 2048) if kind == "rsa" else ec.generate_private_key(ec.SECP256R1())
    from cryptography.hazmat.primitives.serialization import PublicFormat

    spki = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return key, pki.issue(spki, unit_name(), usage=usage, days=days)


@pytest.mark.parametrize("kind, algorithm", [("rsa", "RS256"), ("rsa", "PS256"), ("ec", "ES256")])
def test_valid_tokens(pki, kind, algorithm):
    key, der = _issue(pki, kind)
    verifier = _verifier(pki)
    nonce = new_nonce()
    login = verifier.verify(_token(key, der, ORIGIN, nonce, algorithm), ORIGIN, nonce)
    assert login.unit == "石家庄示例科技有限公司" and login.unit_code == "91130100MA0DEM012U"


def test_wrong_origin_nonce_or_algorithm(pki):
    key, der = _issue(pki)
    verifier = _verifier(pki)
    nonce = new_nonce()
    token = _token(key, der, ORIGIN, nonce, "RS256")
    for origin, n in (("https://other.example", nonce), (ORIGIN, new_nonce())):
        with pytest.raises(HelperError) as caught:
            verifier.verify(token, origin, n)
        assert caught.value.code == "AUTH_TOKEN_SIGNATURE_INVALID"
    with pytest.raises(HelperError) as caught:
        verifier.verify({**token, "algorithm": "ES256"}, ORIGIN, nonce)
    assert caught.value.code == "AUTH_TOKEN_SIGNATURE_INVALID"


def test_untrusted_expired_and_malformed(pki):
    key, der = _issue(pki)
    nonce = new_nonce()
    token = _token(key, der, ORIGIN, nonce, "RS256")
    other = DemoPKI.create()
    with pytest.raises(HelperError) as caught:
        _verifier(other).verify(token, ORIGIN, nonce)
    assert caught.value.code == "AUTH_TOKEN_CERT_UNTRUSTED"
    verifier = _verifier(pki)
    with pytest.raises(HelperError) as caught:
        verifier.verify(token, ORIGIN, nonce, now=datetime.now(UTC) + timedelta(days=800))
    assert caught.value.code == "AUTH_TOKEN_CERT_EXPIRED"
    for bad in (None, {}, {**token, "format": "other"}, {**token, "signature": "!!"}, {**token, "algorithm": "HS256"},
                {**token, "unverifiedCertificate": base64.b64encode(b"junk").decode()}):
        with pytest.raises(HelperError) as caught:
            verifier.verify(bad, ORIGIN, nonce)
        assert caught.value.code == "AUTH_TOKEN_INVALID"


def test_encryption_certificate_is_refused(pki):
    key, der = _issue(pki, usage="enc")
    nonce = new_nonce()
    with pytest.raises(HelperError) as caught:
        _verifier(pki).verify(
            _token(key, der, ORIGIN, nonce, "RS256"), ORIGIN, nonce)
    assert caught.value.code == "AUTH_TOKEN_CERT_USAGE"


# --- the Web eID rules --------------------------------------------------------------------------------
def _custom(pki, *, eku=None, key_usage=True, issuer=None, days=365):
    """A login certificate from ``pki``'s CA (or ``issuer`` = (cert, key)) with the given extended key usage."""
    import datetime as dt

    from cryptography import x509

    key = rsa.generate_private_key(65537, 2048)
    issuer_cert, issuer_key = issuer or (pki.ca_cert, pki.ca_key)
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder().subject_name(unit_name()).issuer_name(issuer_cert.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
    if key_usage:
        builder = builder.add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                                        critical=True)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return key, builder.sign(issuer_key, hashes.SHA256()).public_bytes(Encoding.DER)


@pytest.mark.parametrize("eku", ["SERVER_AUTH", "CODE_SIGNING", "EMAIL_PROTECTION", "OCSP_SIGNING", "TIME_STAMPING"])
def test_extended_key_usage_without_client_auth_is_refused(pki, eku):
    from cryptography.x509.oid import ExtendedKeyUsageOID

    key, der = _custom(pki, eku=[getattr(ExtendedKeyUsageOID, eku)])
    nonce = new_nonce()
    with pytest.raises(CertificateWrongPurpose) as caught:
        _verifier(pki).verify(_token(key, der, ORIGIN, nonce, "RS256"), ORIGIN, nonce)
    assert caught.value.code == "AUTH_TOKEN_CERT_USAGE"


def test_client_auth_or_no_extended_key_usage_is_accepted_but_key_usage_is_required(pki):
    from cryptography.x509.oid import ExtendedKeyUsageOID

    for eku in ([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION], None):
        key, der = _custom(pki, eku=eku)
        nonce = new_nonce()
        assert _verifier(pki).verify(_token(key, der, ORIGIN, nonce, "RS256"), ORIGIN, nonce).unit
    key, der = _custom(pki, key_usage=False)
    nonce = new_nonce()
    with pytest.raises(CertificateWrongPurpose):
        _verifier(pki).verify(_token(key, der, ORIGIN, nonce, "RS256"), ORIGIN, nonce)


def test_expired_trust_anchor_is_refused(pki):
    import datetime as dt

    from cryptography import x509

    root_key = rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "Expired Root")])
    now = datetime.now(UTC)
    root = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(root_key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=3650)).not_valid_after(now - dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .sign(root_key, hashes.SHA256()))
    key, der = _custom(pki, issuer=(root, root_key), eku=None)
    nonce = new_nonce()
    verifier = TokenVerifier([_der(root)], revocation="off")
    with pytest.raises(CertificateUntrusted) as caught:
        verifier.verify(_token(key, der, ORIGIN, nonce, "RS256"), ORIGIN, nonce)
    assert "trust anchor" in caught.value.params["detail"]


def test_token_size_is_limited_before_parsing(pki):
    import time
    import tracemalloc

    key, der = _issue(pki)
    nonce = new_nonce()
    token = _token(key, der, ORIGIN, nonce, "RS256")
    huge = {**token, "unverifiedCertificate": "A" * (26 * 1024 * 1024)}
    text = json.dumps(huge)
    candidates = (huge, text, text.encode())
    tracemalloc.start()
    started = time.perf_counter()
    for candidate in candidates:
        with pytest.raises(TokenMalformed) as caught:
            _verifier(pki).verify(candidate, ORIGIN, nonce)
        assert "larger than" in caught.value.params["detail"]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert time.perf_counter() - started < 0.5 and peak < 2 * 1024 * 1024
    assert _verifier(pki).verify(json.dumps(token), ORIGIN, nonce).unit  # the JSON text itself is accepted


@pytest.mark.parametrize("fmt, ok", [("web-eid:1", True), ("web-eid:1.0", True), ("web-eid:1.1", True),
                                     ("web-eid:1garbage", False), ("web-eid:1.0x", False), ("web-eid:01", False),
                                     ("web-eid:1.00", False), ("web-eid:2", False), ("web-eid:", False),
                                     (" web-eid:1", False)])
def test_format_is_exactly_web_eid_1(pki, fmt, ok):
    key, der = _issue(pki)
    nonce = new_nonce()
    token = {**_token(key, der, ORIGIN, nonce, "RS256"), "format": fmt}
    if ok:
        assert _verifier(pki).verify(token, ORIGIN, nonce).unit
    else:
        with pytest.raises(TokenMalformed):
            _verifier(pki).verify(token, ORIGIN, nonce)


def test_signing_certificates_are_not_allowed_in_format_1_0(pki):
    key, der = _issue(pki)
    nonce = new_nonce()
    token = {**_token(key, der, ORIGIN, nonce, "RS256"), "unverifiedSigningCertificates": "[]"}
    with pytest.raises(TokenMalformed):
        _verifier(pki).verify(token, ORIGIN, nonce)


@pytest.mark.parametrize("nonce", ["", None, 12, "c2hvcnQ=", "!" * 44])
def test_nonce_of_the_wrong_form_is_a_typed_error(pki, nonce):
    key, der = _issue(pki)
    token = _token(key, der, ORIGIN, new_nonce(), "RS256")
    with pytest.raises(NonceInvalid) as caught:
        _verifier(pki).verify(token, ORIGIN, nonce)
    assert isinstance(caught.value, AuthTokenError) and caught.value.code == "AUTH_NONCE_INVALID"


@pytest.mark.parametrize("origin", ["portal.example", "anything at all", "http://portal.example",
                                    "https://portal.example/login", "https://user@portal.example",
                                    "HTTPS://PORTAL.EXAMPLE", "http://127.0.0.1:8080", None, 42])
def test_origin_must_be_an_https_origin(pki, origin):
    key, der = _issue(pki)
    nonce = new_nonce()
    with pytest.raises(OriginInvalid):
        _verifier(pki).verify(_token(key, der, str(origin), nonce, "RS256"), origin, nonce)


def test_http_loopback_origin_only_by_explicit_option(pki):
    key, der = _issue(pki)
    nonce = new_nonce()
    origin = "http://127.0.0.1:8080"
    login = _verifier(pki, allow_http_loopback=True).verify(_token(key, der, origin, nonce, "RS256"), origin, nonce)
    assert login.unit
    with pytest.raises(OriginInvalid):
        _verifier(pki, allow_http_loopback=True).verify(_token(key, der, "http://portal.example", nonce, "RS256"),
                                                        "http://portal.example", nonce)


def test_nonce_issuer_single_use_and_expiry():
    clock = [0.0]
    issuer = NonceIssuer(ttl=60, clock=lambda: clock[0])
    nonce = issuer.issue()
    assert len(base64.b64decode(nonce)) == 32
    assert issuer.take(nonce) == nonce
    with pytest.raises(NonceUnknown):
        issuer.take(nonce)  # used once
    with pytest.raises(NonceUnknown):
        issuer.take(new_nonce())  # never issued here
    late = issuer.issue()
    clock[0] = 61
    with pytest.raises(NonceExpired):
        issuer.take(late)
    with pytest.raises(NonceInvalid):
        issuer.take(None)
    small = NonceIssuer(max_live=2)
    first, *_ = [small.issue() for _ in range(3)]
    with pytest.raises(NonceUnknown):
        small.take(first)  # the oldest made room


def test_sync_api_inside_a_running_event_loop_and_async_api(pki):
    import asyncio

    key, der = _issue(pki)
    nonce = new_nonce()
    token = _token(key, der, ORIGIN, nonce, "RS256")
    verifier = _verifier(pki)

    async def inside() -> tuple[str, str]:
        return verifier.verify(token, ORIGIN, nonce).unit, (await verifier.verify_async(token, ORIGIN, nonce)).unit

    assert asyncio.run(inside()) == ("石家庄示例科技有限公司", "石家庄示例科技有限公司")


def test_revocation_is_checked_by_default(pki):
    key, der = _issue(pki)  # the demo PKI's certificates name no OCSP responder and no CRL
    nonce = new_nonce()
    token = _token(key, der, ORIGIN, nonce, "RS256")
    with pytest.raises(RevocationUnavailable):
        TokenVerifier([_der(pki.root_cert)], [_der(pki.ca_cert)]).verify(token, ORIGIN, nonce)
    soft = TokenVerifier([_der(pki.root_cert)], [_der(pki.ca_cert)], revocation="soft-fail").verify(token, ORIGIN, nonce)
    assert soft.revocation == "unknown"


# --- revocation against certomancer's OCSP responder and CRLs ----------------------------------------
@pytest.fixture(scope="module")
def ca_world(tmp_path_factory):
    import revocation_kit

    world, server = revocation_kit.start(tmp_path_factory.mktemp("ca-world"))
    yield world
    server.shutdown()


def _world_token(world, name: str) -> tuple[dict, str]:
    nonce = new_nonce()
    return _token(world.keys[name], world.certs[name], ORIGIN, nonce, "RS256"), nonce


def _world_verifier(world, **options) -> TokenVerifier:
    return TokenVerifier([world.root], [world.interm], **options)


@pytest.mark.parametrize("name", ["good", "crl_good"])
def test_good_certificate_by_ocsp_or_crl(ca_world, name):
    token, nonce = _world_token(ca_world, name)
    assert _world_verifier(ca_world).verify(token, ORIGIN, nonce).revocation == "good"


@pytest.mark.parametrize("name, source", [("revoked", "OCSP"), ("crl_revoked", "CRL"), ("dead_ocsp", "CRL")])
def test_revoked_certificate_by_ocsp_crl_or_crl_fallback(ca_world, name, source):
    token, nonce = _world_token(ca_world, name)
    for mode in ("hard-fail", "soft-fail"):  # soft-fail tolerates no answer, never a revoked one
        with pytest.raises(CertificateRevoked) as caught:
            _world_verifier(ca_world, revocation=mode).verify(token, ORIGIN, nonce)
        assert caught.value.code == "AUTH_TOKEN_CERT_REVOKED" and caught.value.params["source"] == source


def test_responder_not_authorised_by_the_issuing_ca_is_refused(ca_world):
    token, nonce = _world_token(ca_world, "rogue")
    with pytest.raises(RevocationResponseInvalid) as caught:
        _world_verifier(ca_world, revocation="soft-fail").verify(token, ORIGIN, nonce)
    assert "not issued by" in caught.value.params["detail"]


@pytest.mark.parametrize("with_nonce", [True, False])
def test_replayed_ocsp_response_is_refused(ca_world, with_nonce):
    """A 'good' answer recorded earlier (another nonce, or none) is replayed by the responder's address."""
    import os
    import urllib.request

    from cryptography import x509
    from cryptography.x509 import ocsp

    cert = x509.load_der_x509_certificate(ca_world.certs["replayed"])
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, x509.load_der_x509_certificate(ca_world.interm),
                                                        hashes.SHA1())
    if with_nonce:
        builder = builder.add_extension(x509.OCSPNonce(os.urandom(32)), critical=False)
    url = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value[0].access_location.value
    genuine = url.replace("/ocsp/replay", "/ocsp/interm")
    ca_world.replay["response"] = urllib.request.urlopen(urllib.request.Request(
        genuine, data=builder.build().public_bytes(Encoding.DER),
        headers={"Content-Type": "application/ocsp-request"}), timeout=10).read()
    token, nonce = _world_token(ca_world, "replayed")
    with pytest.raises(RevocationResponseInvalid) as caught:
        _world_verifier(ca_world).verify(token, ORIGIN, nonce)
    assert "nonce" in caught.value.params["detail"]


def test_stale_answers_are_not_accepted(ca_world):
    """Checked 60 days on, the responder's and the CRL's answers are past their nextUpdate."""
    token, nonce = _world_token(ca_world, "good")
    later = datetime.now(UTC) + timedelta(days=60)
    with pytest.raises(RevocationUnavailable) as caught:
        _world_verifier(ca_world).verify(token, ORIGIN, nonce, now=later)
    assert "stale" in caught.value.params["detail"]


def test_no_revocation_source_hard_and_soft_fail(ca_world):
    token, nonce = _world_token(ca_world, "no_pointers")
    with pytest.raises(RevocationUnavailable):
        _world_verifier(ca_world).verify(token, ORIGIN, nonce)
    assert _world_verifier(ca_world, revocation="soft-fail").verify(token, ORIGIN, nonce).revocation == "unknown"
