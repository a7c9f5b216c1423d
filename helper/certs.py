"""The certificate model: Chinese subject fields, validity, days left, usage, chain and status."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Literal

from asn1crypto import pem, x509

import resources
from helper import unitfields
from helper.messages import HelperError
from helper.unitfields import Extension

Status = Literal["valid", "expiring", "expired", "not_yet_valid"]
KeyType = Literal["rsa", "ec", "sm2"]
SM2_CURVE = "1.2.156.10197.1.301"
DEFAULT_EXPIRY_DAYS = 30


@dataclass(frozen=True)
class CertInfo:
    """What the helper shows of one certificate."""

    der: bytes = field(repr=False)
    subject_cn: str
    unit: str  # O, else OU, else CN
    unit_code: str
    org_unit: str
    subject: str
    issuer: str
    issuer_cn: str
    serial_hex: str
    not_before: datetime
    not_after: datetime
    key_usage: tuple[str, ...]
    extended_key_usage: tuple[str, ...]
    key_algorithm: str  # RSA, ECC, SM2: what the faces print
    key_size: int
    sha256: str
    sha1: str
    self_signed: bool
    key_type: KeyType = "rsa"  # the one key-type switch: signing mechanisms and messages dispatch on it
    signature_algorithm: str = ""
    unit_code_kind: str = ""  # uscc, org_code, registration, tax
    unit_code_source: str = ""
    personal_id: str = ""  # masked: all but the last 4 characters hidden
    social_insurance: str = ""  # masked likewise
    extensions: tuple[Extension, ...] = ()
    subject_parts: tuple[tuple[str, str], ...] = ()  # (attribute: native name or dotted OID, value)
    issuer_parts: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        """A short stable identifier for the CLI: the first 16 hex digits of the SHA-256 fingerprint."""
        return self.sha256[:16]

    @property
    def is_signing(self) -> bool:
        """Usable for signatures (digitalSignature or nonRepudiation, or no key usage at all)."""
        return not self.key_usage or bool({"digital_signature", "non_repudiation"} & set(self.key_usage))

    @property
    def is_encryption_only(self) -> bool:
        return bool(self.key_usage) and not self.is_signing

    @property
    def is_ca(self) -> bool:
        return "key_cert_sign" in self.key_usage

    def days_left(self, now: datetime | None = None) -> int:
        now = now or datetime.now(UTC)
        return (self.not_after - now).days

    def status(self, now: datetime | None = None, warn_days: int = DEFAULT_EXPIRY_DAYS) -> Status:
        now = now or datetime.now(UTC)
        if now < self.not_before:
            return "not_yet_valid"
        if now > self.not_after:
            return "expired"
        if self.days_left(now) <= warn_days:
            return "expiring"
        return "valid"


def _name_value(name: x509.Name, key: str) -> str:
    for rdn in name.chosen:
        for atv in rdn:
            if atv["type"].native == key or atv["type"].dotted == key:
                value = atv["value"].native
                return value if isinstance(value, str) else str(value)
    return ""


def describe_name(name: x509.Name) -> str:
    """A readable one-line name, most significant first is how Chinese CAs print it: C, ST, L, O, OU, CN."""
    parts = []
    for rdn in name.chosen:
        for atv in rdn:
            label = atv["type"].native if atv["type"].native != atv["type"].dotted else atv["type"].dotted
            short = _SHORT.get(label, label)
            value = atv["value"].native
            parts.append(f"{short}={value if isinstance(value, str) else value!s}")
    return ", ".join(parts)


_SHORT = {
    "country_name": "C", "state_or_province_name": "ST", "locality_name": "L", "organization_name": "O",
    "organizational_unit_name": "OU", "common_name": "CN", "serial_number": "serialNumber",
    "email_address": "E", "organization_identifier": "organizationIdentifier", "2.5.4.97": "organizationIdentifier",
}


def parse(der: bytes) -> CertInfo:
    """Parse DER (or PEM) into CertInfo; HelperError CERT_UNREADABLE on garbage.

    asn1crypto reads SM2 certificates, which pyca/cryptography cannot load.
    """
    if pem.detect(der):
        _, _, der = pem.unarmor(der)
    try:
        cert = x509.Certificate.load(der)
        tbs = cert["tbs_certificate"]
        subject, issuer = cert.subject, cert.issuer
        validity = tbs["validity"]
        not_before = validity["not_before"].native
        not_after = validity["not_after"].native
        ku = tuple(sorted(cert.key_usage_value.native)) if cert.key_usage_value else ()
        eku = tuple(cert.extended_key_usage_value.native) if cert.extended_key_usage_value else ()
        key_type, size = key_type_and_size(cert)
        fields = unitfields.read(cert)
    except Exception as exc:  # noqa: BLE001 - every parse failure is one user-facing error
        raise HelperError("CERT_UNREADABLE", detail=type(exc).__name__) from exc
    from helper.certnames import KEY_TYPES, SIGNATURE_ALGORITHMS

    signature_oid = cert["signature_algorithm"]["algorithm"].dotted
    return CertInfo(
        der=der,
        subject_cn=_name_value(subject, "common_name"),
        unit=fields.unit,
        unit_code=fields.code.value if fields.code else "",
        org_unit=fields.department,
        subject=describe_name(subject),
        issuer=describe_name(issuer),
        issuer_cn=_name_value(issuer, "common_name") or _name_value(issuer, "organization_name"),
        serial_hex=format(cert.serial_number, "X"),
        not_before=not_before,
        not_after=not_after,
        key_usage=ku,
        extended_key_usage=eku,
        key_algorithm=KEY_TYPES[key_type],
        key_size=size,
        sha256=hashlib.sha256(der).hexdigest(),
        sha1=hashlib.sha1(der).hexdigest(),
        self_signed=cert.self_signed != "no",
        key_type=key_type,
        signature_algorithm=SIGNATURE_ALGORITHMS.get(signature_oid, cert["signature_algorithm"]["algorithm"].native),
        unit_code_kind=fields.code.kind if fields.code else "",
        unit_code_source=fields.code.source if fields.code else "",
        personal_id=fields.personal_id,
        social_insurance=fields.social_insurance,
        extensions=tuple(unitfields.extensions(cert)),
        subject_parts=name_parts(subject),
        issuer_parts=name_parts(issuer),
    )


def name_parts(name: x509.Name) -> tuple[tuple[str, str], ...]:
    """The attributes of a name in order, each as (native name or dotted OID, text)."""
    out = []
    for rdn in name.chosen:
        for atv in rdn:
            value = atv["value"].native
            out.append((atv["type"].native, value if isinstance(value, str) else str(value)))
    return tuple(out)


def key_type_and_size(cert: x509.Certificate) -> tuple[KeyType, int]:
    """rsa / ec / sm2 and the key size, from the SubjectPublicKeyInfo (SM2: the curve, or the SM2 OID itself)."""
    info = cert.public_key
    algorithm = info["algorithm"]["algorithm"].dotted
    params = info["algorithm"]["parameters"]
    curve = params.chosen.dotted if algorithm == "1.2.840.10045.2.1" and params.name == "named" else ""
    if algorithm == SM2_CURVE or curve == SM2_CURVE:
        return "sm2", 256
    if info.algorithm == "rsa":
        return "rsa", info.bit_size
    if info.algorithm == "ec":
        return "ec", info.bit_size
    raise ValueError(f"unsupported public key {algorithm}")


def load_certificates(data: bytes) -> list[bytes]:
    """DER certificates from DER, PEM (one or many) or a PKCS#7 .p7b bundle."""
    from asn1crypto import cms

    if pem.detect(data):
        return [der for kind, _, der in pem.unarmor(data, multiple=True) if kind in ("CERTIFICATE", "PKCS7")
                for der in (_p7_certs(der) if kind == "PKCS7" else [der])]
    try:
        info = cms.ContentInfo.load(data)
        if info["content_type"].native == "signed_data":
            return _p7_certs(data)
    except Exception:  # noqa: BLE001 - not PKCS#7: try a bare certificate below
        pass
    return [data]


