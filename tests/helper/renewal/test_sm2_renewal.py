"""SM2 renewal by file import: a PKCS#10 request signed SM3withSM2 on the SM2 key (same key pair),
issued by OpenSSL's SM2 CA, imported with the SM2 chain checked; a certificate from a CA with the same
name but another key is refused and the key keeps its certificate. ``openssl cmp`` (OpenSSL 3.0) cannot
protect or verify its messages with SM2 (no distid options), so SM2 keys renew by file or website."""

# ruff: noqa: F401, F811 - the session fixtures sm2_pki / bouncy_castle are imported from tests.interop.sm2world
from __future__ import annotations

from pathlib import Path

import pytest
from asn1crypto import pem, x509

from helper.keys import KeyService
from helper.messages import HelperError
from helper.renewal.service import RenewalService
from tests.interop.sm2world import PIN, _ca, issue_from_csr, provision_pair, sm2_pki, sm2_test_key
from tokenio.session import TokenSession


@pytest.fixture
def sm2_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sm2_pki):
    with sm2_test_key(tmp_path / "sm2", monkeypatch) as (service, serial):
        signing, encryption = provision_pair(service, serial, sm2_pki, tmp_path)
        yield service, serial, signing, encryption


def _renewal_file(sm2_pki, handle, old_der: bytes, folder: Path, ca=None) -> bytes:
    """The CA's answer to a request for the same key pair: new certificate + issuing CA, as a PEM file."""
    old = x509.Certificate.load(old_der)
    key = next(k for k in handle.run(TokenSession.private_keys) if k.public_key_info == old.public_key.dump())
    request = handle.run(TokenSession.make_csr, key, old.subject)
    issuing = ca or sm2_pki.ca
    new = issue_from_csr(sm2_pki, request, folder, "renewed", "digitalSignature,nonRepudiation", issuer=issuing)
    return pem.armor("CERTIFICATE", new) + pem.armor("CERTIFICATE", issuing.der)


def test_sm2_certificate_renewed_by_file_import(sm2_key, sm2_pki, tmp_path):
    service, serial, signing, encryption = sm2_key
    with service.session(serial, bytearray(PIN.encode()), rw=True) as s:
        data = _renewal_file(sm2_pki, s, signing, tmp_path)
    result = RenewalService(KeyService(service)).import_file(serial, bytearray(PIN.encode()), data, "renewed.pem")
    on_key = {c.der for c in service.certificates(serial)}
    assert result.certificate.der in on_key and signing not in on_key
    assert encryption in on_key  # the other half of the pair is untouched
    new = x509.Certificate.load(result.certificate.der)
    assert new.public_key.dump() == x509.Certificate.load(signing).public_key.dump()  # same key pair


def test_sm2_certificate_from_a_look_alike_ca_is_refused(sm2_key, sm2_pki, tmp_path):
    service, serial, signing, _ = sm2_key
    forged_root = _ca(tmp_path, "froot", "/C=CN/O=测试国密CA/CN=测试国密根CA", None)
    forged_ca = _ca(tmp_path, "fca", "/C=CN/O=测试国密CA/CN=测试国密签发CA", forged_root)
    with service.session(serial, bytearray(PIN.encode()), rw=True) as s:
        data = _renewal_file(sm2_pki, s, signing, tmp_path, ca=forged_ca)
    with pytest.raises(HelperError) as err:
        RenewalService(KeyService(service)).import_file(serial, bytearray(PIN.encode()),
                                                        data + pem.armor("CERTIFICATE", forged_root.der), "forged.pem")
    on_key = {c.der for c in service.certificates(serial)}
    assert err.value.code == "RENEW_CHAIN_INVALID"  # a path by name to the trusted root, but a signature fails
    assert signing in on_key


def test_sm2_renewal_request_for_a_new_key_pair_on_the_key(sm2_key, sm2_pki, tmp_path):
    """The website's renewal asks for a new key pair: an SM2 pair is generated on the key (SM2 stays SM2)
    and its PKCS#10 request passes OpenSSL's check; the certificate for it is then installed."""
    import base64

    from helper.renewal.web import request_json

    service, serial, signing, _ = sm2_key
    renewals = RenewalService(KeyService(service))
    entry = next(e for e in KeyService(service).certificates(serial) if e.info.der == signing)
    with service.session(serial, bytearray(PIN.encode()), rw=True) as s:
        answer = request_json(renewals.request_in_session(s, entry, new_key=True))
        assert answer["keyType"] == "sm2" and answer["newKey"]
        new = issue_from_csr(sm2_pki, base64.b64decode(answer["csr"]), tmp_path, "new-key",
                             "digitalSignature,nonRepudiation")
        result = renewals.install_in_session(s, entry, new, (sm2_pki.ca.der,))
        on_key = {c.der for c in s.run(TokenSession.certificates)}
    assert result.certificate.der == new and new in on_key
    assert x509.Certificate.load(new).public_key.dump() != x509.Certificate.load(signing).public_key.dump()
