"""What a caller hands the CMP client: the signing key and how requests are protected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from asn1crypto import keys, x509


class RawSigner(Protocol):
    """Signs with a key that may live on a USB key."""

    certificate: x509.Certificate | None  # the cert of this key, when there is one
    public_key_info: keys.PublicKeyInfo
    signature_algorithm: str  # "sha256_rsa" or "sha256_ecdsa"

    def sign(self, data: bytes) -> bytes:
        """Signature over ``data`` (hashing included); DER for ECDSA."""
        ...


@dataclass(frozen=True)
class MacProtection:
    """One-time reference and secret from the CA (password-based MAC, RFC 4210 5.1.3.1)."""

    reference: bytes
    secret: bytes = field(repr=False)


@dataclass(frozen=True)
class SignatureProtection:
    """Requests signed by a key that already has a certificate (sent with ``extra_certs``)."""

    signer: RawSigner
    extra_certs: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        if self.signer.certificate is None:
            raise ValueError("signature protection needs a signer with a certificate")


Protection = MacProtection | SignatureProtection
