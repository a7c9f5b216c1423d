"""SM2 end to end on the SM2 test key (sm2token/, a PKCS#11 module): key pairs made on the key, PKCS#10
requests signed on it and accepted by OpenSSL's CA, the certificates stored on it as a signing +
encryption pair, then a batch of sealed PDFs with one PIN through the signing service — each signature
checked by Bouncy Castle and by `verify`."""

# ruff: noqa: F401, F811 - the session fixtures sm2_pki / bouncy_castle are imported from tests.interop.sm2world
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from asn1crypto import x509
from corpus import blank_pdf

from helper.audit import AuditLog
from helper.crypto import sm2
from helper.keys import KeyService
from helper.messages import HelperError
from helper.signing.batch import BatchItem
from helper.signing.options import SignOptions
from helper.signing.service import SealChoice, SigningService
from helper.signing.verify import verify_pdf
from tests.interop.sm2world import PIN, bouncy_castle, provision_pair, sm2_pki, sm2_test_key
from tests.support import pin
from tokenio.session import TokenSession


@pytest.fixture
def sm2_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with sm2_test_key(tmp_path / "sm2", monkeypatch) as key:
        yield key


def test_sm2_pkcs10_on_the_key_is_accepted_by_openssl(sm2_key, sm2_pki, tmp_path):
    service, serial = sm2_key
    signing, encryption = provision_pair(service, serial, sm2_pki, tmp_path)
    with service.session(serial) as s:
        on_key = {c.der for c in s.run(TokenSession.certificates)}
    assert {signing, encryption, sm2_pki.ca.der, sm2_pki.root.der} <= on_key
    for der in (signing, encryption):
        cert = x509.Certificate.load(der)
        assert sm2.is_sm2_certificate(cert) and sm2.check_certificate_signature(cert, x509.Certificate.load(sm2_pki.ca.der))


def test_batch_of_sm2_seals_with_one_pin(sm2_key, sm2_pki, bouncy_castle, tmp_path, seal_png):
    service, serial = sm2_key
    signing, _ = provision_pair(service, serial, sm2_pki, tmp_path)
    signer = SigningService(KeyService(service), AuditLog(tmp_path / "audit.jsonl"))
    identity = signer.identity(serial)
    assert identity.info.der == signing  # the signing half of the pair, never the encryption one
    items = []
    for n in range(3):
        (tmp_path / f"in{n}.pdf").write_bytes(blank_pdf())
        items.append(BatchItem(tmp_path / f"in{n}.pdf", tmp_path / f"out{n}.pdf"))
    the_pin = pin(PIN)
    outcome = signer.sign(identity, the_pin, items, SignOptions(), SealChoice(png=seal_png))
    assert [r.status for r in outcome.report.results] == ["signed"] * 3
    assert not any(the_pin)  # wiped after the one login
    for item in items:
        ok, lines = bouncy_castle.pdf(item.output, sm2_pki.root.path)
        assert ok, lines
        report = verify_pdf(item.output, (sm2_pki.root.der,))
        assert report.ok, report.problems()
        subprocess.run(["qpdf", "--check", str(item.output)], check=True, capture_output=True)


def test_sm2_b_lt_is_refused_with_a_coded_message_and_nothing_written(sm2_key, sm2_pki, tmp_path):
    service, serial = sm2_key
    provision_pair(service, serial, sm2_pki, tmp_path)
    signer = SigningService(KeyService(service), AuditLog(tmp_path / "audit.jsonl"))
    (tmp_path / "in.pdf").write_bytes(blank_pdf())
    items = [BatchItem(tmp_path / "in.pdf", tmp_path / "out.pdf")]
    options = SignOptions(level="B-LT", tsa_url="http://127.0.0.1:9/tsa")
    with pytest.raises(HelperError) as err:
        signer.sign(signer.identity(serial), pin(PIN), items, options)
    assert err.value.code == "SIGN_SM2_LEVEL_UNSUPPORTED"
    assert not (tmp_path / "out.pdf").exists()
    with pytest.raises(HelperError) as early:  # what the faces call before they ask for the PIN
        signer.identity(serial, level="B-LT")
    assert early.value.code == "SIGN_SM2_LEVEL_UNSUPPORTED"
    assert signer.identity(serial, level="B-T").info.key_type == "sm2"
