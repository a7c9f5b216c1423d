"""The one pyHanko signer of the helper: the raw signature is made on the key through the TokenService.

pyHanko's own PKCS11Signer is not used: it reads every certificate object on the key to build the chain,
and one unparseable object (seen on real keys) makes it fail. Here the signing certificate and chain are
given explicitly, from the helper's tolerant certificate listing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from asn1crypto import x509
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tokenio.session import SignScheme, TokenSession
from tokenio.worker import SessionHandle

# Upper bound of a DER ECDSA signature for P-256..P-521 (used only to reserve space in a dry run).
_EC_SIGNATURE_MAX = 139


class TokenSigner(Signer):
    """Signs with the private key ``cka_id`` in an open, logged-in session ``handle`` (SHA-256 only)."""

    def __init__(self, handle: SessionHandle, cka_id: bytes, cert_der: bytes, chain: Sequence[bytes] = ()) -> None:
        cert = x509.Certificate.load(cert_der)
        store = SimpleCertificateStore.from_certs([x509.Certificate.load(c) for c in chain if c != cert_der])
        super().__init__(signing_cert=cert, cert_registry=store, embed_roots=True)
        self.handle = handle
        self.cka_id = cka_id
        self.key_type = cert.public_key.algorithm
        self.scheme: SignScheme = "ecdsa-sha256" if self.key_type == "ec" else "rsa-pkcs1-sha256"

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if digest_algorithm != "sha256":
            raise ValueError(f"unsupported digest {digest_algorithm}")
        if dry_run:
            size = _EC_SIGNATURE_MAX if self.key_type == "ec" else self.signing_cert.public_key.byte_size
            return bytes(size)
        future = self.handle.submit(TokenSession.sign, self.cka_id, data, self.scheme)
        return await asyncio.wrap_future(future)
