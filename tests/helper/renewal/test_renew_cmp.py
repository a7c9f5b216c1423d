"""`renew over CMP` end to end: SoftHSM key, token-backed signing, `openssl cmp` mock server, install."""

from __future__ import annotations

import socket
import subprocess
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from renewal_kit import (
    MAC_SERVER,
    REF,
    SECRET,
    IssuingCmpServer,
    pem_file,
    ra_files,
    renewals,
    renewed_for,
    sign_on_token,
    store,
    token_objects,
    verify_signature,
)

from helper.demo import softhsm
from helper.demo.pki import DemoPKI, software_key
from helper.demo.token import DEMO_SO_PIN, DEMO_USER_PIN, provision
from helper.messages import HelperError
from helper.renewal.cmp import MacProtection
from helper.renewal.service import CmpRequest
from helper.renewal.token_signer import TokenSigner
from tokenio.session import TokenSession

MAC = MacProtection(REF.encode(), SECRET.encode())
PKCS11_TOOL = ("pkcs11-tool", "--module", "/usr/lib/softhsm/libsofthsm2.so")


@pytest.fixture
def expiring(make_token):
    """A key with one RSA signing key whose certificate expires in 20 days."""
    return make_token(keys=(("rsa2048", "sign"),), days=20)


def _renew(token_service, token, cert_der: bytes, request: CmpRequest):
    with token_service.session(token.serial, bytearray(token.pin.encode()), rw=True) as s:
        return renewals(token_service).cmp_in_session(s, cert_der, request)


def _certs_on(token_service, serial: str) -> list[bytes]:
    return [o.der for o in token_service.certificates(serial)]


def test_token_signer_signature_verifies(token_service, demo_token) -> None:
    with token_service.session(demo_token.serial, bytearray(demo_token.pin.encode())) as s:
        for key in s.run(TokenSession.private_keys):
            signer = TokenSigner(s, key)
            signature = signer.sign(b"cmp request")
            expected = next(k.cert_der for k in demo_token.keys if k.cka_id == key.cka_id)
            verify_signature(expected, b"cmp request", signature)
            assert signer.signature_algorithm == {"rsa": "sha256_rsa", "ec": "sha256_ecdsa"}[key.key_type]


@pytest.mark.parametrize("protection", ["signature", "mac"])
def test_kur_installs_renewed_certificate(token_service, expiring, demo_pki, cmp_server, tmp_path: Path,
                                          protection: str) -> None:
    old = expiring.cert()
    renewed = renewed_for(demo_pki, old)
    server_args = ra_files(demo_pki, tmp_path) if protection == "signature" else MAC_SERVER
    srv = cmp_server(*server_args, "-rsp_cert", pem_file(tmp_path, "renewed", renewed))
    result = _renew(token_service, expiring, old,
                    CmpRequest(srv.url, mac=MAC if protection == "mac" else None))
    assert result.certificate.der == renewed
    assert _certs_on(token_service, expiring.serial) == [renewed]
    (obj,) = token_service.certificates(expiring.serial)
    assert obj.label == "签名证书1" and obj.cka_id == expiring.keys[0].cka_id
    assert not store().pending(expiring.serial)
    assert (store().folder / "history").joinpath(f"{result.replaced[0]}.cer").read_bytes() == old
    assert store().history()[0]["outcome"] == "completed"
    # A signature made afterwards verifies with the new certificate.
    signature = sign_on_token(token_service, expiring.serial, expiring.pin, obj.cka_id, "rsa", b"after renewal")
    verify_signature(renewed, b"after renewal", signature)


def test_installed_certificate_verifies_with_openssl(token_service, expiring, demo_pki, cmp_server,
                                                     tmp_path: Path, session_dir: Path) -> None:
    renewed = renewed_for(demo_pki, expiring.cert())
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pem_file(tmp_path, "renewed", renewed))
    _renew(token_service, expiring, expiring.cert(), CmpRequest(srv.url, mac=MAC))
    exported = tmp_path / "exported.der"
    subprocess.run([*PKCS11_TOOL, "--token-label", expiring.label, "--read-object", "--type", "cert",
                    "--id", expiring.keys[0].cka_id.hex(), "--output-file", str(exported)],
                   check=True, capture_output=True)
    assert exported.read_bytes() == renewed
    pem = tmp_path / "exported.pem"
    subprocess.run(["openssl", "x509", "-inform", "DER", "-in", str(exported), "-out", str(pem)], check=True)
    check = subprocess.run(["openssl", "verify", "-CAfile", str(session_dir / "pki" / "root.pem"),
                            "-untrusted", str(session_dir / "pki" / "ca.pem"), str(pem)],
                           capture_output=True, text=True)
    assert check.returncode == 0 and ": OK" in check.stdout, check.stderr


