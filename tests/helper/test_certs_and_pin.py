"""The certificate model and the PIN policy."""

from datetime import UTC, datetime, timedelta

from asn1crypto import cms, pem
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from hypothesis import given
from hypothesis import strategies as st

from helper import certs
from helper.demo.pki import software_key, unit_name
from helper.messages import HelperError
from helper.pin import PinPolicy, is_weak


def issued(demo_pki, days=365, usage="sign", not_before=None):
    key = software_key("ec")
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return demo_pki.issue(spki, unit_name(), days=days, usage=usage, not_before=not_before)


def test_chinese_fields_and_usage(demo_pki):
    info = certs.parse(issued(demo_pki))
    assert (info.unit, info.subject_cn, info.unit_code) == ("石家庄示例科技有限公司", "张三", "91130100MA0DEM012U")
    assert info.is_signing and not info.is_encryption_only
    assert info.issuer_cn == "示例数字证书签发CA（演示）"
    enc = certs.parse(issued(demo_pki, usage="enc"))
    assert enc.is_encryption_only


def test_status_thresholds(demo_pki):
    now = datetime.now(UTC)
    assert certs.parse(issued(demo_pki, days=365)).status(now) == "valid"
    assert certs.parse(issued(demo_pki, days=20)).status(now) == "expiring"
    old = certs.parse(issued(demo_pki, days=10, not_before=now - timedelta(days=30)))
    assert old.status(now) == "expired" and old.days_left(now) < 0
    future = certs.parse(issued(demo_pki, not_before=now + timedelta(days=3)))
    assert future.status(now) == "not_yet_valid"


def test_garbage_is_a_coded_error():
    try:
        certs.parse(b"\x30\x03\x02\x01\x01")
    except HelperError as exc:
        assert exc.code == "CERT_UNREADABLE"
    else:
        raise AssertionError("garbage parsed")


def test_load_certificates_from_der_pem_and_p7b(demo_pki):
    der = issued(demo_pki)
    chain = demo_pki.chain_der
    assert certs.load_certificates(der) == [der]
    bundle = b"".join(pem.armor("CERTIFICATE", d) for d in [der, *chain])
    assert certs.load_certificates(bundle) == [der, *chain]
    signed = cms.SignedData({"version": "v1", "digest_algorithms": [], "encap_content_info": {"content_type": "data"},
                             "certificates": [cms.CertificateChoices.load(d) for d in [der, *chain]],
                             "signer_infos": []})
    p7b = cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()
    assert sorted(certs.load_certificates(p7b)) == sorted([der, *chain])  # SET OF: DER order


def test_chain_building_and_completeness(demo_pki):
    der = issued(demo_pki)
    full = certs.build_chain(der, demo_pki.chain_der)
    assert len(full) == 3 and certs.chain_complete(full)
    root_der = demo_pki.root_cert.public_bytes(serialization.Encoding.DER)
    partial = certs.build_chain(der, [root_der])
    assert partial == [der] and not certs.chain_complete(partial)
    assert x509.load_der_x509_certificate(full[-1]).subject == demo_pki.root_cert.subject


def test_pin_policy_problems_in_form_order():
    policy = PinPolicy()
    assert policy.problems("Zx82kq", "Ab19cd", "Zx82kq") == []
    assert policy.problems("123", "123", "124") == ["PIN_POLICY_LENGTH", "PIN_POLICY_SAME_AS_OLD",
                                                    "PIN_POLICY_MISMATCH"]
    assert policy.problems("ｚｘ８２ｋｑ") == ["PIN_POLICY_CHARACTERS"]
    assert policy.problems("654321") == ["PIN_POLICY_WEAK"]


def test_weak_pins():
    for weak in ("123456", "111111", "000000", "234567", "987654", "12345678", "888888", "aaaaaa"):
        assert is_weak(weak), weak
    for fine in ("Zx82kq", "583920", "1357911"):
        assert not is_weak(fine), fine


@given(st.text(alphabet="0123456789", min_size=6, max_size=16))
def test_runs_of_one_step_are_always_weak(digits):
    steps = {(int(b) - int(a)) % 10 for a, b in zip(digits, digits[1:], strict=False)}
    if steps in ({1}, {9}) or len(set(digits)) == 1:
        assert is_weak(digits)
