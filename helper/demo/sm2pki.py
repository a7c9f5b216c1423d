"""The SM2 demo CA: an SM2 root that issues SM2 signing and encryption certificates, made with openssl.

pyca/cryptography cannot build certificates for SM2 keys, so Debian's openssl does it (SM3withSM2 with
the default signer ID 1234567812345678, as Chinese CAs sign). Demo and tests only.
"""

from __future__ import annotations

import secrets
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from cryptography import x509

DIST_ID = "distid:1234567812345678"
ROOT_SUBJECT = "/C=CN/O=示例电子认证有限公司（演示）/CN=示例国密根CA（演示）"
_USAGES = {
    "sign": "critical,digitalSignature,nonRepudiation",
    "enc": "critical,keyEncipherment,dataEncipherment,keyAgreement",
}


def _subj(name: x509.Name) -> str:
    """openssl's -subj form of a name, attributes by OID, in order."""
    return "".join(f"/{a.oid.dotted_string}={str(a.value).replace('/', chr(92) + '/')}" for a in name)


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@dataclass(frozen=True)
class Sm2DemoCA:
    """An SM2 root CA kept in ``folder`` (root.key, root.pem)."""

    folder: Path

    @property
    def key(self) -> Path:
        return self.folder / "root.key"

    @property
    def cert(self) -> Path:
        return self.folder / "root.pem"

    @classmethod
    def create(cls, folder: Path, *, days: int = 20 * 365) -> Sm2DemoCA:
        folder.mkdir(parents=True, exist_ok=True)
        ca = cls(folder)
        _openssl("genpkey", "-algorithm", "SM2", "-out", str(ca.key))
        _openssl("req", "-new", "-x509", "-utf8", "-key", str(ca.key), "-sm3", "-sigopt", DIST_ID,
                 "-subj", ROOT_SUBJECT, "-days", str(days), "-set_serial", str(secrets.randbits(63)),
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                 "-addext", "subjectKeyIdentifier=hash", "-out", str(ca.cert))
        return ca

    def issue(self, public_key_info: bytes, subject: x509.Name, *, usage: Literal["sign", "enc"],
              days: int = 365) -> bytes:
        """A DER certificate for an SM2 public key (DER SubjectPublicKeyInfo), signed SM3withSM2."""
        from asn1crypto import pem

        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            (work / "pub.pem").write_bytes(pem.armor("PUBLIC KEY", public_key_info))
            (work / "ext.cnf").write_text(
                "[v3]\nbasicConstraints = critical,CA:FALSE\n"
                f"keyUsage = {_USAGES[usage]}\n"
                + ("extendedKeyUsage = clientAuth,emailProtection\n" if usage == "sign" else "")
                + "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n", encoding="utf-8")
            # openssl x509 -req wants a request; one signed by the CA key carries the subject, and
            # -force_pubkey puts the key's public half in the certificate.
            _openssl("req", "-new", "-utf8", "-key", str(self.key), "-sm3", "-sigopt", DIST_ID, "-subj", _subj(subject),
                     "-out", str(work / "req.pem"))
            _openssl("x509", "-req", "-in", str(work / "req.pem"), "-vfyopt", DIST_ID,
                     "-force_pubkey", str(work / "pub.pem"), "-CA", str(self.cert), "-CAkey", str(self.key),
                     "-sm3", "-sigopt", DIST_ID, "-days", str(days), "-set_serial", str(secrets.randbits(63)),
                     "-extfile", str(work / "ext.cnf"), "-extensions", "v3", "-outform", "DER",
                     "-out", str(work / "cert.der"))
            return (work / "cert.der").read_bytes()
