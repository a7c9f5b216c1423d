"""SM2 material for the tests, made and checked by tools that share no code with the helper:
an SM2 PKI issued by OpenSSL 3 (SM3withSM2, ID 1234567812345678) and Bouncy Castle's verifier
(SM2Verify.java, compiled with javac against Debian's libbcprov-java / libbcpkix-java)."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import csr as acsr
from asn1crypto import pem, x509

from helper.demo import sm2token
from tokenio.session import TokenSession
from tokenio.worker import TokenService

DISTID = "distid:1234567812345678"
BC_JARS = ("/usr/share/java/bcprov.jar", "/usr/share/java/bcpkix.jar", "/usr/share/java/bcutil.jar")
HERE = Path(__file__).resolve().parent
PIN, SO_PIN = "135790", "24680246"  # of the SM2 test keys made here


def _run(*args: str, cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, timeout=60)


@dataclass(frozen=True)
class SM2Cert:
    """A certificate (DER) and its private key (PEM) as OpenSSL wrote them."""

    der: bytes
    key_pem: bytes
    path: Path  # the DER file


@dataclass(frozen=True)
class SM2PKI:
    root: SM2Cert
    ca: SM2Cert  # the issuing CA (signed by root)
    signing: SM2Cert  # digitalSignature + nonRepudiation
    encryption: SM2Cert  # keyEncipherment + dataEncipherment: never signs
    folder: Path

    def issue(self, name: str, subject: str, usage: str, *, days: int = 365, key: bytes | None = None,
              issuer: SM2Cert | None = None) -> SM2Cert:
        """Another certificate from the issuing CA (or ``issuer``), for a new key or the key PEM ``key``."""
        return _leaf(self.folder, name, subject, usage, issuer or self.ca, days=days, key=key)


def _key(folder: Path, name: str) -> Path:
    path = folder / f"{name}.key"
    _run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", str(path),
         cwd=folder)
    return path


def _load(folder: Path, name: str, key: Path) -> SM2Cert:
    der_path = folder / f"{name}.der"
    _run("openssl", "x509", "-in", f"{name}.pem", "-outform", "der", "-out", str(der_path), cwd=folder)
    return SM2Cert(der_path.read_bytes(), key.read_bytes(), der_path)


def _ca(folder: Path, name: str, subject: str, issuer: SM2Cert | None, *, constraints: str = "") -> SM2Cert:
    """An SM2 CA; ``constraints``: more basicConstraints (",pathlen:0") and extension lines."""
    key = _key(folder, name)
    ext = folder / f"{name}.ext"
    basic, _, more = constraints.partition("\n")
    ext.write_text(f"basicConstraints=critical,CA:TRUE{basic}\nkeyUsage=critical,keyCertSign,cRLSign\n"
                   "subjectKeyIdentifier=hash\n" + ("authorityKeyIdentifier=keyid\n" if issuer else "")
                   + (more + "\n" if more else ""))
    if issuer is None:
        _run("openssl", "req", "-new", "-x509", "-key", str(key), "-sm3", "-sigopt", DISTID, "-utf8",
             "-subj", subject, "-days", "3650", "-out", f"{name}.pem", "-extensions", "v3", "-config",
             str(_req_config(folder, ext)), cwd=folder)
    else:
        _sign_request(folder, name, key, subject, ext, issuer, 3650)
    return _load(folder, name, key)


def _req_config(folder: Path, ext: Path) -> Path:
    conf = folder / "req.cnf"
    conf.write_text("[req]\ndistinguished_name=dn\n[dn]\n[v3]\n" + ext.read_text())
    return conf


def _sign_request(folder: Path, name: str, key: Path, subject: str, ext: Path, issuer: SM2Cert, days: int) -> None:
    issuer_pem = issuer.path.with_suffix(".pem")  # the issuer's files, wherever its PKI was made
    issuer_key = issuer.path.with_suffix(".key")
    _run("openssl", "req", "-new", "-key", str(key), "-sm3", "-sigopt", DISTID, "-utf8", "-subj", subject,
         "-out", f"{name}.csr", cwd=folder)
    _run("openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", str(issuer_pem), "-CAkey", str(issuer_key),
         "-sm3", "-sigopt", DISTID, "-vfyopt", DISTID, "-days", str(days), "-extfile", str(ext),
         "-set_serial", str(secrets.randbits(63) + 1), "-out", f"{name}.pem", cwd=folder)


def _leaf(folder: Path, name: str, subject: str, usage: str, issuer: SM2Cert, *, days: int = 365,
          key: bytes | None = None) -> SM2Cert:
    if key is None:
        key_path = _key(folder, name)
    else:
        key_path = folder / f"{name}.key"
        key_path.write_bytes(key)
    ext = folder / f"{name}.ext"
    ext.write_text(f"basicConstraints=CA:FALSE\nkeyUsage=critical,{usage}\nsubjectKeyIdentifier=hash\n"
                   "authorityKeyIdentifier=keyid\n")
    _sign_request(folder, name, key_path, subject, ext, issuer, days)
    return _load(folder, name, key_path)


def make_pki(folder: Path) -> SM2PKI:
    folder.mkdir(parents=True, exist_ok=True)
    root = _ca(folder, "root", "/C=CN/O=测试国密CA/CN=测试国密根CA", None)
    ca = _ca(folder, "ca", "/C=CN/O=测试国密CA/CN=测试国密签发CA", root)
    subject = "/C=CN/O=石家庄示例科技有限公司/OU=91130100MA07XXXX1B/CN=张三"
    signing = _leaf(folder, "signing", subject, "digitalSignature,nonRepudiation", ca)
    encryption = _leaf(folder, "encryption", subject, "keyEncipherment,dataEncipherment,keyAgreement", ca)
    return SM2PKI(root, ca, signing, encryption, folder)


def openssl_verify(folder: Path, cert_der: bytes, *chain: bytes) -> bool:
    """OpenSSL's own SM2 certificate check (it needs the distid): ``cert_der`` against root ``chain[-1]``."""
    (folder / "check.der").write_bytes(cert_der)
    _run("openssl", "x509", "-inform", "der", "-in", "check.der", "-out", "check.pem", cwd=folder)
    (folder / "anchors.pem").write_text("".join(pem.armor("CERTIFICATE", c).decode() for c in chain))
    res = subprocess.run(["openssl", "verify", "-vfyopt", DISTID, "-CAfile", "anchors.pem", "check.pem"],
                         cwd=folder, capture_output=True, text=True, timeout=30)
    return res.returncode == 0


