"""SM2 (国密) keys on the token: vendor mechanism profiles, key-pair generation, signing, public keys.

Vendors expose SM2 through vendor-defined PKCS#11 values, not all the same ones. ``resources/drivers.toml``
describes each family as a profile (``[sm2.NAME]``); a driver may name its profile, otherwise the first
profile whose mechanisms the token lists in C_GetMechanismList is used. What the token offers decides:
a signing method is used only when the token lists its mechanism.

Signing always returns the raw signature r||s (64 bytes), whatever the token's encoding. The message
digest is e = SM3(Z || M) with Z from the signer's ID (default 1234567812345678, GM/T 0009): tokens of
the "message" kind compute it themselves, for the "digest" kind it is computed here.

Functions take the TokenSession first, so callers run them on the token thread with
``SessionHandle.run(sm2.sign, cka_id, data)``.
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from pkcs11 import Attribute, ObjectClass

from tokenio.drivers import entry_for, sm2_key_types, table
from tokenio.errors import MechanismUnsupported, ObjectNotFound, Sm2Unsupported
from tokenio.p11raw import raw_module

if TYPE_CHECKING:
    from tokenio.session import KeyRef, TokenSession

DEFAULT_ID = b"1234567812345678"
CURVE_OID = "1.2.156.10197.1.301"
_CURVE_OID_DER = bytes.fromhex("06082a811ccf5501822d")
# GM/T 0003.5 curve parameters (a, b, Gx, Gy), the fixed part of Z
_CURVE = bytes.fromhex(
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
    "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
)


@dataclass(frozen=True)
class SignMethod:
    """One way a token signs with SM2."""

    mechanism: int
    input: Literal["message", "digest"]  # the token computes Z and SM3 itself / signs a prepared e
    signature: Literal["der", "raw"]
    id: Literal["default", "parameter"]  # the token's own 1234567812345678 / the ID as mechanism parameter


@dataclass(frozen=True)
class Sm2Profile:
    name: str
    key_type: int
    keygen: int | None
    sign: tuple[SignMethod, ...]
    verified: bool
    auto: bool


@dataclass(frozen=True)
class Sm2Plan:
    """What this token offers, from its profile and its mechanism list."""

    profile: str
    key_type: int
    keygen: int | None
    sign: tuple[SignMethod, ...]  # best first, only mechanisms the token lists


@cache
def profiles() -> tuple[Sm2Profile, ...]:
    """Every SM2 profile of the registry, in file order."""
    raw = table().get("sm2", {})
    return tuple(
        Sm2Profile(
            name=name,
            key_type=int(p["key_type"]),
            keygen=p.get("keygen"),
            sign=tuple(SignMethod(int(m["mechanism"]), m["input"], m["signature"], m.get("id", "default"))
                       for m in p.get("sign", ())),
            verified=bool(p.get("verified", False)),
            auto=bool(p.get("auto", True)),
        )
        for name, p in raw.items()
    )


def choose(mechanisms: frozenset[int] | set[int], driver: str, preferred: str | None = None) -> Sm2Plan:
    """The SM2 plan for a token listing ``mechanisms``; Sm2Unsupported (naming ``driver``) when none fits."""
    candidates = [p for p in profiles() if (p.name == preferred if preferred else p.auto)]
    for profile in candidates:
        offered = tuple(m for m in profile.sign if m.mechanism in mechanisms)
        if offered:
            keygen = profile.keygen if profile.keygen in mechanisms else None
            return Sm2Plan(profile.name, profile.key_type, keygen, offered)
    raise Sm2Unsupported(driver, driver=driver)


def plan(ts: TokenSession) -> Sm2Plan:
    """The token's SM2 plan, from its mechanism list (read once per session)."""
    entry = entry_for(ts.info.module_path)
    return choose({int(m) for m in ts.mechanisms()}, ts.info.module_name, entry.sm2 if entry else None)


# --- keys ---------------------------------------------------------------------------------------
def public_key_info(ec_point: bytes) -> bytes:
    """DER SubjectPublicKeyInfo of an SM2 public key (id-ecPublicKey on the SM2 curve), as in certificates."""
    from asn1crypto import keys

    return keys.PublicKeyInfo({
        "algorithm": {"algorithm": "ec", "parameters": keys.ECDomainParameters({"named": CURVE_OID})},
        "public_key": point(ec_point),
    }).dump()


def point(ec_point: bytes) -> bytes:
    """The uncompressed point 04||X||Y from a CKA_EC_POINT, which vendors give DER-wrapped, bare or without 04."""
    if len(ec_point) == 67 and ec_point[:2] == b"\x04\x41":
        return ec_point[2:]
    if len(ec_point) == 65 and ec_point[0] == 4:
        return ec_point
    if len(ec_point) == 64:
        return b"\x04" + ec_point
    raise ValueError(f"not an SM2 point ({len(ec_point)} bytes)")


