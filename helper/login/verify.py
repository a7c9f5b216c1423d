"""Relying-party verification of Web eID login tokens (``web-eid:1``), for portals (the demo portal uses it).

The rules follow web-eid-authtoken-validation (AuthTokenValidatorImpl and its validators); README's table
"What the verifier checks" lists them. In order:
1. the token is at most MAX_TOKEN_CHARS before anything is parsed, a JSON object with string fields, of format
   ``web-eid:<1>[.<minor>]`` in canonical spelling (``web-eid:1`` / ``web-eid:1.0`` may not carry
   ``unverifiedSigningCertificates``);
2. the site's origin is an https origin in canonical form (http only for loopback, with ``allow_http_loopback``);
   the nonce is base64 of at least 32 bytes;
3. the certificate is within its validity, has key usage digitalSignature and, when it has an extended key
   usage, clientAuth;
4. it chains to a trust anchor (pyhanko-certvalidator, no fetching; SM2 paths by helper.crypto.chain) and that
   anchor is within its validity;
5. it is not revoked (helper.login.revocation: OCSP with nonce, CRL fallback; "hard-fail" by default);
6. the signature over SHA-256(origin) || SHA-256(nonce) verifies with the certificate's key (ALGORITHMS).
Every failure is an AuthTokenError subclass with a catalogue code. ``verify`` is synchronous and works with or
without a running event loop in the calling thread; ``verify_async`` is the coroutine. Nonces: NonceIssuer.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import json
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError

from helper import certs
from helper.crypto.chain import ChainError
from helper.login import origins, sm2auth
from helper.login import revocation as revocation_mod
from helper.login.authtoken_errors import (
    CertificateExpired,
    CertificateUntrusted,
    CertificateWrongPurpose,
    NonceExpired,
    NonceInvalid,
    NonceUnknown,
    OriginInvalid,
    TokenMalformed,
    TokenSignatureInvalid,
)
from helper.login.token import check_nonce, signed_data
from helper.messages import HelperError

MAX_TOKEN_CHARS = 10_000  # web-eid-authtoken-validation's TOKEN_MAX_LENGTH
FIELDS = ("unverifiedCertificate", "algorithm", "signature", "format")
FORMAT = re.compile(r"web-eid:(0|[1-9]\d{0,8})(?:\.(0|[1-9]\d{0,8}))?")
SUPPORTED_MAJOR = 1


# --- signature algorithms: one entry per token "algorithm" ---------------------------------------------
def _es256(key: Any, signature: bytes, data: bytes) -> None:
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1) \
            or len(signature) != 64:
        raise InvalidSignature
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    key.verify(der, data, ec.ECDSA(hashes.SHA256()))


def _rs256(key: Any, signature: bytes, data: bytes) -> None:
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidSignature
    key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


def _ps256(key: Any, signature: bytes, data: bytes) -> None:
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidSignature
    key.verify(signature, data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())


# algorithm -> check(public key, signature, signed data) raising InvalidSignature
ALGORITHMS: dict[str, Callable[[Any, bytes, bytes], None]] = {"ES256": _es256, "RS256": _rs256, "PS256": _ps256,
                                                             sm2auth.ALGORITHM: sm2auth.verify}


@dataclass(frozen=True)
class VerifiedLogin:
    """Who logged in: from the verified certificate."""

    certificate: bytes
    fingerprint: str  # SHA-256 hex of the certificate: what a portal binds an account to
    unit: str
    unit_code: str
    holder: str
    issuer: str
    revocation: revocation_mod.RevocationStatus = "good"


class TokenVerifier:
    """Verifies tokens against ``trust_roots`` (DER), with ``intermediates`` (DER) to build chains.

    ``revocation``: "hard-fail" (default: the certificate must be shown not revoked), "soft-fail" (accepted
    when no OCSP responder or CRL answers; revoked still fails), "off", or a RevocationPolicy (timeout, clock
    skew, responders known not to echo nonces). ``allow_http_loopback`` accepts
    http://localhost / 127.0.0.0/8 / [::1] as the site origin (development and the demo only).
    """

    def __init__(self, trust_roots: Iterable[bytes], intermediates: Iterable[bytes] = (), *,
                 revocation: revocation_mod.RevocationPolicy | revocation_mod.RevocationMode = "hard-fail",
                 allow_http_loopback: bool = False) -> None:
        self._roots = [asn1_x509.Certificate.load(d) for d in trust_roots]
        self._intermediates = [asn1_x509.Certificate.load(d) for d in intermediates]
        self._cas = [x509.load_der_x509_certificate(c.dump()) for c in self._roots + self._intermediates]
        self.policy = revocation if isinstance(revocation, revocation_mod.RevocationPolicy) \
            else revocation_mod.RevocationPolicy(mode=revocation)
        self.allow_http_loopback = allow_http_loopback

    def verify(self, token: Any, origin: str, nonce: str, now: datetime | None = None) -> VerifiedLogin:
        """The login for a valid token; an AuthTokenError otherwise. From async code prefer ``verify_async``:
        called with a loop running in this thread, this waits for a helper thread (blocking that loop)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.verify_async(token, origin, nonce, now))
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="verify") as pool:
            return pool.submit(asyncio.run, self.verify_async(token, origin, nonce, now)).result()

    async def verify_async(self, token: Any, origin: str, nonce: str, now: datetime | None = None) -> VerifiedLogin:
        now = now or datetime.now(UTC)
        der, algorithm, signature = parse_token(token)
        self._check_origin(origin)
        try:
            check_nonce(nonce)
        except HelperError as exc:
            raise NonceInvalid(detail=exc.params.get("detail", "")) from None
        try:
            cert = x509.load_der_x509_certificate(der)
            info = certs.parse(der)
        except (ValueError, HelperError) as exc:
            raise TokenMalformed(detail="certificate unreadable") from exc
        _check_validity(cert, info, now)
        _check_purpose(cert, info)
        issuer = await self._check_chain(der, cert, info, now)
        status = await revocation_mod.check(cert, issuer, now, self.policy)
        check = ALGORITHMS[algorithm]
        try:
            check(sm2auth.public_key(cert), signature, signed_data(origin, nonce))
        except (InvalidSignature, ValueError):
            raise TokenSignatureInvalid() from None
        return VerifiedLogin(der, info.sha256, info.unit, info.unit_code, info.subject_cn, info.issuer_cn, status)

    def _check_origin(self, origin: Any) -> None:
        canonical = origins.normalize(origin) if isinstance(origin, str) else None
        if canonical is None or canonical != origin:
            raise OriginInvalid(origin=str(origin)[:200])
        if not origin.startswith("https://") and not (self.allow_http_loopback and origins.is_loopback(origin)):
            raise OriginInvalid(origin=origin[:200])

    async def _check_chain(self, der: bytes, cert: x509.Certificate, info: certs.CertInfo,
                           now: datetime) -> x509.Certificate:
        """The chain to a trust anchor that is itself within its validity; returns the leaf's issuer."""
        if sm2auth.involves_sm2(der):  # SM2 signatures: pyhanko-certvalidator cannot check them
            try:
                path = sm2auth.check_chain(der, self._roots, self._intermediates, now)
            except ChainError as exc:
                raise CertificateUntrusted(subject=info.subject, detail=str(exc)[:200]) from exc
            return x509.load_der_x509_certificate(path[min(1, len(path) - 1)].dump())
        context = ValidationContext(trust_roots=self._roots, other_certs=self._intermediates, moment=now,
                                    allow_fetching=False, revocation_mode="soft-fail")
        validator = CertificateValidator(asn1_x509.Certificate.load(der), validation_context=context)
        try:
            path = await validator.async_validate_usage({"digital_signature"})
        except (PathBuildingError, PathValidationError, ValidationError) as exc:
            raise CertificateUntrusted(subject=info.subject, detail=str(exc)[:200]) from exc
        anchor = x509.load_der_x509_certificate(path.first.dump())
        if not anchor.not_valid_before_utc <= now <= anchor.not_valid_after_utc:
            raise CertificateUntrusted(subject=info.subject,
                                       detail=f"trust anchor valid {anchor.not_valid_before_utc.date()} to "
                                              f"{anchor.not_valid_after_utc.date()}")
        for ca in self._cas:
            try:
                cert.verify_directly_issued_by(ca)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return ca
        raise CertificateUntrusted(subject=info.subject, detail="issuer not among the trusted certificates")


