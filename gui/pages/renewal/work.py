"""What the renewal page runs on worker threads (through app.jobs): reading, renewing, importing, recovering.

Every function takes the PIN as a bytearray and lets the key service wipe it; nothing here touches Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helper.keys import CertEntry, KeyService
from helper.renewal import install, journal, monitor
from helper.renewal.cas import CaEntry, ca_for
from helper.renewal.install import InstallResult
from helper.renewal.service import CmpRequest, import_certificates, renew_over_cmp
from helper.renewal.target import key_for_certificates


@dataclass(frozen=True)
class Row:
    """One certificate the page lists: the monitor's view, the entry on the key, its CA (if known)."""

    item: monitor.ExpiryItem
    entry: CertEntry
    ca: CaEntry | None


@dataclass(frozen=True)
class Overview:
    rows: tuple[Row, ...]
    history: tuple[dict[str, Any], ...]


def overview(keys: KeyService) -> Overview:
    """Certificates with a private key on the inserted keys (soonest expiry first) and the renewal history."""
    entries = {e.id: e for e in keys.certificates() if e.info is not None and e.has_key}
    rows = tuple(Row(i, entries[i.cert_id], ca_for(entries[i.cert_id].info))
                 for i in monitor.check(keys) if i.cert_id in entries)
    return Overview(rows, tuple(journal.history()))


def renew_cmp(keys: KeyService, entry: CertEntry, pin: bytearray, request: CmpRequest) -> InstallResult:
    """一键延期 over CMP in a read-write session."""
    with keys.login(entry.token.serial, pin, rw=True).session as handle:
        return renew_over_cmp(handle, entry.info.der, request)


def import_file(keys: KeyService, serial: str, pin: bytearray, path: Path) -> InstallResult:
    """导入证书文件 into the key ``serial``."""
    data = path.read_bytes()
    with keys.login(serial, pin, rw=True).session as handle:
        return import_certificates(handle, data, str(path))


def key_for_file(entries: Sequence[CertEntry], path: Path) -> str | None:
    """The inserted key the file's certificate belongs to (same key pair), if any."""
    try:
        return key_for_certificates(entries, path.read_bytes())
    except (OSError, ValueError):
        return None


def recover(keys: KeyService, serial: str, pin: bytearray) -> tuple[int, int]:
    """Finish or roll back the unfinished renewals on ``serial``: (completed, rolled back)."""
    with keys.login(serial, pin, rw=True).session as handle:
        done = install.recover(handle)
    completed = sum(isinstance(d, InstallResult) for d in done)
    return completed, len(done) - completed