def generate_keypair(ts: TokenSession, cka_id: bytes, label: str) -> KeyRef:
    """Generate a non-extractable SM2 signing key pair on the token."""
    from tokenio.session import KeyRef

    p = plan(ts)
    if p.keygen is None:
        raise MechanismUnsupported("SM2 key generation")
    raw = raw_module(ts.info.module_path)
    common = {Attribute.KEY_TYPE: p.key_type, Attribute.TOKEN: True, Attribute.ID: cka_id, Attribute.LABEL: label}
    pub, _ = raw.generate_keypair(
        ts.session.handle, p.keygen,
        {Attribute.CLASS: ObjectClass.PUBLIC_KEY, **common, Attribute.PRIVATE: False, Attribute.VERIFY: True,
         Attribute.EC_PARAMS: _CURVE_OID_DER},
        {Attribute.CLASS: ObjectClass.PRIVATE_KEY, **common, Attribute.PRIVATE: True, Attribute.SENSITIVE: True,
         Attribute.EXTRACTABLE: False, Attribute.SIGN: True},
    )
    ec_point = raw.attribute(ts.session.handle, pub, Attribute.EC_POINT)
    if ec_point is None:
        raise ObjectNotFound("public key", cka_id=cka_id.hex())
    return KeyRef(cka_id, label, "sm2", public_key_info(ec_point))


def public_keys(ts: TokenSession) -> list[KeyRef]:
    """SM2 public-key objects on the token, with their SubjectPublicKeyInfo."""
    from tokenio.session import KeyRef

    raw = raw_module(ts.info.module_path)
    sm2 = sm2_key_types()
    out = []
    for obj in ts.session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY}):
        key_type = raw.attribute(ts.session.handle, obj.handle, Attribute.KEY_TYPE)
        ec_point = raw.attribute(ts.session.handle, obj.handle, Attribute.EC_POINT)
        if key_type is None or int.from_bytes(key_type, "little") not in sm2 or not ec_point:
            continue
        cka_id = raw.attribute(ts.session.handle, obj.handle, Attribute.ID) or b""
        label = (raw.attribute(ts.session.handle, obj.handle, Attribute.LABEL) or b"").decode("utf-8", "replace")
        out.append(KeyRef(cka_id, label, "sm2", public_key_info(ec_point)))
    return out


_points: weakref.WeakKeyDictionary[TokenSession, dict[bytes, bytes]] = weakref.WeakKeyDictionary()


def _public_point(ts: TokenSession, cka_id: bytes) -> bytes:
    """The public point of key ``cka_id``, looked up once per session (batches sign many times)."""
    cached = _points.setdefault(ts, {})
    if cka_id not in cached:
        cached[cka_id] = _find_public_point(ts, cka_id)
    return cached[cka_id]


def _find_public_point(ts: TokenSession, cka_id: bytes) -> bytes:
    from asn1crypto import keys

    for key in public_keys(ts):
        if key.cka_id == cka_id and key.public_key_info:
            return keys.PublicKeyInfo.load(key.public_key_info)["public_key"].native
    for cert in ts.certificates():
        if cert.cka_id == cka_id and cert.der:
            from asn1crypto import x509

            return x509.Certificate.load(cert.der).public_key["public_key"].native
    raise ObjectNotFound("public key", cka_id=cka_id.hex())


# --- digests and signatures ---------------------------------------------------------------------
def z_value(public_point: bytes, user_id: bytes = DEFAULT_ID) -> bytes:
    """Z = SM3(ENTL || ID || a || b || Gx || Gy || Px || Py) of GM/T 0009."""
    bits = len(user_id) * 8
    return hashlib.new("sm3", bits.to_bytes(2, "big") + user_id + _CURVE + point(public_point)[1:]).digest()


def message_digest(public_point: bytes, data: bytes, user_id: bytes = DEFAULT_ID) -> bytes:
    """e = SM3(Z || M): what an SM2 signature of ``data`` signs."""
    return hashlib.new("sm3", z_value(public_point, user_id) + data).digest()


def raw_signature(signature: bytes, encoding: Literal["der", "raw"] = "der") -> bytes:
    """r||s (32 + 32 bytes) from what a token returned: a DER SM2Signature or r||s, as its profile says.

    A raw r||s can begin with 0x30 like DER, so the profile decides; a 64-byte answer that is not DER
    where DER was promised is taken as r||s (vendors are not always consistent).
    """
    if encoding == "raw" and len(signature) == 64:
        return signature
    from asn1crypto import algos

    try:
        parsed = algos.DSASignature.load(signature, strict=True)
        return parsed["r"].native.to_bytes(32, "big") + parsed["s"].native.to_bytes(32, "big")
    except (ValueError, TypeError, OverflowError):
        if len(signature) == 64:
            return signature
        raise


def sign(ts: TokenSession, cka_id: bytes, data: bytes, user_id: bytes = DEFAULT_ID) -> bytes:
    """SM2-sign ``data`` (SM3 with Z of ``user_id``) with the key ``cka_id``; returns r||s."""
    p = plan(ts)
    usable = [m for m in p.sign if m.input == "digest" or m.id == "parameter" or user_id == DEFAULT_ID]
    if not usable:
        raise MechanismUnsupported("SM2 with a signer ID other than 1234567812345678")
    return sign_using(ts, usable[0], cka_id, data, user_id)


def sign_using(ts: TokenSession, method: SignMethod, cka_id: bytes, data: bytes,
               user_id: bytes = DEFAULT_ID) -> bytes:
    """Sign with one given method of the token's plan (the choice ``sign`` makes, made by the caller)."""
    key = ts.find_key(cka_id)
    raw = raw_module(ts.info.module_path)
    if method.input == "message":
        parameter = user_id if method.id == "parameter" else b""
        signature = raw.sign(ts.session.handle, method.mechanism, key.handle, data, parameter)
    else:
        e = message_digest(_public_point(ts, cka_id), data, user_id)
        signature = raw.sign(ts.session.handle, method.mechanism, key.handle, e)
    return raw_signature(signature, method.signature)
