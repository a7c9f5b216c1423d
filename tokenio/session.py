"""Work inside one open token session: objects, signing, key generation, CSRs, PIN change/unblock.

A TokenSession is created and used only on the TokenService thread. Its methods raise TokenError
subclasses, never python-pkcs11 exceptions. ASN.1 libraries are imported where they are used, so that
listing keys stays fast in a cold process.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pkcs11
import pkcs11.exceptions as p11e
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass

from tokenio.errors import (
    MechanismUnsupported,
    ObjectNotFound,
    translate,
    translated,
)
from tokenio.module import TokenInfo

if TYPE_CHECKING:
    from asn1crypto import x509

log = logging.getLogger(__name__)
TRAFFIC = 5  # below DEBUG: raw PKCS#11 traffic, off by default
logging.addLevelName(TRAFFIC, "TRAFFIC")

SignScheme = Literal["rsa-pkcs1-sha256", "rsa-pss-sha256", "ecdsa-sha256"]
KeySpec = Literal["rsa2048", "ec-p256", "sm2"]

_SHA256_DIGEST_INFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


@dataclass(frozen=True)
class KeyRef:
    """A private key on the token, found by CKA_ID."""

    cka_id: bytes
    label: str
    key_type: Literal["rsa", "ec", "sm2"]
    public_key_info: bytes | None  # DER SubjectPublicKeyInfo, when the token shows the public half


@dataclass(frozen=True)
class CertObject:
    """A certificate object as stored; ``der`` is None when its value cannot be read or parsed."""

    cka_id: bytes
    label: str
    der: bytes | None
    problem: str | None
    key: KeyRef | None

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.der).hexdigest() if self.der else ""


@dataclass(frozen=True)
class DataObject:
    label: str
    application: str
    size: int
    private: bool


class TokenSession:
    """An open session on one token; ``user`` tells whether the user is logged in."""

    def __init__(self, info: TokenInfo, token: pkcs11.Token, session: pkcs11.Session, user: bool, *,
                 rw: bool = False) -> None:
        self.info = info
        self.token = token
        self.session = session
        self.user = user
        self.rw = rw
        self._mechanisms: frozenset[Mechanism] | None = None
        self._keys: dict[bytes, pkcs11.PrivateKey] = {}
        self._plans: dict[tuple[str, bool], tuple[Mechanism, tuple | None, str]] = {}

    # --- mechanisms -------------------------------------------------------------------------
    def mechanisms(self) -> frozenset[Mechanism]:
        if self._mechanisms is None:
            with translated():
                self._mechanisms = frozenset(self.token.slot.get_mechanisms())
        return self._mechanisms

    # --- keys and certificates ------------------------------------------------------------
    def private_keys(self) -> list[KeyRef]:
        """Private keys visible in this session (most tokens show them only after login)."""
        return self._inventory()[0]

    def _inventory(self) -> tuple[list[KeyRef], list[KeyRef], list[pkcs11.Object]]:
        """Private keys, public keys and certificate objects, found in one search of every object; each key's
        attributes are read in one round (on a USB key every C_GetAttributeValue is a trip to the chip)."""
        privates: list[dict[Attribute, Any]] = []
        publics: list[KeyRef] = []
        certs: list[pkcs11.Object] = []
        with translated():
            for obj in self.session.get_objects():
                kind = obj.object_class
                if kind == ObjectClass.CERTIFICATE:
                    certs.append(obj)
                elif kind == ObjectClass.PRIVATE_KEY:
                    privates.append(_read(obj, *_KEY_ATTRIBUTES, needed=_KEY_NEEDED))
                elif kind == ObjectClass.PUBLIC_KEY:
                    attrs = _read(obj, *_KEY_ATTRIBUTES, needed=_KEY_NEEDED)
                    if (key_type := _key_type(attrs)) is not None:
                        spki = _rsa_spki(attrs) if key_type == "rsa" else _ec_spki(obj)
                        publics.append(KeyRef(attrs.get(Attribute.ID, b""), attrs.get(Attribute.LABEL, ""),
                                              key_type, spki))
            spki_by_id = {k.cka_id: k.public_key_info for k in publics}
            keys = []
            for attrs in privates:
                key_type = _key_type(attrs)
                if key_type is None:
                    continue
                cka_id = attrs.get(Attribute.ID, b"")
                spki = spki_by_id.get(cka_id) or (_rsa_spki(attrs) if key_type == "rsa" else None)
                keys.append(KeyRef(cka_id, attrs.get(Attribute.LABEL, ""), key_type, spki))
        return keys, publics, certs

    def certificates(self) -> list[CertObject]:
        """Every certificate object, each paired with its key by CKA_ID, else by public key.

        Before login the public-key objects stand in for private keys (which most tokens hide).
        An object whose value is garbage is listed with ``problem`` set, never raised. One object
        search reads everything.
        """
        privates, publics, objects = self._inventory()
        candidates = privates if self.user else []
        candidates += [k for k in publics if k.cka_id not in {c.cka_id for c in candidates}]
        by_id = {k.cka_id: k for k in candidates if k.cka_id}
        by_spki = {k.public_key_info: k for k in candidates if k.public_key_info}
        out = []
        with translated():
            for obj in objects:
                attrs = _read(obj, Attribute.VALUE, Attribute.ID, Attribute.LABEL,
                              needed=(Attribute.VALUE, Attribute.ID))
                cka_id = attrs.get(Attribute.ID, b"")
                label = attrs.get(Attribute.LABEL, "")
                der, problem = _cert_value(attrs.get(Attribute.VALUE))
                key = by_id.get(cka_id) if cka_id else None
                if key is None and der is not None:
                    key = by_spki.get(_cert_spki(der))
                out.append(CertObject(cka_id, label, der, problem, key))
        log.log(TRAFFIC, "certificates on %s: %d", self.info.serial, len(out))
        return out

    def find_key(self, cka_id: bytes) -> pkcs11.PrivateKey:
        """The private key with this CKA_ID (looked up once per session: batches sign many times)."""
        if cka_id not in self._keys:
            with translated():
                try:
                    self._keys[cka_id] = self.session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=cka_id)
                except (p11e.NoSuchKey, p11e.MultipleObjectsReturned) as exc:
                    raise ObjectNotFound(cka_id.hex(), cka_id=cka_id.hex()) from exc
        return self._keys[cka_id]

    def import_certificate(self, der: bytes, cka_id: bytes, label: str) -> None:
        """Store an X.509 certificate object with the given CKA_ID."""
        from asn1crypto import core, x509

        cert = x509.Certificate.load(der)
        with translated():
            self.session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.PRIVATE: False,
                Attribute.ID: cka_id,
                Attribute.LABEL: label,
                Attribute.VALUE: der,
                Attribute.SUBJECT: cert.subject.dump(),
                Attribute.ISSUER: cert.issuer.dump(),
                Attribute.SERIAL_NUMBER: core.Integer(cert.serial_number).dump(),
            })

    def _certificate_objects(self, der: bytes) -> list[pkcs11.Object]:
        with translated():
            return [
                o for o in self.session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE})
                if _cert_value(_attr(o, Attribute.VALUE, None))[0] == der
            ]

    def delete_certificate(self, der: bytes) -> int:
        """Delete every certificate object holding exactly ``der``; returns how many."""
        objs = self._certificate_objects(der)
        with translated():
            for o in objs:
                o.destroy()
        return len(objs)

    def relabel_certificate(self, der: bytes, label: str) -> None:
        objs = self._certificate_objects(der)
        if not objs:
            raise ObjectNotFound("certificate", cka_id="")
        with translated():
            for o in objs:
                o[Attribute.LABEL] = label

    def delete_keypair(self, cka_id: bytes) -> int:
        """Delete the private and public key objects with exactly this CKA_ID; returns how many."""
        if not cka_id:
            raise ValueError("refusing to delete keys without a CKA_ID")
        with translated():
            objs = [o for cls in (ObjectClass.PRIVATE_KEY, ObjectClass.PUBLIC_KEY)
                    for o in self.session.get_objects({Attribute.CLASS: cls, Attribute.ID: cka_id})]
            for o in objs:
                o.destroy()
        return len(objs)

    # --- data objects -----------------------------------------------------------------------
    def data_objects(self, application: str | None = None) -> list[DataObject]:
        template = {Attribute.CLASS: ObjectClass.DATA}
        if application is not None:
            template[Attribute.APPLICATION] = application
        with translated():
            found = [_read(o, Attribute.LABEL, Attribute.APPLICATION, Attribute.VALUE, Attribute.PRIVATE)
                     for o in self.session.get_objects(template)]
        return [DataObject(label=a.get(Attribute.LABEL, ""), application=a.get(Attribute.APPLICATION, ""),
                           size=len(a.get(Attribute.VALUE, b"")), private=bool(a.get(Attribute.PRIVATE, False)))
                for a in found]

    def read_data(self, application: str, label: str) -> bytes:
        with translated():
            for o in self.session.get_objects({Attribute.CLASS: ObjectClass.DATA, Attribute.APPLICATION: application,
                                               Attribute.LABEL: label}):
                return bytes(o[Attribute.VALUE])
        raise ObjectNotFound(label, cka_id=label)

    def write_data(self, application: str, label: str, value: bytes, *, private: bool = False) -> None:
        """Create a data object (an existing one with the same label is replaced only after the new one exists)."""
        with translated():
            old = list(self.session.get_objects({Attribute.CLASS: ObjectClass.DATA,
                                                 Attribute.APPLICATION: application, Attribute.LABEL: label}))
            self.session.create_object({
                Attribute.CLASS: ObjectClass.DATA, Attribute.TOKEN: True, Attribute.PRIVATE: private,
                Attribute.APPLICATION: application, Attribute.LABEL: label, Attribute.VALUE: value,
            })
            for o in old:
                o.destroy()

    def delete_data(self, application: str, label: str) -> int:
        with translated():
            objs = list(self.session.get_objects({Attribute.CLASS: ObjectClass.DATA,
                                                  Attribute.APPLICATION: application, Attribute.LABEL: label}))
            for o in objs:
                o.destroy()
        return len(objs)

    # --- key generation and CSRs -------------------------------------------------------------
    def generate_keypair(self, spec: KeySpec, cka_id: bytes, label: str) -> KeyRef:
        """Generate a non-extractable signing key pair on the token."""
        if spec == "sm2":  # vendor-defined mechanisms: tokenio.sm2 calls the module's function list
            from tokenio import sm2

            return sm2.generate_keypair(self, cka_id, label)
        private_template = {Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False, Attribute.SIGN: True,
                            Attribute.PRIVATE: True, Attribute.TOKEN: True}
        public_template = {Attribute.VERIFY: True, Attribute.TOKEN: True, Attribute.PRIVATE: False}
        from pkcs11.util.ec import encode_named_curve_parameters

        with translated():
            if spec == "rsa2048":
                pub, _ = self.session.generate_keypair(
                    KeyType.RSA, 2048, id=cka_id, label=label, store=True,
                    public_template=public_template, private_template=private_template)
                return KeyRef(cka_id, label, "rsa", _rsa_spki(_read(pub, Attribute.MODULUS, Attribute.PUBLIC_EXPONENT)))
            params = self.session.create_domain_parameters(
                KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True)
            pub, _ = params.generate_keypair(id=cka_id, label=label, store=True,
                                             public_template=public_template, private_template=private_template)
            return KeyRef(cka_id, label, "ec", _ec_spki(pub))

    def make_csr(self, key: KeyRef, subject: x509.Name) -> bytes:
        """A PKCS#10 request for ``key`` signed on the token (SHA-256; SM3withSM2 for SM2 keys)."""
        from asn1crypto import algos, csr, keys

        if key.public_key_info is None:
            raise ObjectNotFound("public key", cka_id=key.cka_id.hex())
        info = csr.CertificationRequestInfo({
            "version": "v1",
            "subject": subject,
            "subject_pk_info": keys.PublicKeyInfo.load(key.public_key_info),
            "attributes": [],
        })
        if key.key_type == "sm2":  # SM3withSM2, Z with the default ID, DER signature (GM/T 0010)
            from tokenio import sm2

            rs = sm2.sign(self, key.cka_id, info.dump())
            signature = algos.DSASignature({"r": int.from_bytes(rs[:32], "big"),
                                            "s": int.from_bytes(rs[32:], "big")}).dump()
            algo = "1.2.156.10197.1.501"
        else:
            scheme: SignScheme = "rsa-pkcs1-sha256" if key.key_type == "rsa" else "ecdsa-sha256"
            signature = self.sign(key.cka_id, info.dump(), scheme)
            algo = "sha256_rsa" if key.key_type == "rsa" else "sha256_ecdsa"
        return csr.CertificationRequest({
            "certification_request_info": info,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": algo}),
            "signature": signature,
        }).dump()

    # --- signing ------------------------------------------------------------------------------
    def sign(self, cka_id: bytes, data: bytes, scheme: SignScheme) -> bytes:
        """Sign ``data`` with SHA-256; uses the combined mechanism when the token has it,
        else hashes in software and uses the raw one. ECDSA signatures come back DER-encoded."""
        return self.sign_digest(cka_id, hashlib.sha256(data).digest(), scheme, data=data)

    def sign_digest(self, cka_id: bytes, digest: bytes, scheme: SignScheme, *, data: bytes | None = None) -> bytes:
        """Sign a SHA-256 ``digest`` (``data`` lets the combined mechanism be used when available)."""
        key = self.find_key(cka_id)
        mechanism, param, feed = self._plan(scheme, data is not None)
        message = {"data": data, "digest": digest, "digest_info": _SHA256_DIGEST_INFO_PREFIX + digest}[feed]
        try:
            signature = key.sign(message, mechanism=mechanism, mechanism_param=param)
        except p11e.PKCS11Error as exc:
            raise translate(exc) from exc
        if scheme == "ecdsa-sha256":
            from pkcs11.util.ec import encode_ecdsa_signature

            return encode_ecdsa_signature(signature)
        return signature

    def _plan(self, scheme: SignScheme, have_data: bool) -> tuple[Mechanism, tuple | None, str]:
        """Which mechanism signs ``scheme`` on this token, and what it is fed (cached per session)."""
        if (scheme, have_data) not in self._plans:
            mechs = self.mechanisms()
            usable = [o for o in _SCHEMES[scheme] if o[0] in mechs and (have_data or o[2] != "data")]
            if not usable:
                raise MechanismUnsupported(scheme)
            self._plans[(scheme, have_data)] = usable[0]
        return self._plans[(scheme, have_data)]

    def supports(self, scheme: SignScheme) -> bool:
        mechs = self.mechanisms()
        return any(mechanism in mechs for mechanism, _, _ in _SCHEMES[scheme])


