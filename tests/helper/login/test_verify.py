"""The relying-party verifier: right bytes, right origin and nonce, trusted chain, validity, usage."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from login_kit import new_nonce

from helper.demo.pki import DemoPKI, unit_name
from helper.login.token import FORMAT, signed_data
from helper.login.verify import TokenVerifier
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
    verifier = TokenVerifier([_der(pki.root_cert)], [_der(pki.ca_cert)])
    nonce = new_nonce()
    login = verifier.verify(_token(key, der, ORIGIN, nonce, algorithm), ORIGIN, nonce)
    assert login.unit == "石家庄示例科技有限公司" and login.unit_code == "91130100MA0DEMO12X"


def test_wrong_origin_nonce_or_algorithm(pki):
    key, der = _issue(pki)
    verifier = TokenVerifier([_der(pki.root_cert)], [_der(pki.ca_cert)])
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
        TokenVerifier([_der(other.root_cert)], [_der(other.ca_cert)]).verify(token, ORIGIN, nonce)
    assert caught.value.code == "AUTH_TOKEN_CERT_UNTRUSTED"
    verifier = TokenVerifier([_der(pki.root_cert)], [_der(pki.ca_cert)])
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
        TokenVerifier([_der(pki.root_cert)], [_der(pki.ca_cert)]).verify(
            _token(key, der, ORIGIN, nonce, "RS256"), ORIGIN, nonce)
    assert caught.value.code == "AUTH_TOKEN_CERT_USAGE"
