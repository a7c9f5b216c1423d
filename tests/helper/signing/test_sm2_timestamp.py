"""SM2 e-seals with a signature timestamp (PAdES B-T) from a TSA that signs with RSA (certomancer on
127.0.0.1): the TSA is asked for an SM3 message imprint of the SM2 signature; Bouncy Castle still accepts
the CMS, and `verify` reports the trusted timestamp."""

# ruff: noqa: F401, F811 - the session fixtures sm2_pki / bouncy_castle are imported from tests.interop.sm2world
from __future__ import annotations

import socket
import threading

import pytest
from corpus import blank_pdf
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sm2kit import seal, sm2_signer

from helper.signing.verify import verify_pdf
from tests.interop.sm2world import bouncy_castle, sm2_pki

VALID = {"valid-from": "2020-01-01T00:00:00+0000", "valid-to": "2040-01-01T00:00:00+0000"}


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    """(url, root DER) of an RSA TSA served for the module."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, ServiceLabel
    from werkzeug.serving import make_server

    folder = tmp_path_factory.mktemp("tsa")
    for name in ("root", "tsa"):
        key = rsa.generate_private_key(65537, 2048)
        (folder / f"{name}.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ku = {"id": "key_usage", "critical": True,
          "smart-value": {"schema": "key-usage", "params": ["digital_signature", "key_cert_sign", "crl_sign"]}}
    config = {
        "external-url-prefix": f"http://127.0.0.1:{port}",
        "keysets": {"ks": {"keys": {"root": {"path": "root.pem"}, "tsa": {"path": "tsa.pem"}}}},
        "pki-architectures": {"sm2-tsa": {
            "keyset": "ks",
            "entity-defaults": {"country-name": "CN", "organization-name": "测试时间戳服务"},
            "entities": {"root": {"common-name": "TSA Root"}, "tsa": {"common-name": "Test TSA"}},
            "certs": {
                "root": {"subject": "root", "subject-key": "root", "issuer": "root", "authority-key": "root",
                         "validity": VALID,
                         "extensions": [{"id": "basic_constraints", "critical": True, "value": {"ca": True}}, ku]},
                "tsa": {"issuer": "root", "validity": VALID, "extensions": [
                    {"id": "key_usage", "critical": True,
                     "smart-value": {"schema": "key-usage", "params": ["digital_signature"]}},
                    {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]}]},
            },
            "services": {"time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}}},
        }},
    }
    cfg = CertomancerConfig(config, key_search_dir=str(folder))
    arch = cfg.get_pki_arch(ArchLabel("sm2-tsa"))
    server = make_server("127.0.0.1", port, Animator(AnimatorArchStore(cfg.pki_archs), with_web_ui=False),
                         threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield arch.service_registry.get_tsa_info(ServiceLabel("tsa")).url, arch.get_cert(CertLabel("root")).dump()
    server.shutdown()


def test_sm2_seal_with_a_signature_timestamp(sm2_pki, bouncy_castle, tsa, tmp_path):
    from pyhanko.sign.timestamps import HTTPTimeStamper

    url, tsa_root = tsa
    out = tmp_path / "b-t.pdf"
    out.write_bytes(seal(blank_pdf(), sm2_signer(sm2_pki), None, timestamper=HTTPTimeStamper(url, timeout=15)))
    ok, lines = bouncy_castle.pdf(out, sm2_pki.root.path)
    assert ok, lines
    report = verify_pdf(out, (sm2_pki.root.der, tsa_root))
    (sig,) = report.signatures
    assert report.ok and sig.level == "B-T" and sig.timestamp is not None and sig.timestamp_trusted, sig
    # Without the TSA's root the seal is still valid, but its time is not trusted.
    (sig,) = verify_pdf(out, (sm2_pki.root.der,)).signatures
    assert sig.valid and sig.timestamp is not None and not sig.timestamp_trusted
