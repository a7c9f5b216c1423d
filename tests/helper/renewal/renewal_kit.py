"""Shared pieces for the renewal tests and bench: CMP servers that issue from the DemoPKI, token checks.

``IssuingCmpServer`` is a loopback front for `openssl cmp -port`: the mock server can only answer with
a fixed certificate, so for a request with a key generated during the test the front reads the
public key from the first request, issues its certificate from the DemoPKI, starts the real
`openssl cmp` server with that ``-rsp_cert`` and forwards every message to it unchanged.
"""

from __future__ import annotations

import http.server
import threading
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from asn1crypto import x509 as ax509
from cmp_pki import CmpServer, start_server
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from helper.demo.pki import DemoPKI, software_key
from helper.keys import KeyService
from helper.renewal.cmp_asn1 import PKIMessage
from helper.renewal.journal import JournalStore
from helper.renewal.service import RenewalService
from tokenio.session import TokenSession
from tokenio.worker import TokenService

PEM = serialization.Encoding.PEM
REF, SECRET = "7788", "CA-一次性-Q2W3"
MAC_SERVER = ("-srv_ref", REF, "-srv_secret", f"pass:{SECRET}")


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this process only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


def pem_file(folder: Path, name: str, *ders: bytes) -> str:
    path = folder / f"{name}.pem"
    path.write_bytes(b"".join(x509.load_der_x509_certificate(d).public_bytes(PEM) for d in ders))
    return str(path)


