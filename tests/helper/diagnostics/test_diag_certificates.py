"""Certificate checks on real keys: none, expired, expiring, missing intermediate (修复 adds it from the bundle)."""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives import serialization

from helper.demo.pki import DemoPKI, unit_name
from helper.demo.token import DEMO_USER_PIN
from helper.diagnostics import Facts, Status, repair
from tests.helper.diagnostics.kit import run_check
from tests.support import pin
from tokenio.session import TokenSession


def test_demo_key_certificates_are_fine(env, demo_token):
    e = env(serial=demo_token.serial)
    present = run_check("certificates", e)
    assert present.status is Status.OK and present.params["count"] == 3
    validity = run_check("cert-validity", e)
    assert validity.status is Status.OK and 360 <= validity.params["days"] <= 366
    chain = run_check("cert-chain", e)
    assert chain.status is Status.OK and chain.code == "DIAG_CHAIN_OK"


def test_key_without_certificates(env, demo_pki, token_from):
    serial = token_from(demo_pki, provisioned=False)
    result = run_check("certificates", env(serial=serial))
    assert result.status is Status.ERROR and result.code == "DIAG_CERT_NONE"
    assert "没有证书" in result.message("zh").title
    assert run_check("cert-validity", env(serial=serial)).code == "DIAG_SKIPPED_NO_CERT"


def test_expired_certificate(env, demo_pki, token_from):
    serial = token_from(demo_pki, days=0)
    result = run_check("cert-validity", env(serial=serial))
    assert result.status is Status.ERROR and result.code == "DIAG_CERT_EXPIRED"
    assert result.params["holder"] == "张三" and "已于" in result.message("zh").title


def test_expiring_certificate(env, demo_pki, token_from):
    serial = token_from(demo_pki, days=10)
    result = run_check("cert-validity", env(serial=serial))
    assert result.status is Status.WARNING and result.code == "DIAG_CERT_EXPIRING"
    assert result.params["days"] in (9, 10)


def test_expired_certificate_kept_next_to_its_renewal_is_fine(env, demo_pki, token_from, token_service):
    serial = token_from(demo_pki, days=0)
    with token_service.session(serial, pin(DEMO_USER_PIN), rw=True) as s:
        key = s.run(TokenSession.generate_keypair, "ec-p256", b"\x09", "签名证书（新）")
        der = demo_pki.issue(key.public_key_info, unit_name(), days=365)
        s.run(TokenSession.import_certificate, der, b"\x09", "签名证书（新）")
    result = run_check("cert-validity", env(serial=serial))
    assert result.status is Status.OK, result.code
    assert any("expired" in d for d in result.details)


def test_missing_intermediate_is_added_from_the_bundle(env, ca_dir, token_from):
    other = DemoPKI.create()  # another CA: its root is known to the user, its issuing CA is not
    serial = token_from(other)
    (ca_dir / "other-root.pem").write_bytes(other.root_cert.public_bytes(serialization.Encoding.PEM))
    intermediate = other.ca_cert.public_bytes(serialization.Encoding.DER)

    unfixable = run_check("cert-chain", env(serial=serial))
    assert unfixable.status is Status.ERROR and unfixable.code == "DIAG_CHAIN_INCOMPLETE"
    assert not unfixable.fixable and "示例数字证书签发CA" in unfixable.params["issuer"]

    e = env(serial=serial, bundled_ca=(intermediate,))
    before = run_check("cert-chain", e)
    assert before.status is Status.WARNING and before.code == "DIAG_CHAIN_FIXABLE" and before.fixable
    after = repair(Facts(e), "cert-chain")
    assert after.status is Status.OK and after.code == "DIAG_CHAIN_OK"
    added = [p for p in ca_dir.iterdir() if p.name.startswith("ca-")]
    assert len(added) == 1 and b"BEGIN CERTIFICATE" in added[0].read_bytes()
    assert run_check("cert-chain", env(serial=serial)).status is Status.OK  # now without the bundle too


def test_clock_before_newest_certificate(env, demo_pki, token_from, token_service):
    serial = token_from(demo_pki, provisioned=False)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30)
    with token_service.session(serial, pin(DEMO_USER_PIN), rw=True) as s:
        key = s.run(TokenSession.generate_keypair, "ec-p256", b"\x01", "签名证书1")
        der = demo_pki.issue(key.public_key_info, unit_name(), not_before=start)
        s.run(TokenSession.import_certificate, der, b"\x01", "签名证书1")
    clock = run_check("clock", env(serial=serial))
    assert clock.status is Status.ERROR and clock.code == "DIAG_CLOCK_BEFORE_CERT"
    validity = run_check("cert-validity", env(serial=serial))
    assert validity.status is Status.ERROR and validity.code == "DIAG_CERT_NOT_YET_VALID"
