"""An NSS softokn database reached through p11-kit-proxy, as on a Linux desktop (test helper, no fixtures).

p11-kit reads no user configuration in a root process, so the module file goes to /etc/pkcs11/modules for
the test's duration and is removed afterwards (with the folders, when the test made them).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

P11KIT_PROXY = "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so"
SOFTOKN = "/usr/lib/x86_64-linux-gnu/libsoftokn3.so"
SYSTEM_MODULES = Path("/etc/pkcs11/modules")


def nss_database(folder: Path, password: str, key_pem: Path, cert_pem: Path) -> Path:
    """A fresh NSS database with a password and one key + certificate (imported from PKCS#12 as users do)."""
    db = folder / "nssdb"
    db.mkdir(parents=True)
    pw = folder / "pw.txt"
    pw.write_text(password + "\n")
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "-f", str(pw)], check=True, capture_output=True)
    p12 = folder / "key.p12"
    subprocess.run(["openssl", "pkcs12", "-export", "-inkey", str(key_pem), "-in", str(cert_pem), "-name", "单位证书",
                    "-passout", "pass:p12", "-out", str(p12)], check=True, capture_output=True)
    subprocess.run(["pk12util", "-i", str(p12), "-d", f"sql:{db}", "-k", str(pw), "-W", "p12"],
                   check=True, capture_output=True)
    pw.unlink()
    return db


@contextmanager
def proxied(db: Path, name: str) -> Iterator[None]:
    """p11-kit-proxy offers the NSS database (besides the system's modules) while the block runs."""
    made = [p for p in (SYSTEM_MODULES.parent, SYSTEM_MODULES) if not p.exists()]
    SYSTEM_MODULES.mkdir(parents=True, exist_ok=True)
    config = SYSTEM_MODULES / f"{name}.module"
    config.write_text(f"module: {SOFTOKN}\n"
                      f"x-init-reserved: configdir='sql:{db}' certPrefix='' keyPrefix='' secmod='secmod.db' flags=\n")
    try:
        yield
    finally:
        config.unlink()
        for folder in reversed(made):
            folder.rmdir()
