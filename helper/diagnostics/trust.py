"""Root CA trust: the roots the helper knows are trusted by the browsers (修复: install them).

Windows: the user's Root store (certutil -user). Linux: the browsers' NSS databases (certutil -d sql:).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from helper import certs
from helper.diagnostics import nss
from helper.diagnostics.facts import Facts
from helper.diagnostics.model import CheckResult, Status, result
from helper.messages import HelperError

WINDOWS = sys.platform.startswith("win")


@dataclass(frozen=True)
class Root:
    der: bytes
    name: str
    sha256: str
    sha1: str

    @property
    def nickname(self) -> str:
        return f"{self.name} ({self.sha256[:8]})"


def known_roots(f: Facts) -> list[Root]:
    """Self-signed CA certificates from the bundle and the user's CA folder (the helper's trust anchors)."""
    pool = list(f.env.bundled_ca) + f.user_ca()
    found: dict[str, Root] = {}
    for der in pool:
        try:
            info = certs.parse(der)
        except HelperError:
            continue
        if info.self_signed and info.is_ca:
            found.setdefault(info.sha256, Root(der, info.subject_cn or info.unit, info.sha256, info.sha1))
    return sorted(found.values(), key=lambda r: r.name)


def _nss_dbs(f: Facts) -> list[Path]:
    return list(f.env.nss_dirs) if f.env.nss_dirs is not None else nss.databases(f.env.home)


def _missing(f: Facts, roots: list[Root]) -> list[tuple[Root, Path | None]]:
    """(root, store) pairs where the root is not trusted; store None is the Windows user store."""
    if WINDOWS:
        from helper.diagnostics import winstore

        return [(r, None) for r in roots if not winstore.is_trusted(r.sha1)]
    out = []
    for db in _nss_dbs(f):
        trusted = nss.trusted_ca_fingerprints(db)
        out += [(r, db) for r in roots if r.sha256 not in trusted]
    return out


def check_roots(f: Facts) -> CheckResult:
    roots = known_roots(f)
    if not roots:
        return result("root-ca", Status.SKIPPED, "DIAG_SKIPPED_NO_ROOT")
    if not WINDOWS:
        if nss.certutil() is None:
            return result("root-ca", Status.SKIPPED, "DIAG_SKIPPED_NO_CERTUTIL")
        if not _nss_dbs(f):
            return result("root-ca", Status.SKIPPED, "DIAG_SKIPPED_NO_BROWSER_STORE")
    missing = _missing(f, roots)
    stores = "Windows" if WINDOWS else ", ".join(str(d) for d in _nss_dbs(f))
    if not missing:
        return result("root-ca", Status.OK, "DIAG_ROOT_TRUSTED", [r.nickname for r in roots], count=len(roots),
                      stores=stores)
    details = [f"{r.nickname} → {db or 'Windows'}" for r, db in missing]
    return result("root-ca", Status.WARNING, "DIAG_ROOT_UNTRUSTED", details, fixable=True,
                  names="、".join(sorted({r.name for r, _ in missing})), stores=stores)


def fix_roots(f: Facts) -> None:
    """Install every missing root into the user's store (NSS databases, or the Windows user Root store)."""
    missing = _missing(f, known_roots(f))
    if not missing:
        raise HelperError("DIAG_FIX_NOTHING", check="root-ca")
    for root, db in missing:
        try:
            if db is None:
                from helper.diagnostics import winstore

                winstore.add_root(root.der)
            else:
                nss.add_ca(db, root.der, root.nickname)
        except OSError as exc:
            raise HelperError("DIAG_FIX_FAILED", check="root-ca", detail=str(exc)) from exc