@pytest.mark.parametrize("p10", [True, False], ids=["p10cr", "cr"])
def test_new_key_request_installs_certificate_for_new_key(token_service, expiring, demo_pki, tmp_path: Path,
                                                          p10: bool) -> None:
    server = IssuingCmpServer(demo_pki, tmp_path, ra_files(demo_pki, tmp_path) if not p10 else MAC_SERVER)
    try:
        result = _renew(token_service, expiring, expiring.cert(),
                        CmpRequest(server.url, mac=MAC if p10 else None, new_key=True, p10=p10))
    finally:
        server.stop()
    assert result.certificate.der == server.issued
    assert result.cka_id != expiring.keys[0].cka_id and result.replaced == ()
    objects = {o.cka_id: o.der for o in token_service.certificates(expiring.serial)}
    assert objects == {expiring.keys[0].cka_id: expiring.cert(), result.cka_id: server.issued}
    signature = sign_on_token(token_service, expiring.serial, expiring.pin, result.cka_id, "rsa", b"new key")
    verify_signature(server.issued, b"new key", signature)


@pytest.mark.parametrize("ca_pubs", [True, False], ids=["caPubs", "no-caPubs"])
def test_new_key_from_a_ca_not_installed_here_is_anchored_by_its_mac_protected_ca_pubs(
        token_service, softhsm_conf, tmp_path: Path, ca_pubs: bool) -> None:
    """A CA whose root this computer does not have: under the shared secret it sent, its caPubs anchor the
    new certificate; without them the certificate is refused and the generated key removed again."""
    other = DemoPKI.create()
    serial = softhsm.init_token(softhsm_conf, "外地CA-CMP", DEMO_USER_PIN, DEMO_SO_PIN)
    issued = provision(token_service, serial, other, keys=(("rsa2048", "sign"),), days=20)
    token = SimpleNamespace(serial=serial, pin=DEMO_USER_PIN, cert=lambda: issued[0].cert_der)
    extra = ("-rsp_capubs", pem_file(tmp_path, "capubs", other.chain_der[-1])) if ca_pubs else ()
    server = IssuingCmpServer(other, tmp_path, (*MAC_SERVER, "-rsp_extracerts",
                                                pem_file(tmp_path, "issuing", other.chain_der[0]), *extra))
    try:
        request = CmpRequest(server.url, mac=MAC, new_key=True)
        if not ca_pubs:
            _unchanged_after(token_service, token, request, "RENEW_CHAIN_UNTRUSTED")
            return
        result = _renew(token_service, token, token.cert(), request)
    finally:
        server.stop()
    assert result.certificate.der == server.issued


# --- failures: a coded error and the key exactly as before ----------------------------------------------


def _unchanged_after(token_service, token, request: CmpRequest, code: str) -> None:
    before = token_objects(token_service, token.serial, token.pin)
    with pytest.raises(HelperError) as info:
        _renew(token_service, token, token.cert(), request)
    assert info.value.code == code, info.value.params
    assert token_objects(token_service, token.serial, token.pin) == before
    assert not store().pending(token.serial)


@pytest.mark.parametrize("new_key", [False, True], ids=["kur", "new-key"])
def test_wrong_mac_secret(token_service, expiring, demo_pki, cmp_server, tmp_path: Path, new_key: bool) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pem_file(tmp_path, "r", renewed_for(demo_pki, expiring.cert())))
    wrong = MacProtection(REF.encode(), b"not-the-secret")
    _unchanged_after(token_service, expiring, CmpRequest(srv.url, mac=wrong, new_key=new_key, p10=True),
                     "CMP_BAD_MAC")


@pytest.mark.parametrize("new_key", [False, True], ids=["kur", "new-key"])
def test_server_error_status(token_service, expiring, demo_pki, cmp_server, tmp_path: Path, new_key: bool) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pem_file(tmp_path, "r", renewed_for(demo_pki, expiring.cert())),
                     "-pkistatus", "2", "-statusstring", "演示：拒绝")
    _unchanged_after(token_service, expiring, CmpRequest(srv.url, mac=MAC, new_key=new_key), "CMP_REJECTED")


def test_certificate_for_another_key_is_refused(token_service, expiring, demo_pki, cmp_server,
                                                 tmp_path: Path) -> None:
    old = x509.load_der_x509_certificate(expiring.cert())
    stranger = software_key("rsa").public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    wrong = demo_pki.issue(stranger, old.subject, serial=old.serial_number, days=730)
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pem_file(tmp_path, "r", wrong))
    _unchanged_after(token_service, expiring, CmpRequest(srv.url, mac=MAC), "CMP_UNEXPECTED_CERT")


class _StubbornServer:
    """Loopback HTTP endpoint that answers garbage, or never answers."""

    def __init__(self, mode: str) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/pkix/"
        self.mode = mode
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            conn.recv(65536)
            if self.mode == "garbage":
                body = b"\x30\x03\x02\x01\x07"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/pkixcmp\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(body) + body)
                conn.close()

    def close(self) -> None:
        self.sock.close()
        for c in self.held:
            c.close()


@pytest.mark.parametrize(("mode", "code"), [("garbage", "CMP_MALFORMED_RESPONSE"), ("silent", "CMP_TIMEOUT")])
@pytest.mark.parametrize("new_key", [False, True], ids=["kur", "new-key"])
def test_malformed_response_and_timeout(token_service, expiring, mode: str, code: str, new_key: bool) -> None:
    server = _StubbornServer(mode)
    try:
        _unchanged_after(token_service, expiring,
                         CmpRequest(server.url, mac=MAC, new_key=new_key, timeout=1.0), code)
    finally:
        server.close()

