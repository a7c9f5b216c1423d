"""Which certificate signs: chosen on the key, checked for validity and usage, with its chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from helper import certs, keytypes, settings
from helper.keys import CertEntry, KeyService
from helper.messages import HelperError
from tokenio.module import TokenInfo


@dataclass(frozen=True)
class SigningIdentity:
    """The signing certificate on one key and its chain (leaf first), ready to sign."""

    token: TokenInfo
    entry: CertEntry
    chain: tuple[bytes, ...]

    @property
    def info(self) -> certs.CertInfo:
        assert self.entry.info is not None
        return self.entry.info


def trust_pool(extra: tuple[bytes, ...] = ()) -> list[bytes]:
    """CA certificates the helper trusts: bundled, the user's folder, and ``extra``."""
    return [*certs.bundled_ca_certs(), *certs.user_ca_certs(settings.user_ca_dir()), *extra]


def choose_identity(keys: KeyService, serial: str | None = None, cert_id: str | None = None,
                    now: datetime | None = None) -> SigningIdentity:
    """The certificate to sign with: ``cert_id`` if given, else the one signing certificate with a key.

    Raises HelperError SIGN_CERT_NONE / SIGN_CERT_AMBIGUOUS / SIGN_CERT_NOT_FOR_SIGNING /
    SIGN_CERT_EXPIRED / SIGN_CERT_NOT_YET_VALID (checked before any PIN is asked for).
    """
    token = keys.find_token(serial)
    entries = keys.certificates(token.id)
    if cert_id:
        entry = keys.find_certificate(cert_id, token.id)
        if entry.info is None or not entry.has_key:
            raise HelperError("SIGN_CERT_NONE", serial=token.serial)
        if not entry.info.is_signing:
            raise HelperError("SIGN_CERT_NOT_FOR_SIGNING", id=entry.id, unit=entry.info.unit)
    else:
        usable = [e for e in entries if e.info and e.has_key and e.info.is_signing and not e.info.is_ca]
        current = [e for e in usable if e.info.status(now) in ("valid", "expiring")]
        candidates = current or usable
        if not candidates:
            raise HelperError("SIGN_CERT_NONE", serial=token.serial)
        candidates = [e for e in candidates if keytypes.supports(e.info, "sign_pdf")] or candidates
        if len(candidates) > 1:
            candidates = _prefer_rsa(candidates)
        entry = candidates[0]
    keytypes.require(entry.info, "sign_pdf")
    check_validity(entry.info, now)
    on_key = tuple(e.info.der for e in entries if e.info and e.info.is_ca)
    chain = certs.build_chain(entry.info.der, trust_pool(on_key))  # CA certificates stored on the key count too
    return SigningIdentity(token, entry, tuple(chain))


def _prefer_rsa(entries: list[CertEntry]) -> list[CertEntry]:
    """Several current signing certificates (e.g. RSA and SM2/EC twins of one unit): if they all belong to
    the same holder, the RSA one is the most widely verifiable; otherwise the user must choose."""
    holders = {(e.info.unit, e.info.subject_cn) for e in entries}
    if len(holders) > 1:
        raise HelperError("SIGN_CERT_AMBIGUOUS", choices="; ".join(
            f"{e.id} {e.info.unit} {e.info.subject_cn} {e.info.key_algorithm}" for e in entries))
    return sorted(entries, key=lambda e: (e.info.key_algorithm != "RSA", -e.info.not_after.timestamp()))


def check_validity(info: certs.CertInfo, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    status = info.status(now)
    if status == "expired":
        raise HelperError("SIGN_CERT_EXPIRED", date=info.not_after.date().isoformat(), unit=info.unit)
    if status == "not_yet_valid":
        raise HelperError("SIGN_CERT_NOT_YET_VALID", date=info.not_before.date().isoformat(), unit=info.unit)