def ra_files(pki: DemoPKI, folder: Path) -> tuple[str, ...]:
    """Server options for signature protection: an RA certificate from the DemoPKI and the trusted chain."""
    key = software_key("ec")
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    ra = pki.issue(spki, x509.Name.from_rfc4514_string("CN=演示RA,O=示例电子认证有限公司（演示）,C=CN"), usage="ra")
    (folder / "ra_key.pem").write_bytes(key.private_bytes(PEM, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    return ("-srv_cert", pem_file(folder, "ra", ra), "-srv_key", str(folder / "ra_key.pem"),
            "-srv_trusted", pem_file(folder, "trusted", *pki.chain_der))


def renewed_for(pki: DemoPKI, old_der: bytes, days: int = 730) -> bytes:
    """The renewal a CA issues for kur: same key, issuer and serial, new validity."""
    old = x509.load_der_x509_certificate(old_der)
    spki = old.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pki.issue(spki, old.subject, days=days, serial=old.serial_number)


def requested_key(body: bytes) -> tuple[bytes, ax509.Name]:
    """SubjectPublicKeyInfo and subject of the first request in a cr/ir/kur/p10cr PKIMessage."""
    message = PKIMessage.load(body)
    content = message["body"].chosen
    if message["body"].name == "p10cr":
        info = content["certification_request_info"]
        return info["subject_pk_info"].dump(), info["subject"]
    template = content[0]["cert_req"]["cert_template"]
    return template["public_key"].untag().dump(), template["subject"].untag()


class IssuingCmpServer:
    """Loopback HTTP front that starts `openssl cmp` with a certificate issued for the first request."""

    def __init__(self, pki: DemoPKI, folder: Path, server_args: Sequence[str]) -> None:
        self.pki, self.folder, self.server_args = pki, folder, tuple(server_args)
        self.backend: CmpServer | None = None
        self.issued: bytes | None = None
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status, answer = owner.forward(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/pkixcmp")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/pkix/"

    def forward(self, body: bytes) -> tuple[int, bytes]:
        if self.backend is None:
            spki, subject = requested_key(body)
            self.issued = self.pki.issue(spki, _rebuild(subject), days=730)
            rsp = pem_file(self.folder, "issued", self.issued)
            self.backend = start_server(self.folder, *self.server_args, "-rsp_cert", rsp)
        request = urllib.request.Request(self.backend.url, data=body,
                                         headers={"Content-Type": "application/pkixcmp"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback test server
            return response.status, response.read()

    def stop(self) -> None:
        self.http.shutdown()
        if self.backend is not None:
            self.backend.stop()


def _rebuild(subject: ax509.Name) -> x509.Name:
    """asn1crypto Name -> cryptography Name (attribute types and string values)."""
    attributes = []
    for rdn in subject.chosen:
        for atv in rdn:
            value = atv["value"].native
            attributes.append(x509.NameAttribute(x509.ObjectIdentifier(atv["type"].dotted), str(value)))
    return x509.Name(attributes)


def token_objects(service: TokenService, serial: str, pin: str) -> list[tuple[str, bytes, str, bytes]]:
    """Every key and certificate object on a token (class, CKA_ID, label, value) for before/after checks."""
    with service.session(serial, bytearray(pin.encode())) as s:
        certs = [("cert", o.cka_id, o.label, o.der or b"") for o in s.run(TokenSession.certificates)]
        keys = [("key", k.cka_id, k.label, k.public_key_info or b"") for k in s.run(TokenSession.private_keys)]
    return sorted(certs + keys)


def verify_signature(cert_der: bytes, data: bytes, signature: bytes) -> None:
    """Raise unless ``signature`` over ``data`` verifies with the certificate's public key."""
    public = x509.load_der_x509_certificate(cert_der).public_key()
    if isinstance(public, rsa.RSAPublicKey):
        public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(signature, data, ec.ECDSA(hashes.SHA256()))


def sign_on_token(service: TokenService, serial: str, pin: str, cka_id: bytes, key_type: str,
                  data: bytes) -> bytes:
    scheme = "rsa-pkcs1-sha256" if key_type == "rsa" else "ecdsa-sha256"
    with service.session(serial, bytearray(pin.encode())) as s:
        return s.run(TokenSession.sign, cka_id, data, scheme)



def renewals(service: TokenService) -> RenewalService:
    """The RenewalService the faces use, over the test session's token service and the default journal folder."""
    return RenewalService(KeyService(service))


def store() -> JournalStore:
    return JournalStore.default()


def spki_of(der: bytes) -> bytes:
    return x509.load_der_x509_certificate(der).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class Forger:
    """What any customer of a trusted CA can do: use the key of its own end-entity certificate (CA:FALSE, no
    keyCertSign, issued by the trusted DemoPKI) to sign certificates with any subject and key."""

    def __init__(self, pki: DemoPKI) -> None:
        key = software_key("rsa")
        spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        self.customer = pki.issue(spki, x509.Name.from_rfc4514_string("CN=某客户,O=某某商贸有限公司,C=CN"), days=365)
        self._issuer = (x509.load_der_x509_certificate(self.customer), key)
        self.pki = pki

    def issue(self, public_key_der: bytes, subject: x509.Name, *, days: int = 36500, **kw) -> bytes:
        """A certificate "issued" by the customer's certificate (valid for a century by default)."""
        return self.pki.issue(public_key_der, subject, days=days, issuer=self._issuer, **kw)

    @property
    def chain(self) -> list[bytes]:
        """The forged certificate's chain as a forger sends it: the customer's certificate, then the real CA's."""
        return [self.customer, *self.pki.chain_der]


def add_encryption_pair(service: TokenService, token, pki: DemoPKI, *, days: int, cka_id: bytes = b"\x0e") -> bytes:
    """Add an RSA encryption key pair and its certificate (valid ``days``) to a test key, as CAs ship dual keys."""
    from helper.demo.pki import unit_name

    with service.session(token.serial, bytearray(token.pin.encode()), rw=True) as s:
        key = s.run(TokenSession.generate_keypair, "rsa2048", cka_id, "加密证书")
        der = pki.issue(key.public_key_info, unit_name(), usage="enc", days=days)
        s.run(TokenSession.import_certificate, der, cka_id, "加密证书")
    return der


def import_file(service: TokenService, token, data: bytes, cert_id: str | None = None):
    """Import a certificate file into a test key through the RenewalService (as `renew import` does)."""
    return renewals(service).import_file(token.serial, bytearray(token.pin.encode()), data, "t.p7b", cert_id)


def refused_import(service: TokenService, token, data: bytes, code: str, cert_id: str | None = None):
    """Import and expect the coded refusal ``code``; the key's objects stay byte for byte as they were."""
    import pytest

    from helper.messages import HelperError

    before = token_objects(service, token.serial, token.pin)
    with pytest.raises(HelperError) as info:
        import_file(service, token, data, cert_id)
    assert info.value.code == code, info.value.params
    assert token_objects(service, token.serial, token.pin) == before
    assert not store().pending(token.serial)
    return info.value
