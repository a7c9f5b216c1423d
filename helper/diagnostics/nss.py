"""NSS certificate databases (Chromium and Firefox on Linux) through NSS's own `certutil`."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from asn1crypto import pem

TRUST_CA = "C,,"  # a CA trusted to issue web-site certificates


def certutil() -> str | None:
    return shutil.which("certutil")


def databases(home: Path) -> list[Path]:
    """The browsers' NSS databases (folders holding cert9.db) under ``home``."""
    patterns = [
        ".pki/nssdb", "snap/chromium/current/.pki/nssdb",
        ".mozilla/firefox/*", "snap/firefox/common/.mozilla/firefox/*",
        ".var/app/org.mozilla.firefox/.mozilla/firefox/*",
    ]
    found = []
    for pattern in patterns:
        for folder in sorted(home.glob(pattern)):
            if (folder / "cert9.db").is_file():
                found.append(folder)
    return found


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([certutil() or "certutil", *args], input=stdin, capture_output=True, timeout=10)


def trusted_ca_fingerprints(db: Path) -> set[str]:
    """SHA-256 of the certificates ``db`` trusts as web-site CAs (trust flag C in the SSL column)."""
    listing = _run("-L", "-d", f"sql:{db}")
    out: set[str] = set()
    for line in listing.stdout.decode("utf-8", "replace").splitlines():
        parts = line.rsplit(None, 1)
        if len(parts) != 2 or parts[1].count(",") != 2:
            continue
        nickname, trust = parts[0].strip(), parts[1]
        if "C" not in trust.split(",")[0]:
            continue
        der = _run("-L", "-d", f"sql:{db}", "-n", nickname, "-r").stdout
        if der:
            out.add(hashlib.sha256(der).hexdigest())
    return out


def add_ca(db: Path, der: bytes, nickname: str) -> None:
    """Import ``der`` into ``db`` as a trusted web-site CA."""
    with tempfile.TemporaryDirectory(prefix="cahelper-ca-") as tmp:
        path = Path(tmp) / "ca.pem"
        path.write_bytes(pem.armor("CERTIFICATE", der))
        done = _run("-A", "-d", f"sql:{db}", "-n", nickname, "-t", TRUST_CA, "-i", str(path))
    if done.returncode != 0:
        raise OSError(done.stderr.decode("utf-8", "replace").strip() or f"certutil exit {done.returncode}")
