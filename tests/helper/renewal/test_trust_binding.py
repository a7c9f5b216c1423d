"""A renewal that cannot be fooled: RFC 5280 path validation (pyhanko-certvalidator) for every channel, and
the binding of a new certificate to the certificate it replaces. Each refusal leaves the key's objects
byte for byte as they were."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from renewal_kit import (
    MAC_SERVER,
    REF,
    SECRET,
    Forger,
    IssuingCmpServer,
    import_file,
    refused_import,
    renewals,
    spki_of,
    store,
    token_objects,
)

from helper.demo.pki import DemoPKI, unit_name
from helper.messages import HelperError
from helper.renewal import trust
from helper.renewal.cmp import MacProtection
from helper.renewal.service import CmpRequest

OTHER_UNIT = unit_name("另一家单位有限公司", "王五", "91130100MA0OTHER9Y")


def _p7b(*ders: bytes) -> bytes:
    return pkcs7.serialize_certificates([x509.load_der_x509_certificate(d) for d in ders], Encoding.DER)


def _cert_id(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()[:16]


@pytest.fixture
def key(make_token):
    """A company key: signing key 1 (RSA), signing key 2 (EC), encryption key 3, certificates expiring soon."""
    return make_token(days=20)


# --- trust: RFC 5280 --------------------------------------------------------------------------------
def test_certificate_signed_by_an_end_entity_certificate_of_the_trusted_ca_is_refused(token_service, key,
                                                                                     demo_pki) -> None:
    forger = Forger(demo_pki)
    forged = forger.issue(spki_of(key.cert(0)), unit_name())
    assert x509.load_der_x509_certificate(forged).not_valid_after_utc.year > 2100
    error = refused_import(token_service, key, _p7b(forged, *forger.chain), "RENEW_CHAIN_INVALID")
    assert "not a CA" in error.params["detail"]
    refused_import(token_service, key, _p7b(forged, *forger.chain), "RENEW_CHAIN_INVALID", _cert_id(key.cert(0)))
    assert error.message().exit_code == 7


def test_forged_certificate_from_a_cmp_server_is_refused_and_the_generated_key_removed(token_service, key,
                                                                                       demo_pki, tmp_path: Path) -> None:
    forger = Forger(demo_pki)
    server = IssuingCmpServer(forger, tmp_path, (*MAC_SERVER, "-rsp_extracerts",
                                                 str(_pem(tmp_path, "chain", *forger.chain))))
    before = token_objects(token_service, key.serial, key.pin)
    try:
        with pytest.raises(HelperError) as info:
            renewals(token_service).renew_cmp(
                _entry(token_service, key, 0), bytearray(key.pin.encode()),
                CmpRequest(server.url, mac=MacProtection(REF.encode(), SECRET.encode()), new_key=True, p10=True))
    finally:
        server.stop()
    assert server.issued is not None  # the server did answer with the forged certificate
    assert info.value.code == "RENEW_CHAIN_INVALID", info.value.params
    assert token_objects(token_service, key.serial, key.pin) == before
    assert not store().pending(key.serial)


def _pem(folder: Path, name: str, *ders: bytes) -> Path:
    from renewal_kit import pem_file

    return Path(pem_file(folder, name, *ders))


def _entry(token_service, token, n: int):
    from helper.keys import KeyService

    return KeyService(token_service).find_certificate(_cert_id(token.cert(n)), token.serial)


def test_path_length_of_the_issuing_ca_is_enforced(demo_pki) -> None:
    """The demo issuing CA has pathLen 0: a sub-CA it signed (cA true, keyCertSign) may issue nothing."""
    from cryptography.hazmat.primitives import serialization

    from helper.demo.pki import _ca_cert, software_key

    sub_key = software_key("rsa")
    now = dt.datetime.now(dt.UTC)
    sub = _ca_cert(x509.Name.from_rfc4514_string("CN=下级CA,C=CN"), sub_key, demo_pki.ca_cert.subject,
                   demo_pki.ca_key, now, 365, path_len=0)
    leaf = demo_pki.issue(spki_of(demo_pki.chain_der[0]), unit_name(), issuer=(sub, sub_key))
    sub_der = sub.public_bytes(serialization.Encoding.DER)
    with pytest.raises(HelperError) as info:
        trust.validate(leaf, [sub_der, *demo_pki.chain_der], [demo_pki.chain_der[-1]], "signing")
    assert info.value.code == "RENEW_CHAIN_INVALID" and "path length" in info.value.params["detail"]


def test_expired_or_end_entity_anchors_earn_nothing(demo_pki) -> None:
    leaf = demo_pki.issue(spki_of(demo_pki.chain_der[0]), unit_name())
    assert trust.validate(leaf, demo_pki.chain_der, [demo_pki.chain_der[-1]], "signing")[-1] == demo_pki.chain_der[-1]
    forger = Forger(demo_pki)
    forged = forger.issue(spki_of(demo_pki.chain_der[0]), unit_name())
    with pytest.raises(HelperError) as info:  # a customer's certificate given as an anchor is no CA
        trust.validate(forged, [], [forger.customer], "signing")
    assert info.value.code == "RENEW_CHAIN_UNTRUSTED"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30 * 365)
    assert trust.usable_anchors([demo_pki.chain_der[-1]], later) == []  # the root has expired by then


# --- binding: the certificate the user chose, and nothing else --------------------------------------
def test_a_certificate_for_another_unit_and_another_key_is_refused(token_service, key, demo_pki) -> None:
    """Key 1's certificate is chosen, the file holds a CA-issued certificate for key 2 of another unit."""
    other = demo_pki.issue(spki_of(key.cert(1)), OTHER_UNIT, days=730)
    error = refused_import(token_service, key, _p7b(other, *demo_pki.chain_der), "RENEW_SUBJECT_MISMATCH",
                     _cert_id(key.cert(0)))
    assert error.params["new"] == "另一家单位有限公司" and error.message().exit_code == 7
    refused_import(token_service, key, _p7b(other, *demo_pki.chain_der), "RENEW_SUBJECT_MISMATCH")  # matched by key


