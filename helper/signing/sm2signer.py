"""The pyHanko signer for SM2 certificates: CMS SignedData with SM3 and SM3withSM2 (GM/T 0010 algorithms in
RFC 5652 structures; see docs/design-notes.md for the OIDs), the signature made by an ``SM2SigningKey``.

pyHanko computes the ByteRange digest and the signed attributes with SM3 (asn1crypto is taught the SM3
name); only the raw signature is ours, over the DER of the signed attributes, Z with ID 1234567812345678.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from asn1crypto import algos, x509
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from helper.crypto import sm2
from helper.messages import HelperError
from tokenio import sm2 as token_sm2

if TYPE_CHECKING:
    from helper.certs import CertInfo
    from helper.signing.identity import SigningIdentity
    from tokenio.worker import SessionHandle

DIGEST = "sm3"


class SM2Signer(Signer):
    """Signs with ``key`` for the SM2 certificate ``cert_der``; ``chain`` is embedded."""

    digest_algorithm = DIGEST

    def __init__(self, key: sm2.SM2SigningKey, cert_der: bytes, chain: Sequence[bytes] = ()) -> None:
        sm2.register_asn1_names()
        cert = x509.Certificate.load(cert_der)
        if not sm2.is_sm2_certificate(cert):
            raise sm2.SM2Error("not an SM2 certificate")
        usage = cert.key_usage_value.native if cert.key_usage_value is not None else {"digital_signature"}
        if not {"digital_signature", "non_repudiation"} & set(usage):
            raise sm2.SM2Error("an encryption certificate does not sign")  # the other half of a dual pair
        store = SimpleCertificateStore.from_certs([x509.Certificate.load(c) for c in chain if c != cert_der])
        super().__init__(signing_cert=cert, cert_registry=store, embed_roots=True,
                         signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": sm2.SM3_WITH_SM2_OID}))
        self.key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if digest_algorithm != DIGEST:
            raise ValueError(f"SM2 signs with SM3, not {digest_algorithm}")
        if dry_run:
            return bytes(sm2.DER_SIGNATURE_MAX)
        return sm2.rs_to_der(sm2.to_rs(self.key.sign(data)))


class TokenSM2Key:
    """The SM2 private key ``key_id`` in an open, logged-in session: the token computes (or is given)
    Z and e as its driver's SM2 profile says, and returns ``r || s``."""

    def __init__(self, handle: SessionHandle, key_id: bytes, point: bytes) -> None:
        self.handle = handle
        self.key_id = key_id
        self._point = point

    @property
    def public_point(self) -> bytes:
        return self._point

    def sign(self, message: bytes) -> bytes:
        return self.handle.run(token_sm2.sign, self.key_id, message)


def check_level(info: CertInfo, level: str) -> None:
    """SIGN_SM2_LEVEL_UNSUPPORTED when an SM2 certificate is asked for B-LT (checked before the PIN too)."""
    if info.key_type == "sm2" and level == "B-LT":
        raise HelperError("SIGN_SM2_LEVEL_UNSUPPORTED", level=level, unit=info.unit)


def for_identity(handle: SessionHandle, identity: SigningIdentity, level: str = "B-B") -> SM2Signer | None:
    """The SM2 signer for an SM2 signing certificate on the key; None for RSA and EC certificates.

    B-LT is refused (SIGN_SM2_LEVEL_UNSUPPORTED): it embeds revocation data validated with
    pyhanko-certvalidator, which cannot check an SM2 certificate's path."""
    cert = x509.Certificate.load(identity.info.der)
    if not sm2.is_sm2_certificate(cert):
        return None
    check_level(identity.info, level)
    key = TokenSM2Key(handle, identity.entry.key_id, sm2.point_of(cert.public_key))
    return SM2Signer(key, identity.info.der, identity.chain)
