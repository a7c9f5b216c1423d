"""SM2 signatures and SM3 (GM/T 0003, GM/T 0004) on gmalglib, with the ASN.1 forms certificates and CMS use.

pyca/cryptography cannot load SM2 keys, so this module is the one place in the helper that does SM2
arithmetic: verifying (Z over the signer's ID, default 1234567812345678, and e = SM3(Z || M) are computed
by gmalglib), signing with a software key (tests and benchmarks), point and signature encodings, and
checking an SM2 certificate's signature. For tokens that sign a prepared digest, tokenio.sm2 computes e.
A signature is ``r || s`` (64 bytes) unless the name says DER.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

from asn1crypto import algos, core, keys, x509
from gmalglib.sm2 import SM2, SM2_PARAMS_N
from gmalglib.sm3 import SM3

DEFAULT_ID = b"1234567812345678"
CURVE_OID = "1.2.156.10197.1.301"
SM3_OID = "1.2.156.10197.1.401"
SM3_WITH_SM2_OID = "1.2.156.10197.1.501"
# Seen in CMS from some Chinese libraries as the signature algorithm instead of SM3withSM2.
SM2_SIGN_OID = "1.2.156.10197.1.301.1"
SIGNATURE_OIDS = frozenset({SM3_WITH_SM2_OID, SM2_SIGN_OID})
ALGORITHM_NAME = "SM3withSM2"
DER_SIGNATURE_MAX = 72  # SEQUENCE of two INTEGERs of at most 33 bytes
_N = int.from_bytes(SM2_PARAMS_N, "big")


class SM2Error(ValueError):
    """An SM2 key, point or signature that cannot be used (malformed, not on the curve, not SM2)."""


class SM2SigningKey(Protocol):
    """What signs with SM2: a key on a token or in software. ``sign`` computes Z and e itself (or lets the
    token do it) and returns ``r || s``."""

    @property
    def public_point(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


def register_asn1_names() -> None:
    """Teach asn1crypto the names pyHanko looks SM3 and the SM2 curve up by ("sm3", "sm2p256v1").
    Idempotent; the SM3withSM2 signature OID stays dotted."""
    _register(algos.DigestAlgorithmId, SM3_OID, "sm3")
    if CURVE_OID not in keys.NamedCurve._map:
        keys.NamedCurve.register("sm2p256v1", CURVE_OID, 32)


def _register(cls: type[core.ObjectIdentifier], oid: str, name: str) -> None:
    if cls._map.get(oid) == name:
        return
    cls._map[oid] = name
    if cls._reverse_map is not None:
        cls._reverse_map[name] = oid


def sm3(data: bytes) -> bytes:
    return SM3(data).digest()


def check_point(point: bytes) -> bytes:
    """``point`` as an uncompressed ``04 || x || y`` on the SM2 curve (accepts 64 bytes without the 04)."""
    if len(point) == 64:
        point = b"\x04" + point
    if len(point) != 65 or point[0] != 4 or not SM2.is_pk_valid(point):
        raise SM2Error("not an SM2 public point")
    return point


def verify(point: bytes, message: bytes, signature: bytes, uid: bytes = DEFAULT_ID) -> bool:
    """True when ``signature`` (``r || s``) is ``point``'s SM2 signature of ``message``."""
    if len(signature) != 64:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (0 < r < _N and 0 < s < _N):
        return False
    try:
        return bool(SM2(pk=check_point(point), uid=uid).verify(message, signature))
    except (SM2Error, ValueError):
        return False


def verify_der(point: bytes, message: bytes, signature_der: bytes, uid: bytes = DEFAULT_ID) -> bool:
    try:
        rs = der_to_rs(signature_der)
    except SM2Error:
        return False
    return verify(point, message, rs, uid)