def _p7_certs(der: bytes) -> list[bytes]:
    from asn1crypto import cms

    signed = cms.ContentInfo.load(der)["content"]
    return [c.chosen.dump() for c in signed["certificates"] if c.name == "certificate"]


@cache
def bundled_ca_certs() -> tuple[bytes, ...]:
    """CA certificates shipped in resources/ca (*.pem, *.cer, *.crt)."""
    folder = resources.path("ca")
    out: list[bytes] = []
    if folder.is_dir():
        for item in sorted(folder.iterdir(), key=lambda p: p.name):
            if item.name.endswith((".pem", ".cer", ".crt")):
                out += load_certificates(item.read_bytes())
    return tuple(out)


def user_ca_certs(folder: Path) -> list[bytes]:
    out: list[bytes] = []
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in (".pem", ".cer", ".crt", ".der", ".p7b"):
                try:
                    out += load_certificates(path.read_bytes())
                except Exception:  # noqa: BLE001 - a broken file in the user's folder is skipped
                    continue
    return out


def build_chain(leaf: bytes, pool: Iterable[bytes]) -> list[bytes]:
    """The chain from ``leaf`` upwards through ``pool`` (leaf first), as far as issuers are found."""
    by_subject: dict[bytes, list[x509.Certificate]] = {}
    by_key_id: dict[bytes, list[x509.Certificate]] = {}
    for der in pool:
        try:
            c = x509.Certificate.load(der)
            by_subject.setdefault(c.subject.dump(), []).append(c)
            if c.key_identifier:
                by_key_id.setdefault(c.key_identifier, []).append(c)
        except Exception:  # noqa: BLE001 - unusable pool entries are ignored
            continue
    chain = [leaf]
    current = x509.Certificate.load(leaf)
    for _ in range(8):
        if current.self_signed != "no":
            break
        # By AKI/SKI first (SM2 CAs re-encode names: the issuer's DN bytes need not match), then by name.
        candidates = by_key_id.get(current.authority_key_identifier or b"", []) + by_subject.get(current.issuer.dump(), [])
        issuer = next((c for c in candidates if _issued_by(current, c)), None)
        if issuer is None:
            break
        chain.append(issuer.dump())
        current = issuer
    return chain


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    aki = cert.authority_key_identifier
    ski = issuer.key_identifier
    if aki and ski:
        return aki == ski
    return cert.issuer == issuer.subject and issuer.sha256 != cert.sha256


def chain_complete(chain: Sequence[bytes]) -> bool:
    """True when the chain ends in a self-signed root."""
    return x509.Certificate.load(chain[-1]).self_signed != "no"
