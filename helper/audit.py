"""用印记录: an append-only, hash-chained log of every signature made, one JSON object per line.

Each entry carries ``seq``, ``prev`` (the hash of the entry before; 64 zeros for the first) and ``hash``
(SHA-256 over the entry's canonical JSON without ``hash``). Editing, deleting or reordering a line breaks
the chain at that line; a side file ``<log>.head`` holds the count and last hash, so removing lines at the
end is noticed too.

Appends hold an inter-process lock (``<log>.lock``) and read the chain head under it, so the window, the
local service and CLI runs can sign at the same time. A log written by an older version without that lock
may hold entries made at the same moment that share one ``prev`` (a fork): ``verify`` names them as such,
and ``archive`` keeps the file under a dated name so the next signature starts a new chain.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helper import settings
from helper.fileio import atomic_write_bytes, exclusive_lock
from helper.messages import HelperError

GENESIS = "0" * 64
LOG_NAME = "seal-use-log.jsonl"
CSV_FIELDS = ("seq", "time", "file", "output", "sha256_before", "sha256_after", "cert_serial", "unit", "holder",
              "page", "placement", "level", "origin", "hash")
_lock = threading.Lock()


@dataclass(frozen=True)
class SealUse:
    """One signature made: what was signed, with which certificate, where on the document, for whom."""

    file: str
    output: str
    sha256_before: str
    sha256_after: str
    cert_serial: str
    unit: str
    holder: str
    page: int | None  # 1-based; None for an invisible signature
    placement: str
    level: str
    origin: str = ""  # the website that asked for the signature, when it came through the local service


def default_path() -> Path:
    return settings.data_dir() / LOG_NAME


def _digest(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


class AuditLog:
    """The log file at ``path`` (default: the user data folder)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.head_path = self.path.with_name(self.path.name + ".head")
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def append(self, use: SealUse, now: datetime | None = None) -> dict[str, Any]:
        """Add one entry (fsync'ed before returning); returns it with its hash."""
        with _lock, exclusive_lock(self.lock_path):
            seq, prev = self._head()
            entry = {"seq": seq + 1, "time": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
                     **asdict(use), "prev": prev}
            entry["hash"] = _digest(entry)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            atomic_write_bytes(self.head_path, f"{entry['seq']} {entry['hash']}\n".encode(), overwrite=True,
                               private=True)
            return entry

    def _head(self) -> tuple[int, str]:
        """The last entry's (seq, hash), from the log itself (the head file is only a witness)."""
        last = None
        for _, entry in self._lines():
            last = entry
        return (last["seq"], last["hash"]) if last else (0, GENESIS)

    def _lines(self) -> Iterator[tuple[int, dict[str, Any]]]:
        if not self.path.exists():
            return
        with self.path.open("r", encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise HelperError("AUDIT_TAMPERED", path=str(self.path), line=n, detail="not JSON") from exc
                if not isinstance(entry, dict):
                    raise HelperError("AUDIT_TAMPERED", path=str(self.path), line=n, detail="not an entry")
                yield n, entry

    def entries(self) -> list[dict[str, Any]]:
        return [e for _, e in self._lines()]

    def verify(self) -> int:
        """Check the whole chain; returns the number of entries.

        Raises HelperError AUDIT_TAMPERED (an entry edited, removed, repeated or moved) or AUDIT_FORKED (every
        entry intact, but some were written at the same moment by an older version and follow one entry).
        """
        known: dict[str, int] = {GENESIS: 0}  # hash -> seq of every entry so far
        children: dict[str, list[int]] = {}  # prev -> lines of the entries that follow it
        count, last = 0, GENESIS
        for n, entry in self._lines():
            def fail(detail: str, n: int = n) -> HelperError:
                return HelperError("AUDIT_TAMPERED", path=str(self.path), line=n, detail=detail)

            if entry.get("hash") != _digest(entry):
                raise fail("content changed")
            prev = entry.get("prev")
            if prev not in known:
                raise fail("previous entry missing or moved")
            if entry.get("seq") != known[prev] + 1:
                raise fail("sequence broken")
            if entry["hash"] in known:
                raise fail("entry repeated")
            children.setdefault(prev, []).append(n)
            known[entry["hash"]] = entry["seq"]
            count, last = count + 1, entry["hash"]
        self._check_head(count, last, known)
        forks = sorted(n for lines in children.values() if len(lines) > 1 for n in lines)
        if forks:
            raise HelperError("AUDIT_FORKED", path=str(self.path), lines="、".join(map(str, forks)), count=count)
        return count

    def _check_head(self, count: int, last: str, known: dict[str, int]) -> None:
        """The head file names the last entry (after a fork, any entry as far along as the last one)."""
        if self.head_path.exists():
            head = self.head_path.read_text("ascii").split()
            seq_text, digest = head if len(head) == 2 else ("", "")
            seq = known.get(digest, -1)
            if seq_text != str(seq) or seq < known[last]:
                raise HelperError("AUDIT_TAMPERED", path=str(self.path), line=count + 1,
                                  detail="entries removed at the end")
        elif count:
            raise HelperError("AUDIT_TAMPERED", path=str(self.path), line=count, detail="head record missing")

    def archive(self, now: datetime | None = None) -> Path:
        """Keep the log (and its head record) under a dated name beside it; the next signature starts a
        new chain. Returns the kept copy's path. Raises HelperError AUDIT_EMPTY when there is no log."""
        with _lock, exclusive_lock(self.lock_path):
            if not self.path.exists():
                raise HelperError("AUDIT_EMPTY", path=str(self.path))
            stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
            kept = self.path.with_name(f"{self.path.stem}-{stamp}{self.path.suffix}")
            if kept.exists():
                raise HelperError("OUTPUT_EXISTS", path=str(kept))
            os.replace(self.path, kept)
            if self.head_path.exists():
                os.replace(self.head_path, kept.with_name(kept.name + ".head"))
            return kept

    def export_csv(self, out: Path, *, overwrite: bool = False) -> int:
        """Write the entries as CSV (UTF-8 with BOM so Excel shows Chinese); returns the count."""
        import io

        rows = self.entries()
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        atomic_write_bytes(out, ("\ufeff" + buf.getvalue()).encode("utf-8"), overwrite=overwrite)
        return len(rows)
