"""PAdES B-T and B-LT against a local TSA, OCSP responder and CRL server (certomancer on 127.0.0.1).

The key's certificate is re-issued by the certomancer CA (with OCSP and CRL pointers) for the token's own key,
so the signature is still made on the token; the certomancer root is trusted through the user CA folder.
"""

from __future__ import annotations

import datetime as dt
import io
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from corpus import blank_pdf, nss_db
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sigtools import options

from helper import settings
from helper.audit import AuditLog
from helper.keys import KeyService
from helper.messages import HelperError
from helper.signing.batch import BatchItem
from helper.signing.service import SealChoice, SigningService
from helper.signing.verify import verify_pdf
from tests.support import pin
from tokenio.session import TokenSession

pytestmark = pytest.mark.slow

KU_CA = {"id": "key_usage", "critical": True,
         "smart-value": {"schema": "key-usage", "params": ["digital_signature", "key_cert_sign", "crl_sign"]}}
VALID = {"valid-from": "2020-01-01T00:00:00+0000", "valid-to": "2040-01-01T00:00:00+0000"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(port: int) -> dict:
    crl = {"id": "crl_distribution_points", "smart-value": {"schema": "crl-dist-url",
                                                             "params": {"crl-repo-names": ["interm"]}}}
    return {
        "external-url-prefix": f"http://127.0.0.1:{port}",
        "keysets": {"ks": {"keys": {
            "root": {"path": "root.pem"}, "interm": {"path": "interm.pem"}, "tsa": {"path": "tsa.pem"},
            "ocsp": {"path": "ocsp.pem"}, "signer": {"path": "signer.pub.pem", "public-only": True}}}},
        "pki-architectures": {"testing-ca": {
            "keyset": "ks",
            "entity-defaults": {"country-name": "CN", "organization-name": "测试电子认证（certomancer）"},
            "entities": {"root": {"common-name": "Test Root"}, "interm": {"common-name": "Test Issuing CA"},
                         "tsa": {"common-name": "Test TSA"}, "ocsp": {"common-name": "Test OCSP"},
                         "signer": {"organization-name": "石家庄示例科技有限公司", "common-name": "张三"}},
            "certs": {
                "root": {"subject": "root", "subject-key": "root", "issuer": "root", "authority-key": "root",
                         "validity": VALID,
                         "extensions": [{"id": "basic_constraints", "critical": True, "value": {"ca": True}}, KU_CA]},
                "interm": {"issuer": "root", "validity": VALID, "extensions": [
                    {"id": "basic_constraints", "critical": True, "value": {"ca": True, "path-len-constraint": 0}},
                    KU_CA]},
                "ocsp": {"issuer": "interm", "validity": VALID, "extensions": [
                    {"id": "key_usage", "critical": True,
                     "smart-value": {"schema": "key-usage", "params": ["digital_signature"]}},
                    {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                    {"id": "ocsp_no_check"}]},
                "tsa": {"issuer": "root", "validity": VALID, "extensions": [
                    {"id": "key_usage", "critical": True,
                     "smart-value": {"schema": "key-usage", "params": ["digital_signature"]}},
                    {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]}]},
                "signer": {"issuer": "interm", "validity": VALID, "extensions": [
                    {"id": "key_usage", "critical": True,
                     "smart-value": {"schema": "key-usage", "params": ["digital_signature", "non_repudiation"]}},
                    crl,
                    {"id": "authority_information_access",
                     "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["interm"]}}}]},
            },
            "services": {
                "ocsp": {"interm": {"for-issuer": "interm", "responder-cert": "ocsp", "signing-key": "ocsp"}},
                "crl-repo": {"interm": {"for-issuer": "interm", "signing-key": "interm",
                                        "simulated-update-schedule": "P30D"}},
                "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
            },
        }},
    }


@pytest.fixture(scope="module")
def tsa_world(make_token, token_service, session_dir, tmp_path_factory):
    """(token, tsa url, certomancer root DER, NSS dir trusting it); the server runs for the module."""
    from asn1crypto import x509
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, ServiceLabel
    from werkzeug.serving import make_server

    folder = tmp_path_factory.mktemp("certomancer")
    token = make_token("时间戳测试U盾", keys=(("rsa2048", "sign"),))
    for name in ("root", "interm", "tsa", "ocsp"):
        key = rsa.generate_private_key(65537, 2048)
        (folder / f"{name}.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    spki = x509.Certificate.load(token.cert(0)).public_key.dump()
    (folder / "signer.pub.pem").write_bytes(serialization.load_der_public_key(spki).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    port = _free_port()
    cfg = CertomancerConfig(_config(port), key_search_dir=str(folder))
    arch = cfg.get_pki_arch(ArchLabel("testing-ca"))
    signer_der = arch.get_cert(CertLabel("signer")).dump()
    with token_service.session(token.serial, pin(token.pin), rw=True) as s:
        s.run(TokenSession.delete_certificate, token.cert(0))
        s.run(TokenSession.import_certificate, signer_der, token.keys[0].cka_id, "签名证书1")
    root = arch.get_cert(CertLabel("root")).dump()
    ca_dir = settings.user_ca_dir()
    ca_dir.mkdir(parents=True, exist_ok=True)
    (ca_dir / "certomancer-root.der").write_bytes(root)
    (ca_dir / "certomancer-interm.der").write_bytes(arch.get_cert(CertLabel("interm")).dump())

    class WholeSeconds(Animator):  # pdfsig dislikes fractional seconds in OCSP times
        def at_time(self, request):
            return super().at_time(request).replace(microsecond=0)

    app = WholeSeconds(AnimatorArchStore(cfg.pki_archs), with_web_ui=False)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    root_pem = folder / "root.crt"
    root_pem.write_bytes(cx509.load_der_x509_certificate(root).public_bytes(serialization.Encoding.PEM))
    url = arch.service_registry.get_tsa_info(ServiceLabel("tsa")).url
    yield token, url, root, nss_db(folder / "nss", root_pem)
    server.shutdown()
    for name in ("certomancer-root.der", "certomancer-interm.der"):
        (ca_dir / name).unlink()


def _sign(token, token_service, tmp_path, level, url, seal=None):
    service = SigningService(KeyService(token_service), AuditLog(tmp_path / "log.jsonl"))
    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf())
    out = tmp_path / f"{level}.pdf"
    outcome = service.sign(service.identity(token.serial), pin(token.pin), [BatchItem(src, out)],
                           options(level=level, tsa_url=url), SealChoice(png=seal))
    return out, outcome.report


@pytest.mark.parametrize("level", ["B-T", "B-LT"])
def test_timestamped_levels_validate(level, tsa_world, token_service, tmp_path, seal_png):
    from asn1crypto import x509 as ax509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko_certvalidator import ValidationContext

    token, url, root, nss = tsa_world
    out, report = _sign(token, token_service, tmp_path, level, url, seal_png)
    assert report.ok, [r.code for r in report.results]
    ours = verify_pdf(out)
    sig = ours.signatures[0]
    assert ours.ok and sig.level == level and sig.timestamp_trusted
    assert abs(sig.timestamp - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=2)
    reader = PdfFileReader(io.BytesIO(out.read_bytes()))
    trust = [ax509.Certificate.load(root)]
    status = validate_pdf_signature(reader.embedded_signatures[0], ValidationContext(trust_roots=trust))
    assert status.bottom_line and status.timestamp_validity is not None
    if level == "B-LT":  # revocation data embedded: validates offline with revocation checking required
        vc = DocumentSecurityStore.read_dss(reader).as_validation_context(
            {"trust_roots": trust, "allow_fetching": False, "revocation_mode": "hard-fail"})
        assert validate_pdf_signature(reader.embedded_signatures[0], vc).bottom_line
        assert len(DocumentSecurityStore.read_dss(reader).ocsps) >= 1
    pdfsig = subprocess.run(["pdfsig", "-nssdir", nss, str(out)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in pdfsig and "Certificate is Trusted." in pdfsig, pdfsig
    assert subprocess.run(["qpdf", "--check", str(out)], capture_output=True).returncode == 0


def test_unreachable_tsa_stops_the_batch(tsa_world, token_service, tmp_path):
    token, *_ = tsa_world
    service = SigningService(KeyService(token_service), AuditLog(tmp_path / "log.jsonl"))
    items = []
    for n in range(3):
        (tmp_path / f"{n}.pdf").write_bytes(blank_pdf())
        items.append(BatchItem(tmp_path / f"{n}.pdf", tmp_path / f"{n}-signed.pdf"))
    url = f"http://127.0.0.1:{_free_port()}/tsa"
    report = service.sign(service.identity(token.serial), pin(token.pin), items, options(level="B-T", tsa_url=url)
                          ).report
    assert report.stopped is not None and report.stopped.code == "TSA_FAILED"
    assert [r.status for r in report.results] == ["refused", "not_processed", "not_processed"]
    assert not list(tmp_path.glob("*-signed.pdf"))
    with pytest.raises(HelperError) as err:
        options(level="B-T")
    assert err.value.code == "TSA_URL_MISSING"


def test_verify_reports_unknown_ca_as_untrusted(tsa_world, token_service, tmp_path):
    token, url, *_ = tsa_world
    out, _ = _sign(token, token_service, tmp_path, "B-T", url)
    ca_dir = settings.user_ca_dir()
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    for p in ca_dir.glob("certomancer-*"):
        p.rename(hidden / p.name)
    try:
        report = verify_pdf(out)
    finally:
        for p in hidden.iterdir():
            p.rename(ca_dir / p.name)
    assert not report.ok and not report.signatures[0].trusted and report.signatures[0].intact
    assert Path(out).exists()
