"""A small test PKI with software signers, and `openssl cmp` mock servers (used by tests and bench)."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DER = serialization.Encoding.DER
PEM = serialization.Encoding.PEM


class SoftSigner:
    """A RawSigner over a software key (the token-backed one plugs in the same way)."""

    def __init__(self, key: Key, certificate: x509.Certificate | None = None) -> None:
        self._key = key
        self.certificate = ax509.Certificate.load(certificate.public_bytes(DER)) if certificate else None
        spki = key.public_key().public_bytes(DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.public_key_info = keys.PublicKeyInfo.load(spki)
        self.signature_algorithm = "sha256_rsa" if isinstance(key, rsa.RSAPrivateKey) else "sha256_ecdsa"

    def sign(self, data: bytes) -> bytes:
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self._key.sign(data, ec.ECDSA(hashes.SHA256()))


def name(**attrs: str) -> x509.Name:
    oids = {"C": NameOID.COUNTRY_NAME, "O": NameOID.ORGANIZATION_NAME, "CN": NameOID.COMMON_NAME}
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in attrs.items()])


def issue(
    subject: x509.Name,
    key: Key,
    issuer: x509.Name,
    issuer_key: Key,
    *,
    ca: bool = False,
    serial: int | None = None,
    not_before: dt.datetime = NOW - dt.timedelta(days=1),
    days: int = 365,
    issuer_cert: x509.Certificate | None = None,
) -> x509.Certificate:
    usage = dict.fromkeys(
        ("content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
         "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"),
        False,
    )  # fmt: skip
    usage.update(digital_signature=True, key_cert_sign=ca, crl_sign=ca)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(**usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer_cert is not None:
        ski = issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class Pki:
    """Files and objects of the test PKI; `path(name)` is a PEM file written for openssl."""

    folder: Path
    root: x509.Certificate
    ra: x509.Certificate
    ee_key: ec.EllipticCurvePrivateKey
    ee_old: x509.Certificate
    ee_renewed: x509.Certificate
    new_key: rsa.RSAPrivateKey
    new_cert: x509.Certificate
    subject: x509.Name

    def path(self, name: str) -> str:
        return str(self.folder / f"{name}.pem")

    def asn1(self, cert: x509.Certificate) -> ax509.Certificate:
        return ax509.Certificate.load(cert.public_bytes(DER))

    def csr_der(self) -> bytes:
        builder = x509.CertificateSigningRequestBuilder().subject_name(self.subject)
        return builder.sign(self.new_key, hashes.SHA256()).public_bytes(DER)


def build_pki(folder: Path) -> Pki:
    """Root CA, RA (message signing), an expiring end-entity certificate, its renewal, and one for a new key."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = name(C="CN", O="石家庄示例电子认证中心", CN="示例根CA")
    root = issue(root_name, root_key, root_name, root_key, ca=True, days=3650)
    ra_key = ec.generate_private_key(ec.SECP256R1())
    ra = issue(
        name(C="CN", O="石家庄示例电子认证中心", CN="示例RA"), ra_key, root_name, root_key, issuer_cert=root
    )
    subject = name(C="CN", O="石家庄示例科技有限公司", CN="张三")
    ee_key = ec.generate_private_key(ec.SECP256R1())
    ee_old = issue(
        subject, ee_key, root_name, root_key, issuer_cert=root, not_before=NOW - dt.timedelta(days=340)
    )
    ee_renewed = issue(
        subject, ee_key, root_name, root_key, issuer_cert=root, serial=ee_old.serial_number, days=730
    )
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    new_cert = issue(subject, new_key, root_name, root_key, issuer_cert=root)
    for label, obj in {
        "root": root,
        "ra": ra,
        "ee_old": ee_old,
        "ee_renewed": ee_renewed,
        "new_cert": new_cert,
    }.items():
        (folder / f"{label}.pem").write_bytes(obj.public_bytes(PEM))
    for label, key in {"ra_key": ra_key, "ee_key": ee_key, "new_key": new_key}.items():
        pem = key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        (folder / f"{label}.pem").write_bytes(pem)
    return Pki(folder, root, ra, ee_key, ee_old, ee_renewed, new_key, new_cert, subject)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen | None = None, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on port {port}")


OPENSSL = shutil.which("openssl") or "openssl"


@dataclass(frozen=True)
class CmpServer:
    """A running `openssl cmp -port N ARGS` mock server; stop() kills it."""

    url: str
    port: int
    log: Path
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def start_server(log_dir: Path, *args: str) -> CmpServer:
    """Start the mock server on a free port and wait until it listens."""
    port = free_port()
    log = log_dir / f"server-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([OPENSSL, "cmp", "-port", str(port), *args], stdout=out, stderr=out)
    try:
        wait_listening(port, proc)
    except RuntimeError:
        proc.kill()
        raise
    return CmpServer(f"http://127.0.0.1:{port}/pkix/", port, log, proc)
