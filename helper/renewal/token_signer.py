"""A CMP ``RawSigner`` whose key lives on a USB key: every signature goes through the token thread."""

from __future__ import annotations

from asn1crypto import keys, x509

from tokenio.errors import ObjectNotFound
from tokenio.session import KeyRef, SignScheme, TokenSession
from tokenio.worker import SessionHandle

_SCHEMES: dict[str, tuple[str, SignScheme]] = {
    "rsa": ("sha256_rsa", "rsa-pkcs1-sha256"),
    "ec": ("sha256_ecdsa", "ecdsa-sha256"),
}


class TokenSigner:
    """Signs with the private key ``key`` in the logged-in session ``handle`` (SHA-256; DER for ECDSA)."""

    def __init__(self, handle: SessionHandle, key: KeyRef, certificate: x509.Certificate | None = None) -> None:
        if key.public_key_info is None:
            raise ObjectNotFound("public key", cka_id=key.cka_id.hex())
        self._handle = handle
        self.key = key
        self.certificate = certificate
        self.public_key_info = keys.PublicKeyInfo.load(key.public_key_info)
        self.signature_algorithm, self._scheme = _SCHEMES[key.key_type]

    def sign(self, data: bytes) -> bytes:
        return self._handle.run(TokenSession.sign, self.key.cka_id, data, self._scheme)
