"""Is a login certificate revoked? OCSP (RFC 6960) first, the CRL as fallback, for the relying-party verifier.

OCSP: the request carries a fresh nonce (RFC 8954) that the response must echo; the response must be signed by
the certificate's issuer or by a responder certificate that issuer issued for OCSP signing (id-kp-OCSPSigning,
within its validity); it must answer for exactly this certificate (issuer name and key hashes, serial) and be
current: thisUpdate not after now + skew, nextUpdate (thisUpdate when absent) not before now − skew.
A response that fails a check is an error of its own (RevocationResponseInvalid), never a fallback.
"unknown" counts as revoked, as in web-eid-authtoken-validation. A responder that cannot be reached, answers
tryLater/internalError, or only has stale answers is unavailable: then the CRL distribution points are tried
(CRL signed by the issuer, current, serial not listed). Nothing usable at all: RevocationUnavailable in
"hard-fail" mode (the default); "soft-fail" accepts the certificate and says "unknown"; "off" skips the check.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import aiohttp
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from asn1crypto.algos import SignedDigestAlgorithm
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from helper.login.authtoken_errors import CertificateRevoked, RevocationResponseInvalid, RevocationUnavailable

RevocationMode = Literal["hard-fail", "soft-fail", "off"]
RevocationStatus = Literal["good", "unknown", "not-checked"]
MAX_OCSP_BYTES = 64 * 1024
MAX_CRL_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class RevocationPolicy:
    """How revocation is checked. ``nonce_optional`` names OCSP URLs of responders known not to echo nonces
    (their answers are then accepted without one, as web-eid's nonceDisabledOcspUrls)."""

    mode: RevocationMode = "hard-fail"
    timeout: float = 5.0
    skew: timedelta = timedelta(minutes=15)
    nonce_optional: frozenset[str] = field(default_factory=frozenset)


class _Unavailable(Exception):
    """This source gave no usable answer; try the next one."""


async def check(cert: x509.Certificate, issuer: x509.Certificate, now: datetime,
                policy: RevocationPolicy = RevocationPolicy()) -> RevocationStatus:
    """"good" (or "unknown" in soft-fail, "not-checked" when off); CertificateRevoked when it is revoked."""
    if policy.mode == "off":
        return "not-checked"
    reasons = []
    timeout = aiohttp.ClientTimeout(total=policy.timeout)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for source, urls in ((_ocsp, _ocsp_urls(cert)), (_crl, _crl_urls(cert))):
            for url in urls:
                try:
                    await source(session, url, cert, issuer, now, policy)
                    return "good"
                except _Unavailable as exc:
                    reasons.append(f"{url}: {exc}")
    if not reasons:
        reasons.append("the certificate names no OCSP responder and no CRL")
    if policy.mode == "soft-fail":
        return "unknown"
    raise RevocationUnavailable(subject=cert.subject.rfc4514_string()[:200], detail="; ".join(reasons)[:300])


# --- OCSP -----------------------------------------------------------------------------------------
async def _ocsp(session: aiohttp.ClientSession, url: str, cert: x509.Certificate, issuer: x509.Certificate,
                now: datetime, policy: RevocationPolicy) -> None:
    nonce = os.urandom(32)
    request = (ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())
               .add_extension(x509.OCSPNonce(nonce), critical=False).build())
    body = await _fetch(session, url, MAX_OCSP_BYTES, data=request.public_bytes(serialization.Encoding.DER),
                        headers={"Content-Type": "application/ocsp-request"})
    try:  # asn1crypto: responders write producedAt with fractions of a second, which stricter parsers refuse
        response = asn1_ocsp.OCSPResponse.load(body)
        status = response["response_status"].native
        if status != "successful":
            raise _Unavailable(f"responder answered {status}")
        basic = response.basic_ocsp_response
        data = basic["tbs_response_data"]
        single = _single_response(data, cert, issuer, url)
        this_update, next_update = single["this_update"].native, single["next_update"].native
        cert_status = single["cert_status"]
        echoed = response.nonce_value
    except (ValueError, TypeError, KeyError) as exc:
        raise _invalid(url, "not an OCSP response") from exc
    _check_responder(basic, data, issuer, now, url)
    if echoed is None and url not in policy.nonce_optional:
        raise _invalid(url, "the response does not echo the request's nonce")
    if echoed is not None and echoed.native != nonce:
        raise _invalid(url, "the response's nonce is not the request's")
    next_update = next_update or this_update
    if this_update > now + policy.skew:
        raise _invalid(url, f"thisUpdate {this_update:%Y-%m-%d %H:%M} is in the future")
    if next_update < now - policy.skew:
        raise _Unavailable(f"stale answer (nextUpdate {next_update:%Y-%m-%d %H:%M})")
    if cert_status.name == "good":
        return
    subject = cert.subject.rfc4514_string()[:200]
    if cert_status.name == "revoked":
        raise CertificateRevoked(subject=subject, source="OCSP",
                                 date=cert_status.chosen["revocation_time"].native.date().isoformat())
    raise CertificateRevoked(subject=subject, source="OCSP (unknown)", date="?")


