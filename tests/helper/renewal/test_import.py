"""Importing a certificate file from the CA: installed only when it belongs to a key there and checks out."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, pkcs7
from renewal_kit import import_file, refused_import, store

from helper.demo import softhsm
from helper.demo.pki import DemoPKI, software_key, unit_name
from helper.demo.token import DEMO_SO_PIN, DEMO_USER_PIN, provision
from tokenio.session import TokenSession


def _spki(der: bytes) -> bytes:
    return x509.load_der_x509_certificate(der).public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _p7b(*ders: bytes) -> bytes:
    return pkcs7.serialize_certificates([x509.load_der_x509_certificate(d) for d in ders], Encoding.DER)


@pytest.fixture
def key(make_token):
    return make_token(keys=(("ec-p256", "sign"), ("rsa2048", "enc")), days=10)


def test_p7b_with_chain_replaces_certificate_of_its_key(token_service, key, demo_pki) -> None:
    renewed = demo_pki.issue(_spki(key.cert(0)), unit_name(), days=730)
    result = import_file(token_service, key, _p7b(renewed, *demo_pki.chain_der))
    assert result.cka_id == key.keys[0].cka_id and result.outcome == "completed"
    on_key = {o.cka_id: (o.der, o.label) for o in token_service.certificates(key.serial)}
    assert on_key == {key.keys[0].cka_id: (renewed, "签名证书1"), key.keys[1].cka_id: (key.cert(1), "加密证书2")}
    assert store().history()[0]["certificate"] == result.certificate.sha256


def test_pem_certificate_alone_chains_through_trusted_ca_folder(token_service, key, demo_pki) -> None:
    renewed = demo_pki.issue(_spki(key.cert(0)), unit_name(), days=400)
    pem = x509.load_der_x509_certificate(renewed).public_bytes(Encoding.PEM)
    assert import_file(token_service, key, pem).certificate.der == renewed


def test_refuses_certificate_for_another_key(token_service, key, demo_pki) -> None:
    stranger = software_key("ec").public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    refused_import(token_service, key, _p7b(demo_pki.issue(stranger, unit_name()), *demo_pki.chain_der), "RENEW_CERT_NO_KEY")


def test_refuses_expired_certificate(token_service, key, demo_pki) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    expired = demo_pki.issue(_spki(key.cert(0)), unit_name(), not_before=start, days=30)
    refused_import(token_service, key, _p7b(expired, *demo_pki.chain_der), "RENEW_CERT_EXPIRED")


def test_refuses_untrusted_chain(token_service, key) -> None:
    rogue = DemoPKI.create()
    cert = rogue.issue(_spki(key.cert(0)), unit_name(), days=730)
    refused_import(token_service, key, _p7b(cert, *rogue.chain_der), "RENEW_CHAIN_UNTRUSTED")


def _store_ca_certificates(token_service, token, ders) -> None:
    with token_service.session(token.serial, bytearray(token.pin.encode()), rw=True) as s:
        for i, der in enumerate(ders):
            s.run(TokenSession.import_certificate, der, bytes([0xCA, i]), f"CA {i}")


def test_ca_whose_root_travels_on_the_key_is_trusted_for_its_own_renewals(token_service, softhsm_conf) -> None:
    """A CA not installed on this computer: its chain is on the key and the key's certificate chains to it."""
    other_ca = DemoPKI.create()
    serial = softhsm.init_token(softhsm_conf, "外地CA-U盾", DEMO_USER_PIN, DEMO_SO_PIN)
    issued = provision(token_service, serial, other_ca, keys=(("ec-p256", "sign"),), days=10)
    token = SimpleNamespace(serial=serial, pin=DEMO_USER_PIN)
    renewed = other_ca.issue(_spki(issued[0].cert_der), unit_name(), days=730)
    refused_import(token_service, token, _p7b(renewed), "RENEW_CHAIN_UNTRUSTED")  # no root anywhere yet
    _store_ca_certificates(token_service, token, other_ca.chain_der)
    assert import_file(token_service, token, _p7b(renewed)).certificate.der == renewed


def test_a_root_on_the_key_that_issued_nothing_there_earns_no_trust(token_service, key) -> None:
    rogue = DemoPKI.create()
    _store_ca_certificates(token_service, key, rogue.chain_der)
    cert = rogue.issue(_spki(key.cert(0)), unit_name(), days=730)
    refused_import(token_service, key, _p7b(cert), "RENEW_CHAIN_UNTRUSTED")


def test_refuses_garbage_file(token_service, key) -> None:
    refused_import(token_service, key, b"this is not a certificate\x00\x01", "CERT_UNREADABLE")


def test_refuses_certificate_already_on_key(token_service, key) -> None:
    refused_import(token_service, key, key.cert(0), "RENEW_ALREADY_INSTALLED")


def test_refuses_encryption_certificate_for_the_signing_key(token_service, key, demo_pki) -> None:
    enc = demo_pki.issue(_spki(key.cert(0)), unit_name(), usage="enc", days=730)
    refused_import(token_service, key, _p7b(enc, *demo_pki.chain_der), "RENEW_CERT_PURPOSE")


def test_encryption_certificate_renews_the_encryption_certificate(token_service, key, demo_pki) -> None:
    enc = demo_pki.issue(_spki(key.cert(1)), unit_name(), usage="enc", days=730)
    result = import_file(token_service, key, _p7b(enc, *demo_pki.chain_der))
    assert result.cka_id == key.keys[1].cka_id
    on_key = {o.cka_id: o.der for o in token_service.certificates(key.serial)}
    assert on_key == {key.keys[0].cka_id: key.cert(0), key.keys[1].cka_id: enc}
