"""A demo PKI that looks like a Chinese CA's: root → issuing CA → unit certificates.

Everything is clearly marked 演示 (demo). Keys of the CAs live in PEM files in the demo folder;
end-entity keys live on the (SoftHSM) demo key and only their public halves come here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ORG_ID = x509.ObjectIdentifier("2.5.4.97")  # organizationIdentifier, holds the unified social credit code

DEMO_UNIT = "石家庄示例科技有限公司"
DEMO_UNIT_CODE = "91130100MA0DEM012U"
DEMO_HOLDER = "张三"

Usage = Literal["sign", "enc", "ra", "tls"]


def unit_name(unit: str = DEMO_UNIT, holder: str = DEMO_HOLDER, code: str = DEMO_UNIT_CODE) -> x509.Name:
    """The subject a Chinese CA gives a unit's operator certificate."""
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "河北省"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "石家庄市"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit),
        x509.NameAttribute(ORG_ID, code),
        x509.NameAttribute(NameOID.COMMON_NAME, holder),
    ])


def _ca_name(cn: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "示例电子认证有限公司（演示）"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class DemoPKI:
    """Root and issuing CA (keys in memory, written to ``folder`` as PEM)."""

    root_cert: x509.Certificate
    root_key: rsa.RSAPrivateKey
    ca_cert: x509.Certificate
    ca_key: rsa.RSAPrivateKey

    @classmethod
    def create(cls) -> DemoPKI:
        now = _now()
        root_key = rsa.generate_private_key(65537, 2048)
        root_name = _ca_name("示例根CA（演示）")
        root = _ca_cert(root_name, root_key, root_name, root_key, now, 20 * 365, path_len=1)
        ca_key = rsa.generate_private_key(65537, 2048)
        ca = _ca_cert(_ca_name("示例数字证书签发CA（演示）"), ca_key, root_name, root_key, now, 10 * 365, path_len=0)
        return cls(root, root_key, ca, ca_key)

    def issue(
        self,
        public_key_der: bytes,
        subject: x509.Name,
        *,
        usage: Usage = "sign",
        days: int = 365,
        not_before: dt.datetime | None = None,
        serial: int | None = None,
        issuer: tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes] | None = None,
    ) -> bytes:
        """Issue a DER certificate for a SubjectPublicKeyInfo (by default from the issuing CA)."""
        issuer_cert, issuer_key = issuer or (self.ca_cert, self.ca_key)
        public_key = serialization.load_der_public_key(public_key_der)
        start = not_before or _now() - dt.timedelta(minutes=5)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_cert.subject)
            .public_key(public_key)
            .serial_number(serial or x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
            .add_extension(_key_usage(usage), critical=True)
        )
        eku = {
            "sign": [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION],
            "tls": [ExtendedKeyUsageOID.SERVER_AUTH],
        }.get(usage)
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    @property
    def chain_der(self) -> list[bytes]:
        """Issuing CA then root, DER."""
        return [c.public_bytes(serialization.Encoding.DER) for c in (self.ca_cert, self.root_cert)]

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        pem = serialization.Encoding.PEM
        (folder / "root.pem").write_bytes(self.root_cert.public_bytes(pem))
        (folder / "ca.pem").write_bytes(self.ca_cert.public_bytes(pem))
        (folder / "chain.pem").write_bytes(self.ca_cert.public_bytes(pem) + self.root_cert.public_bytes(pem))
        for name, key in (("root.key", self.root_key), ("ca.key", self.ca_key)):
            (folder / name).write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))

    @classmethod
    def load(cls, folder: Path) -> DemoPKI:
        def key(name: str):
            return serialization.load_pem_private_key((folder / name).read_bytes(), None)

        return cls(
            x509.load_pem_x509_certificate((folder / "root.pem").read_bytes()), key("root.key"),
            x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes()), key("ca.key"),
        )


def _key_usage(usage: Usage) -> x509.KeyUsage:
    sign = usage in ("sign", "ra", "tls")
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=usage == "sign", key_encipherment=usage in ("enc", "tls"),
        data_encipherment=usage == "enc", key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )


def _ca_cert(subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Name, issuer_key: rsa.RSAPrivateKey,
             now: dt.datetime, days: int, path_len: int) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_len), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def software_key(kind: Literal["rsa", "ec"] = "rsa"):
    """A software key for tests and demo peers (never for a user's identity)."""
    return rsa.generate_private_key(65537, 2048) if kind == "rsa" else ec.generate_private_key(ec.SECP256R1())
