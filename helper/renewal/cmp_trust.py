"""Which certificate signed a CMP response, and whether it chains to a trusted CA."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from asn1crypto import x509
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature

from helper.renewal.cmp_asn1 import PKIHeader

MAX_CHAIN = 8


def find_sender_cert(header: PKIHeader, candidates: Sequence[x509.Certificate]) -> x509.Certificate | None:
    """The candidate named by the header's senderKID (key identifier) or else its sender name."""
    kid = header["sender_kid"].native
    sender = header["sender"]
    for cert in candidates:
        if kid is not None:
            if cert.key_identifier == kid:
                return cert
        elif sender.name == "directory_name" and cert.subject == sender.chosen:
            return cert
    return None


def _valid_at(cert: x509.Certificate, now: datetime) -> bool:
    validity = cert["tbs_certificate"]["validity"]
    return validity["not_before"].native <= now <= validity["not_after"].native


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if not issuer.ca:
        return False
    try:
        cx509.load_der_x509_certificate(cert.dump()).verify_directly_issued_by(
            cx509.load_der_x509_certificate(issuer.dump())
        )
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def chains_to_trusted(
    cert: x509.Certificate,
    untrusted: Sequence[x509.Certificate],
    trusted: Sequence[x509.Certificate],
    now: datetime,
) -> bool:
    """True when ``cert`` is trusted or chains, through ``untrusted`` CAs, to one of ``trusted``."""
    anchors = {t.dump() for t in trusted}
    current = cert
    for _ in range(MAX_CHAIN):
        if not _valid_at(current, now):
            return False
        if current.dump() in anchors:
            return True
        issuer = next(
            (c for c in (*trusted, *untrusted) if c.subject == current.issuer and _issued_by(current, c)),
            None,
        )
        if issuer is None or issuer.dump() == current.dump():
            return False
        current = issuer
    return False


def may_sign_messages(cert: x509.Certificate) -> bool:
    """The key usage, when present, allows digital signatures."""
    usage = cert.key_usage_value
    return usage is None or "digital_signature" in usage.native