_PSS = (Mechanism.SHA256, pkcs11.MGF.SHA256, 32)
# Per scheme, the mechanisms that can sign it, best first, with their parameter and what they are fed.
_SCHEMES: dict[str, tuple[tuple[Mechanism, tuple | None, str], ...]] = {
    "ecdsa-sha256": ((Mechanism.ECDSA, None, "digest"),),
    "rsa-pss-sha256": ((Mechanism.SHA256_RSA_PKCS_PSS, _PSS, "data"), (Mechanism.RSA_PKCS_PSS, _PSS, "digest")),
    "rsa-pkcs1-sha256": ((Mechanism.SHA256_RSA_PKCS, None, "data"), (Mechanism.RSA_PKCS, None, "digest_info")),
}

_KEY_ATTRIBUTES = (Attribute.KEY_TYPE, Attribute.ID, Attribute.LABEL, Attribute.MODULUS, Attribute.PUBLIC_EXPONENT)
_KEY_NEEDED = (Attribute.KEY_TYPE, Attribute.ID)
_ABSENT = (p11e.AttributeTypeInvalid, p11e.AttributeSensitive, KeyError)


def _read(obj: pkcs11.Object, *attributes: Attribute, needed: tuple[Attribute, ...] = ()) -> dict[Attribute, Any]:
    """The attributes the token gives for ``obj`` in one C_GetAttributeValue round; invalid, sensitive and
    empty ones are left out. Modules that fail a bulk read are asked one attribute at a time, and so are the
    ``needed`` ones a bulk read left out (some modules answer CKR_OK with one attribute unavailable, and
    python-pkcs11 then keeps only those before it)."""
    try:
        values = obj.get_attributes(attributes)
    except p11e.PKCS11Error:
        values = {}
        needed = attributes
    for attribute in needed:
        if values.get(attribute) is None:
            try:
                values[attribute] = obj[attribute]
            except (*_ABSENT, p11e.FunctionFailed):
                continue
    return {a: v for a, v in values.items() if v is not None}