@dataclass(frozen=True)
class SoftwareKey:
    """An SM2 private key in memory, for tests and benchmarks. Keys of users stay on their token."""

    scalar: bytes

    @classmethod
    def generate(cls) -> SoftwareKey:
        sk, _ = SM2().generate_keypair()
        return cls(sk)

    @classmethod
    def from_der(cls, data: bytes) -> SoftwareKey:
        """An SM2 key from SEC1 ``EC PRIVATE KEY`` or PKCS#8 DER/PEM (as ``openssl genpkey`` writes)."""
        if data.lstrip().startswith(b"-----"):
            from asn1crypto import pem

            _, _, data = pem.unarmor(data.strip())
        register_asn1_names()
        try:
            info = keys.PrivateKeyInfo.load(data)
            ec = info["private_key"].parsed
            ec.native  # noqa: B018 - parse eagerly so a SEC1 key falls through below
        except ValueError:
            ec = keys.ECPrivateKey.load(data)
        scalar = int(ec["private_key"].native).to_bytes(32, "big")
        if not SM2.is_sk_valid(scalar):
            raise SM2Error("not an SM2 private key")
        return cls(scalar)

    @property
    def public_point(self) -> bytes:
        return SM2.get_pk(self.scalar)

    def sign(self, message: bytes, uid: bytes = DEFAULT_ID) -> bytes:
        return SM2(sk=self.scalar, uid=uid, rnd_fn=os.urandom).sign(message)

    def sign_digest(self, e: bytes) -> bytes:
        """Sign a prepared e = SM3(Z || M)."""
        return SM2(sk=self.scalar, rnd_fn=os.urandom).sign_digest(e)


def rs_to_der(rs: bytes) -> bytes:
    """``r || s`` as the DER ``SEQUENCE { r INTEGER, s INTEGER }`` of GM/T 0009 (and X.509, CMS)."""
    if len(rs) != 64:
        raise SM2Error("an SM2 signature is 64 bytes r || s")
    return algos.DSASignature({"r": int.from_bytes(rs[:32], "big"), "s": int.from_bytes(rs[32:], "big")}).dump()


def der_to_rs(der: bytes) -> bytes:
    try:
        sig = algos.DSASignature.load(der, strict=True)
        r, s = sig["r"].native, sig["s"].native
    except (ValueError, TypeError) as exc:
        raise SM2Error("malformed SM2 signature") from exc
    if not (0 < r < _N and 0 < s < _N):
        raise SM2Error("SM2 signature out of range")
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def to_rs(signature: bytes) -> bytes:
    """A token's signature as ``r || s``, whether it came raw or DER-encoded."""
    return signature if len(signature) == 64 else der_to_rs(signature)


def is_sm2_key(public_key: keys.PublicKeyInfo) -> bool:
    """An id-ecPublicKey on the SM2 curve (or, as some CAs write it, the SM2 OID as the algorithm)."""
    alg = public_key["algorithm"]
    if alg["algorithm"].dotted == CURVE_OID:
        return True
    if alg["algorithm"].dotted != "1.2.840.10045.2.1":
        return False
    params = alg["parameters"]
    return params.name == "named" and params.chosen.dotted == CURVE_OID


def point_of(public_key: keys.PublicKeyInfo) -> bytes:
    if not is_sm2_key(public_key):
        raise SM2Error("not an SM2 public key")
    return check_point(bytes(public_key["public_key"]))


def is_sm2_certificate(cert: x509.Certificate) -> bool:
    return is_sm2_key(cert.public_key)


def signed_with_sm2(cert: x509.Certificate) -> bool:
    return cert["signature_algorithm"]["algorithm"].dotted in SIGNATURE_OIDS


def check_certificate_signature(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer``'s SM2 key made ``cert``'s SM3withSM2 signature (ID 1234567812345678)."""
    if not signed_with_sm2(cert) or not is_sm2_certificate(issuer):
        return False
    return verify_der(point_of(issuer.public_key), cert["tbs_certificate"].dump(), bytes(cert["signature_value"]))
