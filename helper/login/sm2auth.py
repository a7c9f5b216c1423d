"""SM2 login tokens: algorithm ``SM3withSM2`` over the same 64 bytes as the other algorithms,
SHA-256(origin) || SHA-256(nonce), signed with SM3 and Z of the default ID 1234567812345678; the signature is
raw r || s (64 bytes), as ES256's is. Made on the key (``sign``) and checked by TokenVerifier (``verify``,
``check_chain``), since pyca/cryptography and pyhanko-certvalidator cannot do SM2.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from helper.crypto import chain, sm2
from tokenio import sm2 as token_sm2
from tokenio.session import TokenSession

ALGORITHM = sm2.ALGORITHM_NAME  # "SM3withSM2"


def is_sm2(cert_der: bytes) -> bool:
    return sm2.is_sm2_certificate(asn1_x509.Certificate.load(cert_der))


def sign(ts: TokenSession, cka_id: bytes, data: bytes) -> bytes:
    """On the token thread: r || s of ``data``."""
    return token_sm2.sign(ts, cka_id, data)


def public_key(cert: x509.Certificate) -> Any:
    """The certificate's key for an ALGORITHMS check: pyca's key, or the SM2 point pyca cannot load."""
    try:
        return cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        der = cert.public_bytes(serialization.Encoding.DER)
        return sm2.point_of(asn1_x509.Certificate.load(der).public_key)


def verify(key: Any, signature: bytes, data: bytes) -> None:
    """Raises InvalidSignature unless ``signature`` is the SM2 key ``key``'s SM3withSM2 signature of ``data``."""
    if not isinstance(key, bytes) or not sm2.verify(key, data, signature):
        raise InvalidSignature


def check_chain(der: bytes, roots: list[asn1_x509.Certificate], intermediates: list[asn1_x509.Certificate],
                now: datetime) -> tuple[asn1_x509.Certificate, ...]:
    """The path leaf … anchor (all SM2 signatures checked, validity at ``now``); raises chain.ChainError."""
    return chain.validate_path(asn1_x509.Certificate.load(der), roots, intermediates, now)


def involves_sm2(der: bytes) -> bool:
    return chain.involves_sm2(asn1_x509.Certificate.load(der))
