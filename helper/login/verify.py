"""Relying-party verification of a ``web-eid:1.0`` login token, for portals (the demo portal uses it).

Checks, in order: the token's shape and format; the certificate's validity period; the signature over
SHA-256(origin) || SHA-256(nonce) for the origin and nonce the portal expects (RS256 / PS256 with a 32-byte
salt / ES256 raw r||s, as web-eid-authtoken-validation); the chain to the portal's trusted CA certificates
and the digitalSignature key usage (pyhanko-certvalidator, no network fetching). The nonce's single use and
expiry are the portal's business (it must forget a nonce once a token was checked against it).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError

from helper import certs
from helper.login.token import signed_data
from helper.messages import HelperError

FIELDS = ("unverifiedCertificate", "algorithm", "signature", "format")


@dataclass(frozen=True)
class VerifiedLogin:
    """Who logged in: from the verified certificate."""

    certificate: bytes
    fingerprint: str  # SHA-256 hex of the certificate: what a portal binds an account to
    unit: str
    unit_code: str
    holder: str
    issuer: str


class TokenVerifier:
    """Verifies tokens against ``trust_roots`` (DER), with ``intermediates`` (DER) to build chains."""

    def __init__(self, trust_roots: Iterable[bytes], intermediates: Iterable[bytes] = ()) -> None:
        self._roots = [asn1_x509.Certificate.load(d) for d in trust_roots]
        self._intermediates = [asn1_x509.Certificate.load(d) for d in intermediates]

    def verify(self, token: Any, origin: str, nonce: str, now: datetime | None = None) -> VerifiedLogin:
        """The login for a valid token; HelperError AUTH_TOKEN_* otherwise. Blocking (call off the event loop)."""
        now = now or datetime.now(UTC)
        der, algorithm, signature = _parse(token)
        try:
            cert = x509.load_der_x509_certificate(der)
            info = certs.parse(der)
        except (ValueError, HelperError) as exc:
            raise HelperError("AUTH_TOKEN_INVALID", detail="certificate unreadable") from exc
        if not info.not_before <= now <= info.not_after:
            raise HelperError("AUTH_TOKEN_CERT_EXPIRED", subject=info.subject, not_before=info.not_before.date(),
                              not_after=info.not_after.date())
        _check_signature(cert, algorithm, signature, signed_data(origin, nonce))
        if info.key_usage and "digital_signature" not in info.key_usage:
            raise HelperError("AUTH_TOKEN_CERT_USAGE", subject=info.subject)
        self._check_chain(der, info, now)
        return VerifiedLogin(der, info.sha256, info.unit, info.unit_code, info.subject_cn, info.issuer_cn)

    def _check_chain(self, der: bytes, info: certs.CertInfo, now: datetime) -> None:
        context = ValidationContext(trust_roots=self._roots, other_certs=self._intermediates, moment=now,
                                    allow_fetching=False, revocation_mode="soft-fail")
        validator = CertificateValidator(asn1_x509.Certificate.load(der), validation_context=context)
        try:
            asyncio.run(validator.async_validate_usage({"digital_signature"}))
        except (PathBuildingError, PathValidationError, ValidationError) as exc:
            raise HelperError("AUTH_TOKEN_CERT_UNTRUSTED", subject=info.subject, detail=str(exc)[:200]) from exc


def _b64(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise HelperError("AUTH_TOKEN_INVALID", detail=f"{name} missing")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise HelperError("AUTH_TOKEN_INVALID", detail=f"{name} is not base64") from None


def _parse(token: Any) -> tuple[bytes, str, bytes]:
    if not isinstance(token, dict) or any(f not in token for f in FIELDS):
        raise HelperError("AUTH_TOKEN_INVALID", detail="fields missing")
    if not isinstance(token["format"], str) or not token["format"].startswith("web-eid:1"):
        raise HelperError("AUTH_TOKEN_INVALID", detail="unknown format")
    algorithm = token["algorithm"]
    if algorithm not in ("RS256", "PS256", "ES256"):
        raise HelperError("AUTH_TOKEN_INVALID", detail="unsupported algorithm")
    return _b64(token["unverifiedCertificate"], "unverifiedCertificate"), algorithm, _b64(token["signature"], "signature")


def _check_signature(cert: x509.Certificate, algorithm: str, signature: bytes, data: bytes) -> None:
    key = cert.public_key()
    try:
        if algorithm == "ES256":
            if not isinstance(key, ec.EllipticCurvePublicKey) or len(signature) != 64:
                raise InvalidSignature
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            pad = padding.PKCS1v15() if algorithm == "RS256" else padding.PSS(padding.MGF1(hashes.SHA256()), 32)
            key.verify(signature, data, pad, hashes.SHA256())
        else:
            raise InvalidSignature
    except InvalidSignature:
        raise HelperError("AUTH_TOKEN_SIGNATURE_INVALID") from None
