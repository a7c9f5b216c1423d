"""Whether a certificate may be trusted: its path to a trust anchor validated under RFC 5280.

One function, ``validate``, for every certificate the renewal code accepts from outside (a certificate from
CMP, from a file, from the CA's website, and the certificate that signs a CMP answer). The path is built and
checked by pyhanko-certvalidator: every issuer a CA (basicConstraints cA, keyCertSign), path length and
name constraints, signatures (SM3withSM2 through helper.crypto.sm2), every certificate valid at the moment
checked. The leaf must be valid now,
must not be a CA, and its key usage must fit its purpose.

Anchors are certificates the caller trusts for this one check: the bundled CAs and the user's CA folder
(``installed_anchors``), a root stored on the key that the key's own certificates already chain to
(``key_anchors``), or the caPubs of a CMP answer protected with the CA's one-time secret. An anchor counts
only when it is a CA certificate valid at that moment (pyhanko-certvalidator accepts any certificate as a
root, even an expired or end-entity one); the anchor's own constraints apply to the path below it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.authority import CertTrustAnchor, derive_quals_from_cert
from pyhanko_certvalidator.errors import PathBuildingError, ValidationError
from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

from helper import certs, settings
from helper.messages import HelperError
from tokenio.session import CertObject

Purpose = Literal["signing", "encryption", "cmp-protection"]
T = TypeVar("T")
_loops = threading.local()

_USAGES: dict[Purpose, frozenset[str]] = {
    "signing": frozenset({"digital_signature", "non_repudiation"}),
    "encryption": frozenset({"key_encipherment", "data_encipherment", "key_agreement"}),
    "cmp-protection": frozenset({"digital_signature"}),
}


def purpose_of(info: certs.CertInfo) -> Literal["signing", "encryption"]:
    """What a certificate on a key is for: signing (also when its key usage allows both), else encryption."""
    return "signing" if info.is_signing else "encryption"


def fits(info: certs.CertInfo, purpose: Purpose) -> bool:
    """The key usage allows ``purpose`` (a certificate without key usage allows everything)."""
    return not info.key_usage or bool(_USAGES[purpose] & set(info.key_usage))


def installed_anchors() -> list[bytes]:
    """The CAs this computer trusts for renewal: bundled ones plus the user's CA folder."""
    return list(certs.bundled_ca_certs()) + certs.user_ca_certs(settings.user_ca_dir())


def validate(leaf: bytes, intermediates: Iterable[bytes], anchors: Iterable[bytes], purpose: Purpose,
             now: datetime | None = None) -> list[bytes]:
    """The validated path, leaf first and anchor last; a coded HelperError otherwise.

    RENEW_CERT_EXPIRED / RENEW_CERT_NOT_YET_VALID (the leaf at ``now``), RENEW_CERT_PURPOSE (key usage, or a
    CA certificate), RENEW_CHAIN_UNTRUSTED (no path to an anchor), RENEW_CHAIN_INVALID (a path exists but
    breaks a rule of RFC 5280: an issuer that is no CA, path length, name constraints, signature, validity).
    """
    now = now or datetime.now(UTC)
    info = certs.parse(leaf)
    state = info.status(now, warn_days=0)
    if state == "expired":
        raise HelperError("RENEW_CERT_EXPIRED", subject=info.subject, not_after=info.not_after.isoformat())
    if state == "not_yet_valid":
        raise HelperError("RENEW_CERT_NOT_YET_VALID", subject=info.subject, not_before=info.not_before.isoformat())
    cert = x509.Certificate.load(info.der)
    if (cert.ca and purpose != "cmp-protection") or not fits(info, purpose):
        raise HelperError("RENEW_CERT_PURPOSE", subject=info.subject, usage=", ".join(info.key_usage) or "-",
                          purpose=_purpose_text(purpose))
    roots = [_anchor(a) for a in usable_anchors(anchors, now)]
    context = ValidationContext(trust_roots=roots, other_certs=_load_all(intermediates), moment=now,
                                allow_fetching=False, revocation_mode="soft-fail",
                                signature_validator=_SIGNATURES)
    validator = CertificateValidator(cert, validation_context=context)
    try:
        path = run_sync(validator.async_validate_path())
    except PathBuildingError as exc:
        raise HelperError("RENEW_CHAIN_UNTRUSTED", subject=info.subject, detail=_detail(exc)) from exc
    except (ValidationError, ValueError, TypeError) as exc:  # a malformed certificate in the path breaks it too
        raise HelperError("RENEW_CHAIN_INVALID", subject=info.subject, detail=_detail(exc)) from exc
    return [c.dump() for c in reversed(list(path.iter_certs(include_root=True)))]


