"""The Windows user certificate store (Root) through `certutil -user` (Windows only)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

_NO_WINDOW = 0x08000000  # CREATE_NO_WINDOW: no console flashing up from the GUI


def _certutil(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["certutil", "-user", *args], capture_output=True, timeout=20, creationflags=_NO_WINDOW)


def is_trusted(sha1_hex: str) -> bool:
    """True when the user's (or machine's, which the user store includes) Root store holds the certificate."""
    return _certutil("-verifystore", "Root", sha1_hex).returncode == 0


def add_root(der: bytes) -> None:
    """Add a root to the user's Root store; Windows itself asks the user to confirm."""
    with tempfile.TemporaryDirectory(prefix="cahelper-ca-") as tmp:
        path = Path(tmp) / "root.cer"
        path.write_bytes(der)
        done = _certutil("-addstore", "Root", str(path))
    if done.returncode != 0:
        raise OSError(done.stdout.decode("mbcs", "replace").strip()[-300:] or f"certutil exit {done.returncode}")