def test_another_holder_is_refused(token_service, key, demo_pki) -> None:
    other = demo_pki.issue(spki_of(key.cert(0)), unit_name(holder="李四"), days=730)
    error = refused_import(token_service, key, _p7b(other, *demo_pki.chain_der), "RENEW_SUBJECT_MISMATCH")
    assert (error.params["old"], error.params["new"]) == ("张三", "李四")


def test_another_unit_code_is_refused(token_service, key, demo_pki) -> None:
    other = demo_pki.issue(spki_of(key.cert(0)), unit_name(code="91130100MA0OTHER9Y"), days=730)
    refused_import(token_service, key, _p7b(other, *demo_pki.chain_der), "RENEW_SUBJECT_MISMATCH")


def test_a_changed_company_name_is_not_a_renewal(token_service, key, demo_pki) -> None:
    renamed = demo_pki.issue(spki_of(key.cert(0)), unit_name("石家庄示例科技集团有限公司"), days=730)
    error = refused_import(token_service, key, _p7b(renamed, *demo_pki.chain_der), "RENEW_UNIT_RENAMED")
    assert error.params["new_unit"] == "石家庄示例科技集团有限公司"


def test_another_key_is_refused(token_service, key, demo_pki) -> None:
    """The right unit and holder, but the public key of another key pair on the key (key 2 for key 1)."""
    other_key = demo_pki.issue(spki_of(key.cert(1)), unit_name(), days=730)
    refused_import(token_service, key, _p7b(other_key, *demo_pki.chain_der), "RENEW_KEY_MISMATCH", _cert_id(key.cert(0)))


def test_another_purpose_is_refused(token_service, key, demo_pki) -> None:
    """A signing certificate for the encryption key, and an encryption certificate for a signing key."""
    signing = demo_pki.issue(spki_of(key.cert(2)), unit_name(), days=730)
    refused_import(token_service, key, _p7b(signing, *demo_pki.chain_der), "RENEW_CERT_PURPOSE")
    encrypting = demo_pki.issue(spki_of(key.cert(0)), unit_name(), usage="enc", days=730)
    refused_import(token_service, key, _p7b(encrypting, *demo_pki.chain_der), "RENEW_CERT_PURPOSE")


def test_same_key_same_subject_later_dates_installs(token_service, key, demo_pki) -> None:
    renewed = demo_pki.issue(spki_of(key.cert(0)), unit_name(), days=730)
    result = import_file(token_service, key, _p7b(renewed, *demo_pki.chain_der), _cert_id(key.cert(0)))
    assert result.cka_id == key.keys[0].cka_id
    assert result.replaced == (hashlib.sha256(key.cert(0)).hexdigest(),)
    on_key = {o.cka_id: o.der for o in token_service.certificates(key.serial)}
    assert on_key == {key.keys[0].cka_id: renewed, key.keys[1].cka_id: key.cert(1), key.keys[2].cka_id: key.cert(2)}
    assert store().history()[0]["renewed"] == hashlib.sha256(key.cert(0)).hexdigest()


def test_rogue_ca_is_untrusted(token_service, key) -> None:
    rogue = DemoPKI.create()
    refused_import(token_service, key, _p7b(rogue.issue(spki_of(key.cert(0)), unit_name(), days=730), *rogue.chain_der),
             "RENEW_CHAIN_UNTRUSTED")
