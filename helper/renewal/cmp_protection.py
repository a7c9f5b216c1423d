"""Protection of CMP messages: password-based MAC (RFC 4210 5.1.3.1) and signatures."""

from __future__ import annotations

import hashlib
import hmac
import os

from asn1crypto import algos, core, keys
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from helper.renewal.cmp_asn1 import PBMParameter, PKIBody, PKIHeader, ProtectedPart, ProtectionAlgorithm

PBM_ITERATIONS = 500
# A server may choose the iteration count; refuse absurd ones instead of hashing for minutes.
PBM_MAX_ITERATIONS = 100_000


def protected_part(header: PKIHeader, body: PKIBody) -> bytes:
    """The DER bytes that the protection covers."""
    return ProtectedPart({"header": header, "body": body}).dump()


def new_pbm_algorithm() -> ProtectionAlgorithm:
    """PBM with a fresh salt, SHA-256 as one-way function and HMAC-SHA256."""
    params = PBMParameter(
        {
            "salt": os.urandom(16),
            "owf": {"algorithm": "sha256"},
            "iteration_count": PBM_ITERATIONS,
            "mac": {"algorithm": "sha256"},
        }
    )
    return ProtectionAlgorithm({"algorithm": "password_based_mac", "parameters": params})


def pbm_mac(secret: bytes, params: PBMParameter, data: bytes) -> bytes:
    """The password-based MAC of ``data`` under ``secret``; ValueError for unusable parameters."""
    iterations = params["iteration_count"].native
    if not 1 <= iterations <= PBM_MAX_ITERATIONS:
        raise ValueError(f"PBM iteration count {iterations} out of range")
    owf = params["owf"]["algorithm"].native
    mac = params["mac"]["algorithm"].native
    if owf not in hashlib.algorithms_available or mac not in hashlib.algorithms_available:
        raise ValueError(f"unsupported PBM algorithms {owf}/{mac}")
    key = hashlib.new(owf, secret + params["salt"].native).digest()
    for _ in range(iterations - 1):
        key = hashlib.new(owf, key).digest()
    return hmac.new(key, data, mac).digest()


def mac_matches(secret: bytes, params: PBMParameter, data: bytes, mac: bytes) -> bool:
    """True when ``mac`` is the PBM of ``data`` under ``secret``."""
    return hmac.compare_digest(pbm_mac(secret, params, data), mac)


def signature_algorithm(name: str) -> ProtectionAlgorithm:
    """The AlgorithmIdentifier for a signer's ``sha256_rsa`` / ``sha256_ecdsa``."""
    if name.endswith("_rsa"):
        return ProtectionAlgorithm({"algorithm": name, "parameters": core.Null()})
    return ProtectionAlgorithm({"algorithm": name})


_HASHES = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def signature_valid(
    public_key_info: keys.PublicKeyInfo, algorithm: algos.SignedDigestAlgorithm, data: bytes, signature: bytes
) -> bool:
    """Check an RSA PKCS#1 v1.5 or ECDSA signature; unsupported algorithms count as invalid."""
    try:
        hash_cls = _HASHES[algorithm.hash_algo]
        kind = algorithm.signature_algo
    except (KeyError, ValueError):
        return False
    key = serialization.load_der_public_key(public_key_info.dump())
    try:
        if kind == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hash_cls())
        elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hash_cls()))
        else:
            return False
    except InvalidSignature:
        return False
    return True
