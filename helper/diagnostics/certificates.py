"""Certificate checks: present and paired with keys, valid, chain complete (修复: add the missing CA)."""

from __future__ import annotations

from asn1crypto import pem

from helper import certs
from helper.diagnostics.facts import Facts
from helper.diagnostics.model import CheckResult, Status, result
from helper.fileio import atomic_write_bytes
from helper.keys import CertEntry
from helper.messages import HelperError


def _readable(f: Facts) -> list[CertEntry]:
    return [e for e in f.certificates() if e.info is not None]


def _line(e: CertEntry) -> str:
    i = e.info
    usage = "signing" if i.is_signing else "encryption"
    return f"{i.unit} / {i.subject_cn} ({usage}, {i.key_algorithm}-{i.key_size}) {i.not_before:%Y-%m-%d} — " \
           f"{i.not_after:%Y-%m-%d}, key: {'yes' if e.has_key else 'no'}, [{e.token.serial}]"


def check_present(f: Facts) -> CheckResult:
    if not f.tokens_or_none():
        return result("certificates", Status.SKIPPED, "DIAG_SKIPPED_NO_KEY")
    entries = f.certificates()
    readable = [e for e in entries if e.info is not None and not e.info.is_ca]
    details = [_line(e) for e in readable] + [f"{e.label}: {e.problem}" for e in entries if e.info is None]
    if not readable:
        return result("certificates", Status.ERROR, "DIAG_CERT_NONE", details)
    unreadable = [e for e in entries if e.info is None]
    if unreadable:
        return result("certificates", Status.WARNING, "DIAG_CERT_UNREADABLE", details, label=unreadable[0].label)
    unpaired = [e for e in readable if not e.has_key]
    if unpaired:
        return result("certificates", Status.WARNING, "DIAG_CERT_NO_KEY", details, unit=unpaired[0].info.unit,
                      holder=unpaired[0].info.subject_cn)
    return result("certificates", Status.OK, "DIAG_CERT_OK", details, count=len(readable))


def _superseded(e: CertEntry, entries: list[CertEntry], now) -> bool:
    """An expired certificate next to a valid one for the same holder and use (kept after renewal)."""
    return any(
        o is not e and o.token.serial == e.token.serial and o.info.subject == e.info.subject
        and o.info.is_signing == e.info.is_signing and o.info.status(now) in ("valid", "expiring")
        for o in entries
    )


def check_validity(f: Facts) -> CheckResult:
    if not f.tokens_or_none():
        return result("cert-validity", Status.SKIPPED, "DIAG_SKIPPED_NO_KEY")
    now = f.env.now()
    entries = [e for e in _readable(f) if not e.info.is_ca]
    if not entries:
        return result("cert-validity", Status.SKIPPED, "DIAG_SKIPPED_NO_CERT")
    details = [f"{_line(e)}: {e.info.status(now)}, {e.info.days_left(now)} days" for e in entries]
    current = [e for e in entries if not (e.info.status(now) == "expired" and _superseded(e, entries, now))]
    for status_name, status, code in (("expired", Status.ERROR, "DIAG_CERT_EXPIRED"),
                                      ("not_yet_valid", Status.ERROR, "DIAG_CERT_NOT_YET_VALID"),
                                      ("expiring", Status.WARNING, "DIAG_CERT_EXPIRING")):
        hit = next((e for e in current if e.info.status(now) == status_name), None)
        if hit is not None:
            return result("cert-validity", status, code, details, unit=hit.info.unit, holder=hit.info.subject_cn,
                          date=f"{hit.info.not_after:%Y-%m-%d}", start=f"{hit.info.not_before:%Y-%m-%d}",
                          days=hit.info.days_left(now))
    soonest = min(current, key=lambda e: e.info.not_after)
    return result("cert-validity", Status.OK, "DIAG_CERT_VALID", details, date=f"{soonest.info.not_after:%Y-%m-%d}",
                  days=soonest.info.days_left(now))


def _key_pool(f: Facts) -> list[bytes]:
    """CA certificates the system sees without the helper's bundle: those on the keys and in the user folder."""
    return [e.info.der for e in _readable(f)] + f.user_ca()


def _incomplete(f: Facts) -> list[tuple[CertEntry, list[bytes]]]:
    pool = _key_pool(f)
    out = []
    for e in _readable(f):
        if e.info.is_ca:
            continue
        chain = certs.build_chain(e.info.der, pool)
        if not certs.chain_complete(chain):
            out.append((e, chain))
    return out


def _from_bundle(f: Facts, leaf: bytes) -> list[bytes]:
    """The CA certificates the bundle adds to complete ``leaf``'s chain (empty when it cannot)."""
    known = set(_key_pool(f))
    chain = certs.build_chain(leaf, _key_pool(f) + list(f.env.bundled_ca))
    if not certs.chain_complete(chain):
        return []
    return [der for der in chain[1:] if der not in known]


def check_chain(f: Facts) -> CheckResult:
    if not f.tokens_or_none():
        return result("cert-chain", Status.SKIPPED, "DIAG_SKIPPED_NO_KEY")
    if not [e for e in _readable(f) if not e.info.is_ca]:
        return result("cert-chain", Status.SKIPPED, "DIAG_SKIPPED_NO_CERT")
    broken = _incomplete(f)
    if not broken:
        return result("cert-chain", Status.OK, "DIAG_CHAIN_OK")
    details = [f"{e.info.unit} / {e.info.subject_cn}: {' → '.join(certs.parse(d).subject_cn for d in chain)} → ?"
               for e, chain in broken]
    entry, chain = broken[0]
    missing = certs.parse(chain[-1]).issuer_cn
    if all(_from_bundle(f, e.info.der) for e, _ in broken):
        return result("cert-chain", Status.WARNING, "DIAG_CHAIN_FIXABLE", details, fixable=True, issuer=missing,
                      folder=str(f.env.user_ca_dir))
    return result("cert-chain", Status.ERROR, "DIAG_CHAIN_INCOMPLETE", details, issuer=missing,
                  unit=entry.info.unit)


def fix_chain(f: Facts) -> None:
    """Copy the CA certificates that complete the key's chains from the bundle into the user CA folder."""
    added = 0
    for entry, _ in _incomplete(f):
        for der in _from_bundle(f, entry.info.der):
            target = f.env.user_ca_dir / f"ca-{certs.parse(der).sha256[:16]}.pem"
            if not target.exists():
                atomic_write_bytes(target, pem.armor("CERTIFICATE", der), parents=True)
                added += 1
    if not added:
        raise HelperError("DIAG_FIX_NOTHING", check="cert-chain")