def parse_token(token: Any) -> tuple[bytes, str, bytes]:
    """(certificate DER, algorithm, signature) from a token given as JSON text or as the decoded object."""
    if isinstance(token, bytes | bytearray):
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenMalformed(detail=f"larger than {MAX_TOKEN_CHARS} bytes")
        token = bytes(token).decode("utf-8", "replace")
    if isinstance(token, str):
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenMalformed(detail=f"larger than {MAX_TOKEN_CHARS} characters")
        try:
            token = json.loads(token)
        except ValueError:
            raise TokenMalformed(detail="not JSON") from None
    if not isinstance(token, dict) or any(f not in token for f in FIELDS):
        raise TokenMalformed(detail="fields missing")
    if sum(len(v) for v in token.values() if isinstance(v, str)) > MAX_TOKEN_CHARS:
        raise TokenMalformed(detail=f"larger than {MAX_TOKEN_CHARS} characters")
    if not all(isinstance(token[f], str) for f in FIELDS):
        raise TokenMalformed(detail="fields must be strings")
    version = FORMAT.fullmatch(token["format"])
    if version is None or int(version.group(1)) != SUPPORTED_MAJOR:
        raise TokenMalformed(detail="unknown format")
    if int(version.group(2) or 0) == 0 and token.get("unverifiedSigningCertificates") is not None:
        raise TokenMalformed(detail=f"unverifiedSigningCertificates is not allowed in {token['format']}")
    algorithm = token["algorithm"]
    if algorithm not in ALGORITHMS:
        raise TokenMalformed(detail="unsupported algorithm")
    return _b64(token["unverifiedCertificate"], "unverifiedCertificate"), algorithm, _b64(token["signature"], "signature")


