"""Web eID-style login tokens (format ``web-eid:1.0``), made on the key.

What is signed follows web-eid-app and web-eid-authtoken-validation exactly: the signed data is the
64-byte concatenation ``SHA-256(origin) || SHA-256(nonce)`` (origin and nonce as UTF-8 strings, the nonce
as the page sent it, base64 text), and the signature algorithm hashes that concatenation again with
SHA-256 before signing (RS256: RSASSA-PKCS1-v1_5 with SHA-256; PS256: RSASSA-PSS with SHA-256, MGF1-SHA-256
and a 32-byte salt; ES256: ECDSA P-256 with SHA-256, the signature as raw r||s of 64 bytes; SM3withSM2 for SM2
keys: SM3 over Z || data, raw r||s, see helper.login.sm2auth). A verifier
does ``verify(signature, sha256(origin) + sha256(nonce))`` with the algorithm's usual hashing.
The page never chooses the signed bytes: the nonce is checked to be base64 of at least 32 bytes and is
only ever hashed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

from asn1crypto import algos

from helper import __version__
from helper.login import sm2auth
from helper.messages import HelperError
from tokenio.session import SignScheme, TokenSession

FORMAT = "web-eid:1.0"
APP_VERSION = f"https://github.com/cahelper/cahelper/releases/{__version__}"
MIN_NONCE_BYTES = 32
MAX_NONCE_CHARS = 256

ALGORITHMS: dict[str, SignScheme] = {"RS256": "rsa-pkcs1-sha256", "PS256": "rsa-pss-sha256", "ES256": "ecdsa-sha256"}


def check_nonce(nonce: Any) -> str:
    """The nonce if it is base64 text of at least 32 bytes; HelperError NONCE_INVALID otherwise."""
    if not isinstance(nonce, str):
        raise HelperError("NONCE_INVALID", detail="not a string")
    if len(nonce) > MAX_NONCE_CHARS:
        raise HelperError("NONCE_INVALID", detail=f"longer than {MAX_NONCE_CHARS} characters")
    try:
        raw = base64.b64decode(nonce, validate=True)
    except (binascii.Error, ValueError):
        raise HelperError("NONCE_INVALID", detail="not base64") from None
    if len(raw) < MIN_NONCE_BYTES:
        raise HelperError("NONCE_INVALID", detail=f"{len(raw)} bytes, at least {MIN_NONCE_BYTES} needed")
    return nonce


def signed_data(origin: str, nonce: str) -> bytes:
    """SHA-256(origin) || SHA-256(nonce): the 64 bytes the token's signature covers."""
    return hashlib.sha256(origin.encode("utf-8")).digest() + hashlib.sha256(nonce.encode("utf-8")).digest()


@dataclass(frozen=True)
class AuthToken:
    unverified_certificate: bytes
    algorithm: str
    signature: bytes

    def as_json(self) -> dict[str, str]:
        return {
            "unverifiedCertificate": base64.b64encode(self.unverified_certificate).decode("ascii"),
            "algorithm": self.algorithm,
            "signature": base64.b64encode(self.signature).decode("ascii"),
            "format": FORMAT,
            "appVersion": APP_VERSION,
        }


def choose_algorithm(ts: TokenSession, key_algorithm: str) -> str:
    """ES256 for EC keys; RS256 for RSA keys, PS256 when the key only does PSS."""
    if key_algorithm == "ECC":
        return "ES256"
    if not ts.supports("rsa-pkcs1-sha256") and ts.supports("rsa-pss-sha256"):
        return "PS256"
    return "RS256"


def ecdsa_der_to_raw(der: bytes, size: int = 32) -> bytes:
    """An ECDSA signature from DER (SEQUENCE {r, s}) to JOSE's raw r||s."""
    sig = algos.DSASignature.load(der)
    return sig["r"].native.to_bytes(size, "big") + sig["s"].native.to_bytes(size, "big")


def sign_token(ts: TokenSession, cka_id: bytes, cert_der: bytes, key_algorithm: str, origin: str,
               nonce: str) -> AuthToken:
    """Runs on the token thread in a logged-in session: the token for ``origin`` and ``nonce``."""
    data = signed_data(origin, check_nonce(nonce))
    if sm2auth.is_sm2(cert_der):
        return AuthToken(cert_der, sm2auth.ALGORITHM, sm2auth.sign(ts, cka_id, data))
    algorithm = choose_algorithm(ts, key_algorithm)
    signature = ts.sign(cka_id, data, ALGORITHMS[algorithm])
    if algorithm == "ES256":
        signature = ecdsa_der_to_raw(signature)
    return AuthToken(cert_der, algorithm, signature)