@contextmanager
def sm2_test_key(folder: Path, monkeypatch) -> Iterator[tuple[TokenService, str]]:
    """(token service, serial) of a fresh SM2 test key (sm2token/) with PIN ``PIN``."""
    conf = sm2token.configure(folder)
    monkeypatch.setenv(sm2token.ENV_CONF, str(conf))
    serial = sm2token.init_token(conf, "国密测试U盾", PIN, SO_PIN)
    service = TokenService((str(sm2token.build()),), use_registry=False)
    try:
        yield service, serial
    finally:
        service.shutdown()


def issue_from_csr(pki, csr_der: bytes, folder: Path, name: str, usage: str, *, issuer: SM2Cert | None = None) -> bytes:
    """OpenSSL's CA (the issuing CA, or ``issuer``) checks the request's SM3withSM2 signature (distid) and
    issues the certificate."""
    issuer = issuer or pki.ca
    issuer_dir = issuer.path.parent
    (folder / f"{name}.csr.der").write_bytes(csr_der)
    subprocess.run(["openssl", "req", "-inform", "der", "-in", f"{name}.csr.der", "-out", f"{name}.csr",
                    "-verify", "-vfyopt", DISTID], cwd=folder, check=True, capture_output=True)
    (folder / f"{name}.ext").write_text(f"keyUsage=critical,{usage}\nbasicConstraints=CA:FALSE\n")
    subprocess.run(["openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", str(issuer_dir / f"{issuer.path.stem}.pem"),
                    "-CAkey", str(issuer_dir / f"{issuer.path.stem}.key"), "-sm3", "-sigopt", DISTID, "-vfyopt", DISTID, "-days", "365",
                    "-extfile", f"{name}.ext", "-set_serial", str(secrets.randbits(63) + 1), "-outform", "der", "-out", f"{name}.der"],
                   cwd=folder, check=True, capture_output=True)
    return (folder / f"{name}.der").read_bytes()


