"""Certificate paths that may contain SM2 certificates, which pyhanko-certvalidator cannot check.

``validate_path`` builds the path from a certificate to one of the given trust roots and checks every
signature (SM3withSM2 here, RSA and ECDSA through pyca/cryptography), every validity period at ``moment``
(the root's too), that every issuer is a CA allowed to sign certificates, and every CA's path-length
constraint. A CA that restricts names (nameConstraints) is refused: those restrictions are not evaluated
here, and a path is never accepted on a check that was skipped. Revocation is not checked (pyhanko-certvalidator
checks it; for SM2 it needs helper.crypto.sm2 plugged into its signature checks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from asn1crypto import x509

from helper.crypto import sm2

MAX_DEPTH = 8


class ChainError(Exception):
    """No acceptable path; ``reason`` is one of: no_issuer, bad_signature, expired, not_yet_valid, not_ca,
    path_length, name_constraints, untrusted."""

    def __init__(self, reason: str, subject: str) -> None:
        super().__init__(f"{reason}: {subject}")
        self.reason = reason
        self.subject = subject


def involves_sm2(cert: x509.Certificate) -> bool:
    """An SM2 key or an SM2 signature: pyhanko-certvalidator cannot check this certificate's path."""
    return sm2.is_sm2_certificate(cert) or sm2.signed_with_sm2(cert)


def signature_ok(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer``'s key made ``cert``'s signature."""
    if sm2.signed_with_sm2(cert):
        return sm2.check_certificate_signature(cert, issuer)
    if sm2.is_sm2_certificate(issuer):
        return False
    from cryptography import x509 as cx509

    try:
        cx509.load_der_x509_certificate(cert.dump()).verify_directly_issued_by(
            cx509.load_der_x509_certificate(issuer.dump()))
    except Exception:  # noqa: BLE001 - any failure means "not signed by this issuer"
        return False
    return True


def validate_path(cert: x509.Certificate, roots: Sequence[x509.Certificate],
                  intermediates: Sequence[x509.Certificate] = (), moment: datetime | None = None
                  ) -> tuple[x509.Certificate, ...]:
    """The path ``cert`` … root (leaf first). Raises ChainError with the first reason found."""
    moment = moment or datetime.now(UTC)
    root_ders = {r.dump() for r in roots}
    pool = [*roots, *(c for c in intermediates if c.dump() not in root_ders)]
    path = [cert]
    _check_time(cert, moment)
    for _ in range(MAX_DEPTH):
        current = path[-1]
        if current.dump() in root_ders:
            if not signature_ok(current, current):
                raise ChainError("bad_signature", _name(current))
            return tuple(path)
        issuer = _issuer(current, pool, path)
        if issuer is None:
            raise ChainError("untrusted" if current.self_signed != "no" else "no_issuer", _name(current))
        _check_time(issuer, moment)
        if not issuer.ca or (issuer.key_usage_value is not None and "key_cert_sign" not in issuer.key_usage_value.native):
            raise ChainError("not_ca", _name(issuer))
        below = sum(1 for c in path[1:] if c.subject != c.issuer)  # CA certificates between issuer and leaf
        if issuer.max_path_length is not None and below > issuer.max_path_length:
            raise ChainError("path_length", _name(issuer))
        if issuer.name_constraints_value is not None:
            raise ChainError("name_constraints", _name(issuer))
        path.append(issuer)
    raise ChainError("no_issuer", _name(path[-1]))


def _issuer(cert: x509.Certificate, pool: Sequence[x509.Certificate],
            path: Sequence[x509.Certificate]) -> x509.Certificate | None:
    found_wrong = False
    for cand in pool:
        if cand.subject != cert.issuer or any(cand.dump() == p.dump() for p in path[:-1]):
            continue
        if cert.authority_key_identifier and cand.key_identifier and \
                cert.authority_key_identifier != cand.key_identifier:
            continue
        if cand.dump() == cert.dump():
            continue
        if signature_ok(cert, cand):
            return cand
        found_wrong = True
    if found_wrong:
        raise ChainError("bad_signature", _name(cert))
    return None


def _check_time(cert: x509.Certificate, moment: datetime) -> None:
    validity = cert["tbs_certificate"]["validity"]
    if moment < validity["not_before"].native:
        raise ChainError("not_yet_valid", _name(cert))
    if moment > validity["not_after"].native:
        raise ChainError("expired", _name(cert))


def _name(cert: x509.Certificate) -> str:
    return cert.subject.human_friendly
