"""What the renewal page runs on worker threads (through app.jobs): reading the overview, choosing the key for
a file. Renewing, importing and recovering are the RenewalService's (app.renewals); nothing here touches Qt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helper.keys import CertEntry
from helper.renewal import monitor
from helper.renewal.cas import CaEntry, ca_for
from helper.renewal.service import RenewalService
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


def overview(renewals: RenewalService) -> Overview:
    """Certificates with a private key on the inserted keys (soonest expiry first) and the renewal history."""
    found = renewals.keys.certificates()  # every inserted key is read once
    entries = {e.id: e for e in found if e.info is not None and e.has_key}
    rows = tuple(Row(i, entries[i.cert_id], ca_for(entries[i.cert_id].info))
                 for i in renewals.overview(found) if i.cert_id in entries)
    return Overview(rows, tuple(renewals.history()))


def import_file(renewals: RenewalService, serial: str, pin: bytearray, path: Path):
    """导入证书文件 into the key ``serial``."""
    return renewals.import_file(serial, pin, path.read_bytes(), str(path))


def key_for_file(entries: Sequence[CertEntry], path: Path) -> str | None:
    """The inserted key the file's certificate belongs to (same key pair), if any."""
    try:
        return key_for_certificates(entries, path.read_bytes())
    except (OSError, ValueError):
        return None


def recover(renewals: RenewalService, serial: str, pin: bytearray) -> tuple[int, int]:
    """At start-up: finish or roll back what needs it on ``serial`` (key pairs waiting for the CA only once
    they are stale): (completed, rolled back)."""
    from helper.renewal.install import InstallResult

    done = renewals.recover(serial, pin, all_waiting=False)
    completed = sum(isinstance(d, InstallResult) for d in done)
    return completed, len(done) - completed