def _b64(value: str, name: str) -> bytes:
    if not value:
        raise TokenMalformed(detail=f"{name} missing")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise TokenMalformed(detail=f"{name} is not base64") from None


def _check_validity(cert: x509.Certificate, info: certs.CertInfo, now: datetime) -> None:
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise CertificateExpired(subject=info.subject, not_before=info.not_before.date(),
                                 not_after=info.not_after.date())


def _check_purpose(cert: x509.Certificate, info: certs.CertInfo) -> None:
    """Key usage digitalSignature (the extension must be there); clientAuth when there is an extended key usage."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not usage.digital_signature:
            raise CertificateWrongPurpose(subject=info.subject, detail="digitalSignature")
    except x509.ExtensionNotFound:
        raise CertificateWrongPurpose(subject=info.subject, detail="digitalSignature") from None
    try:
        extended = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return
    if ExtendedKeyUsageOID.CLIENT_AUTH not in extended:
        raise CertificateWrongPurpose(subject=info.subject, detail="clientAuth")


class NonceIssuer:
    """Challenge nonces as web-eid's ChallengeNonceGenerator issues them: 32 random bytes in base64, valid for
    ``ttl`` seconds, usable once. ``take`` returns the nonce or raises NonceUnknown / NonceExpired. At most
    ``max_live`` are kept (the oldest are dropped first). Thread-safe."""

    def __init__(self, ttl: float = 300.0, max_live: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_live = max_live
        self._clock = clock
        self._live: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self) -> str:
        nonce = base64.b64encode(os.urandom(32)).decode("ascii")
        with self._lock:
            now = self._clock()
            while self._live and (len(self._live) >= self.max_live or next(iter(self._live.values())) < now):
                self._live.popitem(last=False)
            self._live[nonce] = now + self.ttl
        return nonce

    def take(self, nonce: Any) -> str:
        if not isinstance(nonce, str):
            raise NonceInvalid(detail="not a string")
        with self._lock:
            expires = self._live.pop(nonce, None)
        if expires is None:
            raise NonceUnknown()
        if expires < self._clock():
            raise NonceExpired(seconds=round(self.ttl))
        return nonce

