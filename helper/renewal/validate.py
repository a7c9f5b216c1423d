"""Checks a renewed certificate must pass before it is written to a key.

It must parse, chain (signatures checked link by link) to a trusted certificate (bundled CAs, the
user's CA folder, or a root stored on the key that the key's current certificates already chain to: the
CA that issued them), be valid now, allow signing, and belong to a private key on the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from asn1crypto import x509 as ax509

from helper import certs, settings
from helper.crypto.chain import signature_ok
from helper.messages import HelperError
from tokenio.session import CertObject, KeyRef


def trust_anchors() -> list[bytes]:
    """Certificates the helper trusts as chain ends: bundled CAs plus the user's CA folder."""
    return list(certs.bundled_ca_certs()) + certs.user_ca_certs(settings.user_ca_dir())


def key_anchors(objects: Sequence[CertObject]) -> list[bytes]:
    """Roots stored on the key that its current end-entity certificates chain to (signatures checked).

    CAs ship their chain on the key; a renewal from the CA that issued the key's certificates is then
    trusted even where that CA's root is not installed on this computer. A root that none of the current
    certificates chains to earns nothing.
    """
    from asn1crypto import x509

    cas = [o.der for o in objects if o.der is not None and _parses_as_ca(o.der)]
    roots = [der for der in cas if x509.Certificate.load(der).self_signed != "no"]
    anchors: list[bytes] = []
    for obj in objects:
        if obj.der is None or obj.key is None or obj.der in cas:
            continue
        try:
            top = check_chain(obj.der, cas, anchors=roots)[-1]
        except HelperError:
            continue
        if top not in anchors:
            anchors.append(top)
    return anchors


def _parses_as_ca(der: bytes) -> bool:
    try:
        return certs.parse(der).is_ca
    except Exception:  # noqa: BLE001 - garbage certificate objects are listed elsewhere, never trusted
        return False


def check_chain(leaf: bytes, supplied: Iterable[bytes] = (), anchors: Sequence[bytes] | None = None) -> list[bytes]:
    """The verified chain from ``leaf`` to a trusted certificate; RENEW_CHAIN_UNTRUSTED otherwise."""
    anchors = trust_anchors() if anchors is None else list(anchors)
    chain = certs.build_chain(leaf, [*supplied, *anchors])
    subject = certs.parse(leaf).subject
    now = datetime.now(UTC)
    for child, parent in zip(chain, chain[1:], strict=False):
        if not signature_ok(ax509.Certificate.load(child), ax509.Certificate.load(parent)):  # SM2 links too
            raise HelperError("RENEW_CHAIN_UNTRUSTED", subject=subject, detail="bad signature")
        if certs.parse(parent).status(now, warn_days=0) != "valid":
            raise HelperError("RENEW_CHAIN_UNTRUSTED", subject=subject, detail="CA certificate not valid")
    trusted = set(anchors)
    end = next((i for i, der in enumerate(chain) if der in trusted and i > 0), None)
    if end is None:
        raise HelperError("RENEW_CHAIN_UNTRUSTED", subject=subject, detail="no trusted root")
    return chain[: end + 1]


def check_new_certificate(der: bytes, supplied: Iterable[bytes], keys: Sequence[KeyRef], token: str,
                          now: datetime | None = None, extra_anchors: Sequence[bytes] = ()) -> KeyRef:
    """Run every check; returns the private key the certificate belongs to."""
    info = certs.parse(der)
    now = now or datetime.now(UTC)
    state = info.status(now, warn_days=0)
    if state == "expired":
        raise HelperError("RENEW_CERT_EXPIRED", subject=info.subject, not_after=info.not_after.isoformat())
    if state == "not_yet_valid":
        raise HelperError("RENEW_CERT_NOT_YET_VALID", subject=info.subject, not_before=info.not_before.isoformat())
    if not info.is_signing or info.is_ca:
        raise HelperError("RENEW_CERT_NOT_SIGNING", subject=info.subject, usage=", ".join(info.key_usage) or "-")
    key = matching_key(der, keys)
    if key is None:
        raise HelperError("RENEW_CERT_NO_KEY", subject=info.subject, token=token)
    check_chain(der, supplied, [*trust_anchors(), *extra_anchors])
    return key


def matching_key(der: bytes, keys: Sequence[KeyRef]) -> KeyRef | None:
    """The private key whose public half is the certificate's (compared as DER SubjectPublicKeyInfo)."""
    from asn1crypto import x509

    spki = x509.Certificate.load(der).public_key.dump()
    return next((k for k in keys if k.public_key_info == spki), None)
