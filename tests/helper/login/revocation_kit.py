"""A CA with an OCSP responder and a CRL repository on 127.0.0.1 (certomancer), for the verifier's revocation tests.

Login certificates (clientAuth, digitalSignature), each with its own key so tests can sign tokens:
  good         OCSP + CRL, not revoked          revoked      OCSP + CRL, revoked
  crl_good     CRL only, not revoked            crl_revoked  CRL only, revoked
  dead_ocsp    OCSP at an address nobody serves, CRL says revoked (the fallback)
  rogue        OCSP answered by a responder certificate the root, not the issuing CA, issued
  replayed     OCSP answered with a recorded earlier response (whose nonce is not the request's)
  no_pointers  neither OCSP nor CRL
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

VALID = {"valid-from": "2020-01-01T00:00:00+0000", "valid-to": "2040-01-01T00:00:00+0000"}
KU_CA = {"id": "key_usage", "critical": True,
         "smart-value": {"schema": "key-usage", "params": ["digital_signature", "key_cert_sign", "crl_sign"]}}
KU_LOGIN = {"id": "key_usage", "critical": True,
            "smart-value": {"schema": "key-usage", "params": ["digital_signature"]}}
EKU_LOGIN = {"id": "extended_key_usage", "value": ["client_auth"]}
CRL = {"id": "crl_distribution_points", "smart-value": {"schema": "crl-dist-url",
                                                         "params": {"crl-repo-names": ["interm"]}}}
REVOKED = {"revoked-since": "2021-01-01T00:00:00+0000", "reason": "key_compromise"}
LEAVES = ("good", "revoked", "crl_good", "crl_revoked", "dead_ocsp", "rogue", "replayed", "no_pointers")
REPLAY_PATH = "/testing-ca/ocsp/replay"


def _ocsp(name: str) -> dict:
    return {"id": "authority_information_access",
            "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": [name]}}}


def _leaf(*extensions: dict, revoked: bool = False) -> dict:
    spec = {"issuer": "interm", "validity": VALID, "extensions": [KU_LOGIN, EKU_LOGIN, *extensions]}
    if revoked:
        spec["revocation"] = REVOKED
    return spec


def config(port: int) -> dict:
    responder = [KU_LOGIN, {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                 {"id": "ocsp_no_check"}]
    keys = {name: {"path": f"{name}.pem"} for name in ("root", "interm", "ocsp", "rogue_ocsp", *LEAVES)}
    return {
        "external-url-prefix": f"http://127.0.0.1:{port}",
        "keysets": {"ks": {"keys": keys}},
        "pki-architectures": {"testing-ca": {
            "keyset": "ks",
            "entity-defaults": {"country-name": "CN", "organization-name": "测试电子认证（certomancer）"},
            "entities": {"root": {"common-name": "Test Root"}, "interm": {"common-name": "Test Issuing CA"},
                         "ocsp": {"common-name": "Test OCSP"}, "rogue_ocsp": {"common-name": "Rogue OCSP"},
                         **{name: {"organization-name": "石家庄示例科技有限公司", "common-name": name}
                            for name in LEAVES}},
            "certs": {
                "root": {"subject": "root", "subject-key": "root", "issuer": "root", "authority-key": "root",
                         "validity": VALID,
                         "extensions": [{"id": "basic_constraints", "critical": True, "value": {"ca": True}}, KU_CA]},
                "interm": {"issuer": "root", "validity": VALID, "extensions": [
                    {"id": "basic_constraints", "critical": True, "value": {"ca": True, "path-len-constraint": 0}},
                    KU_CA]},
                "ocsp": {"issuer": "interm", "validity": VALID, "extensions": responder},
                "rogue_ocsp": {"issuer": "root", "validity": VALID, "extensions": responder},
                "good": _leaf(_ocsp("interm"), CRL),
                "revoked": _leaf(_ocsp("interm"), CRL, revoked=True),
                "crl_good": _leaf(CRL),
                "crl_revoked": _leaf(CRL, revoked=True),
                "dead_ocsp": _leaf(_ocsp("dead"), CRL, revoked=True),
                "rogue": _leaf(_ocsp("rogue")),
                "replayed": _leaf(_ocsp("replay")),
                "no_pointers": _leaf(),
            },
            "services": {
                "ocsp": {"interm": {"for-issuer": "interm", "responder-cert": "ocsp", "signing-key": "ocsp"},
                         "rogue": {"for-issuer": "interm", "responder-cert": "rogue_ocsp",
                                   "signing-key": "rogue_ocsp"},
                         "replay": {"for-issuer": "interm", "responder-cert": "ocsp", "signing-key": "ocsp"},
                         "dead": {"for-issuer": "interm", "responder-cert": "ocsp", "signing-key": "ocsp"}},
                "crl-repo": {"interm": {"for-issuer": "interm", "signing-key": "interm",
                                        "simulated-update-schedule": "P30D"}},
            },
        }},
    }


@dataclass
class CaWorld:
    root: bytes
    interm: bytes
    certs: dict[str, bytes]
    keys: dict[str, rsa.RSAPrivateKey]
    replay: dict[str, bytes]  # the bytes the replaying responder answers with


class _Dispatch:
    """certomancer's animator, except the 'replay' responder (recorded bytes) and the 'dead' one (HTTP 503)."""

    def __init__(self, animator, world_replay: dict[str, bytes]) -> None:
        self.animator = animator
        self.replay = world_replay

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == REPLAY_PATH:
            body = self.replay.get("response", b"")
            start_response("200 OK", [("Content-Type", "application/ocsp-response"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        if path.endswith("/ocsp/dead"):
            start_response("503 Service Unavailable", [("Content-Length", "0")])
            return [b""]
        return self.animator(environ, start_response)


def start(folder: Path) -> tuple[CaWorld, object]:
    """The CA world and its running server (call ``shutdown()`` on it when done)."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig
    from werkzeug.serving import make_server

    keys = {}
    for name in ("root", "interm", "ocsp", "rogue_ocsp", *LEAVES):
        keys[name] = rsa.generate_private_key(65537, 2048)
        (folder / f"{name}.pem").write_bytes(keys[name].private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cfg = CertomancerConfig(config(port), key_search_dir=str(folder))
    arch = cfg.get_pki_arch(ArchLabel("testing-ca"))
    replay: dict[str, bytes] = {}
    app = _Dispatch(Animator(AnimatorArchStore({ArchLabel("testing-ca"): arch}), with_web_ui=False), replay)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    world = CaWorld(arch.get_cert(CertLabel("root")).dump(), arch.get_cert(CertLabel("interm")).dump(),
                    {name: arch.get_cert(CertLabel(name)).dump() for name in LEAVES},
                    {name: keys[name] for name in LEAVES}, replay)
    return world, server
