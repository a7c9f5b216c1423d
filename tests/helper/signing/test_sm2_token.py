"""SM2 end to end on the SM2 test key (sm2token/, a PKCS#11 module): key pairs made on the key, PKCS#10
requests signed on it and accepted by OpenSSL's CA, the certificates stored on it as a signing +
encryption pair, then a batch of sealed PDFs with one PIN through the signing service — each signature
checked by Bouncy Castle and by `verify`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from asn1crypto import csr as acsr
from asn1crypto import x509
from corpus import blank_pdf

from helper.audit import AuditLog
from helper.crypto import sm2
from helper.demo import sm2token
from helper.keys import KeyService
from helper.signing.batch import BatchItem
from helper.signing.options import SignOptions
from helper.signing.service import SealChoice, SigningService
from helper.signing.verify import verify_pdf
from tests.interop.sm2world import DISTID, BouncyCastle, make_pki
from tests.support import pin
from tokenio.session import TokenSession
from tokenio.worker import TokenService

PIN, SO_PIN = "135790", "24680246"
SUBJECT = "/C=CN/O=石家庄示例科技有限公司/CN=张三"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("sm2pki"))


@pytest.fixture(scope="module")
def bc(tmp_path_factory):
    return BouncyCastle(tmp_path_factory.mktemp("bc"))


@pytest.fixture
def sm2_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """(service, serial) of a fresh SM2 test key."""
    conf = sm2token.configure(tmp_path / "sm2")
    monkeypatch.setenv(sm2token.ENV_CONF, str(conf))
    serial = sm2token.init_token(conf, "国密测试U盾", PIN, SO_PIN)
    service = TokenService((str(sm2token.build()),), use_registry=False)
    yield service, serial
    service.shutdown()


def issue_from_csr(pki, csr_der: bytes, folder: Path, name: str, usage: str) -> bytes:
    """OpenSSL's CA checks the request's SM3withSM2 signature (distid) and issues the certificate."""
    (folder / f"{name}.csr.der").write_bytes(csr_der)
    subprocess.run(["openssl", "req", "-inform", "der", "-in", f"{name}.csr.der", "-out", f"{name}.csr",
                    "-verify", "-vfyopt", DISTID], cwd=folder, check=True, capture_output=True)
    (folder / f"{name}.ext").write_text(f"keyUsage=critical,{usage}\nbasicConstraints=CA:FALSE\n")
    subprocess.run(["openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", str(pki.folder / "ca.pem"), "-CAkey",
                    str(pki.folder / "ca.key"), "-sm3", "-sigopt", DISTID, "-vfyopt", DISTID, "-days", "365",
                    "-extfile", f"{name}.ext", "-set_serial", "7", "-outform", "der", "-out", f"{name}.der"],
                   cwd=folder, check=True, capture_output=True)
    return (folder / f"{name}.der").read_bytes()


def provision_pair(service, serial, pki, folder: Path) -> tuple[bytes, bytes]:
    """A signing and an encryption SM2 key pair made on the key, certified, stored with the CA certificates."""
    subject = x509.Certificate.load(pki.signing.der).subject
    out = []
    with service.session(serial, pin(PIN), rw=True) as s:
        for cka_id, label, usage in ((b"\x01", "签名", "digitalSignature,nonRepudiation"),
                                     (b"\x02", "加密", "keyEncipherment,dataEncipherment")):
            key = s.run(TokenSession.generate_keypair, "sm2", cka_id, label)
            request = s.run(TokenSession.make_csr, key, subject)
            parsed = acsr.CertificationRequest.load(request)
            assert parsed["signature_algorithm"]["algorithm"].dotted == sm2.SM3_WITH_SM2_OID
            der = issue_from_csr(pki, request, folder, label, usage)
            s.run(TokenSession.import_certificate, der, cka_id, label)
            out.append(der)
        for ca in (pki.ca, pki.root):
            s.run(TokenSession.import_certificate, ca.der, b"", ca.path.stem)
    return out[0], out[1]


def test_sm2_pkcs10_on_the_key_is_accepted_by_openssl(sm2_key, pki, tmp_path):
    service, serial = sm2_key
    signing, encryption = provision_pair(service, serial, pki, tmp_path)
    for der in (signing, encryption):
        cert = x509.Certificate.load(der)
        assert sm2.is_sm2_certificate(cert) and sm2.check_certificate_signature(cert, x509.Certificate.load(pki.ca.der))


def test_batch_of_sm2_seals_with_one_pin(sm2_key, pki, bc, tmp_path, seal_png):
    service, serial = sm2_key
    signing, _ = provision_pair(service, serial, pki, tmp_path)
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
        ok, lines = bc.pdf(item.output, pki.root.path)
        assert ok, lines
        report = verify_pdf(item.output, (pki.root.der,))
        assert report.ok, report.problems()
        subprocess.run(["qpdf", "--check", str(item.output)], check=True, capture_output=True)