def key_anchors(objects: Sequence[CertObject], now: datetime | None = None) -> list[bytes]:
    """Roots stored on the key that its own end-entity certificates chain to (validated as above).

    CAs ship their chain on the key; a renewal from the CA that issued the key's certificates is then trusted
    even where that CA's root is not installed on this computer. A root that none of the key's certificates
    chains to earns nothing. An expired certificate of the key is checked at its last valid moment.
    """
    now = now or datetime.now(UTC)
    cas = [o.der for o in objects if o.der is not None and _ca_certificate(o.der) is not None]
    roots = [der for der in cas if x509.Certificate.load(der).self_signed != "no"]
    found: list[bytes] = []
    for obj in objects:
        if obj.der is None or obj.key is None or obj.der in cas:
            continue
        try:
            info = certs.parse(obj.der)
            top = validate(obj.der, cas, roots, purpose_of(info), now=min(now, info.not_after))[-1]
        except HelperError:
            continue
        if top not in found and top in roots:
            found.append(top)
    return found


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end from synchronous code, also when the calling thread runs an event loop.

    pyhanko-certvalidator is asynchronous; each thread keeps one private loop for it (a new loop per call
    costs more than the validation itself)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        loop = getattr(_loops, "loop", None)
        if loop is None or loop.is_closed():
            loop = _loops.loop = asyncio.new_event_loop()
        return loop.run_until_complete(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(run_sync, coro).result()


def usable_anchors(anchors: Iterable[bytes], now: datetime | None = None) -> list[x509.Certificate]:
    """The anchors that count at ``now``: CA certificates (cA, keyCertSign when key usage is present), valid."""
    now = now or datetime.now(UTC)
    out: list[x509.Certificate] = []
    for der in dict.fromkeys(anchors):
        cert = _ca_certificate(der)
        if cert is not None and cert.not_valid_before <= now <= cert.not_valid_after:
            out.append(cert)
    return out


class _Signatures(DefaultSignatureValidator):
    """pyhanko-certvalidator's signature checks, plus SM3withSM2 (国密) through helper.crypto.sm2."""

    def validate_signature(self, signature, signed_data, public_key_info, signature_algorithm, *args, **kw):
        from cryptography.exceptions import InvalidSignature

        from helper.crypto import sm2

        if signature_algorithm["algorithm"].dotted not in sm2.SIGNATURE_OIDS:
            return super().validate_signature(signature, signed_data, public_key_info, signature_algorithm,
                                              *args, **kw)
        if not sm2.is_sm2_key(public_key_info) or not sm2.verify_der(sm2.point_of(public_key_info), signed_data,
                                                                        signature):
            raise InvalidSignature("SM3withSM2 signature does not verify")
        return None


_SIGNATURES = _Signatures()


def _anchor(cert: x509.Certificate) -> CertTrustAnchor:
    """A trust anchor whose own path length and name constraints bind the path below it. (The qualifiers are
    set explicitly: pyhanko-certvalidator 0.33 copies an unset AA path length over the path length it derived.)"""
    quals = derive_quals_from_cert(cert)
    return CertTrustAnchor(cert, replace(quals, max_aa_path_length=quals.max_path_length))


def _ca_certificate(der: bytes) -> x509.Certificate | None:
    """The certificate when it is a CA's: basicConstraints cA, and keyCertSign when key usage is present."""
    try:
        cert = x509.Certificate.load(der)
        usage = cert.key_usage_value
        is_ca = bool(cert.ca) and (usage is None or "key_cert_sign" in usage.native)
    except (ValueError, TypeError):
        return None
    return cert if is_ca else None


def _load_all(ders: Iterable[bytes]) -> list[x509.Certificate]:
    out = []
    for der in dict.fromkeys(ders):
        try:
            cert = x509.Certificate.load(der)
            cert.subject.dump()  # the names path building compares; a broken pool entry is skipped here
        except (ValueError, TypeError):
            continue
        out.append(cert)
    return out


def _detail(exc: Exception) -> str:
    return " ".join(str(exc).split())[:240] or type(exc).__name__


def _purpose_text(purpose: Purpose) -> str:
    from helper import messages

    zh = messages.language() == "zh"
    return {"signing": "签名" if zh else "signing", "encryption": "加密" if zh else "encryption",
            "cmp-protection": "签名" if zh else "signing"}[purpose]