def _check_responder(basic: asn1_ocsp.BasicOCSPResponse, data: asn1_ocsp.ResponseData, issuer: x509.Certificate,
                     now: datetime, url: str) -> None:
    """The response is signed by the issuer or by a responder certificate the issuer delegated OCSP to."""
    responder = data["responder_id"]
    signer = issuer
    if not _responder_is(responder, issuer):
        included = [x509.load_der_x509_certificate(c.dump()) for c in (basic["certs"] or ())]
        delegated = [c for c in included if _responder_is(responder, c)]
        if not delegated:
            raise _invalid(url, "signed by neither the issuer nor a responder certificate it included")
        signer = delegated[0]
        try:
            signer.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise _invalid(url, "the responder certificate was not issued by the certificate's CA") from exc
        try:
            usages = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            usages = ()
        if ExtendedKeyUsageOID.OCSP_SIGNING not in usages:
            raise _invalid(url, "the responder certificate is not for OCSP signing")
        if not signer.not_valid_before_utc <= now <= signer.not_valid_after_utc:
            raise _invalid(url, "the responder certificate is outside its validity")
    try:
        verify_signed(signer.public_key(), basic["signature"].native, data.dump(), basic["signature_algorithm"])
    except (InvalidSignature, ValueError):
        raise _invalid(url, "the response signature is not valid") from None


def _responder_is(responder: asn1_ocsp.ResponderId, cert: x509.Certificate) -> bool:
    if responder.name == "by_name":
        return responder.chosen == asn1_x509.Name.load(cert.subject.public_bytes())
    key_hash = x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest  # SHA-1 of the key bits
    return responder.chosen.native == key_hash


def _single_response(data: asn1_ocsp.ResponseData, cert: x509.Certificate, issuer: x509.Certificate,
                     url: str) -> asn1_ocsp.SingleResponse:
    issuer_asn1 = asn1_x509.Certificate.load(issuer.public_bytes(serialization.Encoding.DER))
    for single in data["responses"]:
        cert_id = single["cert_id"]
        algorithm = cert_id["hash_algorithm"]["algorithm"].native
        if cert_id["serial_number"].native != cert.serial_number or algorithm not in ("sha1", "sha256"):
            continue
        name_hash = getattr(hashlib, algorithm)(issuer_asn1.subject.dump()).digest()
        key_hash = getattr(issuer_asn1.public_key, algorithm)
        if (cert_id["issuer_name_hash"].native, cert_id["issuer_key_hash"].native) == (name_hash, key_hash):
            return single
    raise _invalid(url, "the response does not answer for this certificate")


# --- CRL ------------------------------------------------------------------------------------------
async def _crl(session: aiohttp.ClientSession, url: str, cert: x509.Certificate, issuer: x509.Certificate,
               now: datetime, policy: RevocationPolicy) -> None:
    body = await _fetch(session, url, MAX_CRL_BYTES)
    try:
        crl = x509.load_der_x509_crl(body)
    except ValueError:
        try:
            crl = x509.load_pem_x509_crl(body)
        except ValueError as exc:
            raise _invalid(url, "not a CRL") from exc
    if crl.issuer != cert.issuer or not crl.is_signature_valid(issuer.public_key()):
        raise _invalid(url, "the CRL is not signed by the certificate's CA")
    if crl.last_update_utc > now + policy.skew:
        raise _invalid(url, "the CRL is dated in the future")
    if crl.next_update_utc is not None and crl.next_update_utc < now - policy.skew:
        raise _Unavailable(f"stale CRL (nextUpdate {crl.next_update_utc:%Y-%m-%d %H:%M})")
    revoked = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    if revoked is not None:
        raise CertificateRevoked(subject=cert.subject.rfc4514_string()[:200], source="CRL",
                                 date=revoked.revocation_date_utc.date().isoformat())


# --- shared ---------------------------------------------------------------------------------------
async def _fetch(session: aiohttp.ClientSession, url: str, limit: int, *, data: bytes | None = None,
                 headers: dict[str, str] | None = None) -> bytes:
    try:
        async with session.request("POST" if data is not None else "GET", url, data=data, headers=headers) as reply:
            if reply.status != 200:
                raise _Unavailable(f"HTTP {reply.status}")
            body = bytearray()
            while len(body) <= limit and (chunk := await reply.content.read(limit + 1 - len(body))):
                body += chunk
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        raise _Unavailable(f"cannot be reached ({type(exc).__name__})") from exc
    if len(body) > limit:
        raise _Unavailable(f"answer larger than {limit} bytes")
    return bytes(body)


HASHES = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def verify_signed(public_key: object, signature: bytes, data: bytes, algorithm: SignedDigestAlgorithm) -> None:
    """A CA's signature over ``data`` (RSA PKCS#1 v1.5 or ECDSA with a SHA hash); InvalidSignature otherwise."""
    hash_class = HASHES.get(algorithm.hash_algo)
    if hash_class is None:
        raise InvalidSignature
    kind = algorithm.signature_algo
    if kind == "rsassa_pkcs1v15" and isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, padding.PKCS1v15(), hash_class())
    elif kind == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hash_class()))
    else:
        raise InvalidSignature


def _ocsp_urls(cert: x509.Certificate) -> list[str]:
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return []
    return [d.access_location.value for d in aia if d.access_method == AuthorityInformationAccessOID.OCSP
            and isinstance(d.access_location, x509.UniformResourceIdentifier) and _fetchable(d.access_location.value)]


def _crl_urls(cert: x509.Certificate) -> list[str]:
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [name.value for point in points for name in (point.full_name or ())
            if isinstance(name, x509.UniformResourceIdentifier) and _fetchable(name.value)]


def _fetchable(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _invalid(url: str, detail: str) -> RevocationResponseInvalid:
    return RevocationResponseInvalid(url=url[:200], detail=detail)