def provision_pair(service, serial, pki, folder: Path, *, issuer: SM2Cert | None = None) -> tuple[bytes, bytes]:
    """A signing and an encryption SM2 key pair made on the key, certified by the issuing CA (or ``issuer``,
    e.g. the root as the demo's SM2 CA does), stored with the CA certificates."""
    subject = x509.Certificate.load(pki.signing.der).subject
    out = []
    with service.session(serial, bytearray(PIN.encode()), rw=True) as s:
        for cka_id, label, usage in ((b"\x01", "签名", "digitalSignature,nonRepudiation"),
                                     (b"\x02", "加密", "keyEncipherment,dataEncipherment")):
            key = s.run(TokenSession.generate_keypair, "sm2", cka_id, label)
            request = s.run(TokenSession.make_csr, key, subject)
            parsed = acsr.CertificationRequest.load(request)
            assert parsed["signature_algorithm"]["algorithm"].dotted == "1.2.156.10197.1.501"  # SM3withSM2
            der = issue_from_csr(pki, request, folder, label, usage, issuer=issuer)
            s.run(TokenSession.import_certificate, der, cka_id, label)
            out.append(der)
        for ca in (pki.ca, pki.root):
            s.run(TokenSession.import_certificate, ca.der, b"", ca.path.stem)
    return out[0], out[1]


@pytest.fixture(scope="session")
def sm2_pki(tmp_path_factory) -> SM2PKI:
    """One OpenSSL-issued SM2 PKI for the test session."""
    return make_pki(tmp_path_factory.mktemp("sm2pki"))


@pytest.fixture(scope="session")
def bouncy_castle(tmp_path_factory) -> BouncyCastle:
    """The Bouncy Castle verifier, compiled once for the test session."""
    return BouncyCastle(tmp_path_factory.mktemp("bouncy-castle"))


class BouncyCastle:
    """Bouncy Castle's SM2 verification, through tests/interop/SM2Verify.java."""

    def __init__(self, build_dir: Path) -> None:
        build_dir.mkdir(parents=True, exist_ok=True)
        self.classpath = ":".join((str(build_dir), *BC_JARS))
        subprocess.run(["javac", "-nowarn", "-d", str(build_dir), "-cp", self.classpath,
                        str(HERE / "SM2Verify.java")], check=True, capture_output=True, timeout=300)

    def _java(self, *args: str) -> tuple[bool, list[str]]:
        res = subprocess.run(["java", "-cp", self.classpath, "SM2Verify", *args], capture_output=True, text=True,
                             timeout=120)
        assert res.returncode in (0, 1), res.stderr
        return res.returncode == 0, res.stdout.splitlines()

    def pdf(self, path: Path, *roots: Path) -> tuple[bool, list[str]]:
        """Every signature's CMS over its ByteRange, and (with ``roots``) its chain."""
        return self._java("pdf", str(path), *map(str, roots))

    def signature(self, cert: Path, data: Path, signature: Path) -> tuple[bool, list[str]]:
        """One SM3withSM2 signature (DER) of ``data``'s bytes by ``cert``."""
        return self._java("sig", str(cert), str(data), str(signature))
