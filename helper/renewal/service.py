"""Renewal operations on one logged-in key: over CMP, and by importing a certificate file.

Every operation either ends with the new certificate installed (see ``install``) or leaves the key
as it was; a key pair generated for a request that fails is deleted again (only that pair).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from asn1crypto import x509

from helper import certs, keytypes
from helper.messages import HelperError
from helper.renewal import install as inst
from helper.renewal.cmp import CmpClient, MacProtection, SignatureProtection
from helper.renewal.journal import Journal
from helper.renewal.token_signer import TokenSigner
from helper.renewal.validate import key_anchors, matching_key, trust_anchors
from tokenio.errors import ObjectNotFound
from tokenio.session import CertObject, KeyRef, TokenSession
from tokenio.worker import SessionHandle

log = logging.getLogger(__name__)
_KEY_SPEC = {"rsa": "rsa2048", "ec": "ec-p256", "sm2": "sm2"}


@dataclass(frozen=True)
class CmpRequest:
    """How to ask the CA: endpoint, protection (MAC with the CA's one-time secret, else the current key)."""

    url: str
    mac: MacProtection | None = None
    new_key: bool = False
    p10: bool = False  # with new_key: send a PKCS#10 (p10cr) instead of cr
    timeout: float = 20.0


def find_certificate(handle: SessionHandle, der: bytes) -> tuple[CertObject, KeyRef]:
    """The certificate object holding ``der`` and its private key."""
    for obj in handle.run(TokenSession.certificates):
        if obj.der == der and obj.key is not None:
            keys = {k.cka_id: k for k in handle.run(TokenSession.private_keys)}
            key = keys.get(obj.key.cka_id)
            if key is not None:
                return obj, key
    raise ObjectNotFound("certificate with private key", cka_id="")


def renew_over_cmp(handle: SessionHandle, cert_der: bytes, request: CmpRequest) -> inst.InstallResult:
    """Renew the certificate ``cert_der`` on the key in ``handle`` (a logged-in read-write session)."""
    keytypes.require(certs.parse(cert_der), "renew_cmp")
    inst.ensure_no_pending(handle.info.serial, handle.info.label)
    obj, key = find_certificate(handle, cert_der)
    old_cert = x509.Certificate.load(obj.der)
    old_signer = TokenSigner(handle, key, old_cert)
    anchors = [*trust_anchors(), *key_anchors(handle.run(TokenSession.certificates))]
    client = CmpClient(request.url, protection=request.mac or SignatureProtection(old_signer),
                       timeout=request.timeout, trusted=[x509.Certificate.load(d) for d in anchors])
    if not request.new_key:
        result = client.key_update(old_cert, old_signer)
        return inst.install(handle, result.certificate.dump(), [c.dump() for c in result.ca_certs], kind="cmp-kur",
                            anchors=[c.dump() for c in result.trust_anchors])
    cka_id = inst.new_cka_id(handle)
    journal = Journal.begin(handle.info.serial, handle.info.label, "cmp-new-key", "keygen",
                            generated_cka_id=cka_id.hex())
    try:
        new_key = handle.run(TokenSession.generate_keypair, _KEY_SPEC[key.key_type], cka_id, key.label or "签名密钥")
        if request.p10:
            result = client.certify_p10(handle.run(TokenSession.make_csr, new_key, old_cert.subject))
        else:
            # with the CA's reference and secret this is an initial request (ir), else a certification request
            result = client.certify(TokenSigner(handle, new_key), old_cert.subject, kind="ir" if request.mac else "cr")
        journal = inst.prepare(handle, result.certificate.dump(), [c.dump() for c in result.ca_certs],
                               kind="cmp-new-key", journal=journal, anchors=[c.dump() for c in result.trust_anchors])
    except BaseException:
        try:
            inst.discard_generated_key(handle, journal)
        except Exception:  # noqa: BLE001 - the key is gone or broken: the journal stays for `renew recover`
            log.warning("generated key pair not removed yet; left for recovery", exc_info=True)
        raise
    return inst.run_steps(handle, journal)


def import_certificates(handle: SessionHandle, data: bytes, source: str = "") -> inst.InstallResult:
    """Install the certificate in a .cer/.pem/.p7b file into the key holding its private key.

    The file's other certificates serve as the chain; the end-entity one must match a key there.
    """
    inst.ensure_no_pending(handle.info.serial, handle.info.label)
    found = certs.load_certificates(data)
    if not found:
        raise HelperError("RENEW_NO_CERTIFICATE", path=source)
    parsed = [certs.parse(der) for der in found]
    leaves = [i.der for i in parsed if not i.is_ca] or [parsed[0].der]
    leaf = _leaf_for_key(handle, leaves)
    return inst.install(handle, leaf, [d for d in found if d != leaf], kind="import")


def _leaf_for_key(handle: SessionHandle, leaves: Sequence[bytes]) -> bytes:
    """Among several end-entity certificates, the one whose key is on this key (else the first)."""
    if len(leaves) == 1:
        return leaves[0]
    keys = handle.run(TokenSession.private_keys)
    return next((der for der in leaves if matching_key(der, keys) is not None), leaves[0])