def _attr(obj: pkcs11.Object, attribute: Attribute, default):
    return _read(obj, attribute).get(attribute, default)


def _key_type(attrs: dict[Attribute, Any]) -> Literal["rsa", "ec", "sm2"] | None:
    kt = attrs.get(Attribute.KEY_TYPE)
    if kt == KeyType.RSA:
        return "rsa"
    if kt == KeyType.EC:
        return "ec"
    from tokenio.drivers import sm2_key_types

    return "sm2" if kt in sm2_key_types() else None


def _rsa_spki(attrs: dict[Attribute, Any]) -> bytes | None:
    modulus = attrs.get(Attribute.MODULUS)
    exponent = attrs.get(Attribute.PUBLIC_EXPONENT)
    if not modulus or not exponent:
        return None
    from asn1crypto import core, keys

    rsa = keys.RSAPublicKey({"modulus": int.from_bytes(modulus, "big"),
                             "public_exponent": int.from_bytes(exponent, "big")})
    return keys.PublicKeyInfo({"algorithm": {"algorithm": "rsa", "parameters": core.Null()},
                               "public_key": rsa}).dump()


def _ec_spki(obj: pkcs11.Object) -> bytes | None:
    from asn1crypto import keys
    from pkcs11.util.ec import encode_ec_public_key

    try:
        return keys.PublicKeyInfo.load(encode_ec_public_key(obj)).dump()
    except Exception:  # noqa: BLE001 - vendor modules encode EC points in several ways; pairing falls back to CKA_ID
        return None


def _cert_value(value: bytes | None) -> tuple[bytes | None, str | None]:
    """The certificate's DER, or why an object's value is not a usable certificate."""
    if not value:
        return None, "empty value"
    from asn1crypto import x509

    try:
        tbs = x509.Certificate.load(bytes(value))["tbs_certificate"]
        for part in (tbs["subject"], tbs["issuer"], tbs["validity"], tbs["subject_public_key_info"]["algorithm"]):
            part.native  # noqa: B018 - parsing the parts the helper relies on catches garbage here
    except Exception as exc:  # noqa: BLE001 - any parse failure means "unreadable", never a crash
        return None, f"unparseable certificate ({type(exc).__name__})"
    return bytes(value), None


def _cert_spki(der: bytes) -> bytes:
    from asn1crypto import x509

    return x509.Certificate.load(der)["tbs_certificate"]["subject_public_key_info"].dump()
