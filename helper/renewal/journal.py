"""The renewal journal: one fsynced JSON file per unfinished renewal, so an interruption can be finished.

Files live in ``settings.data_dir()/renewal/journal/<id>.json``; each step is written to a temp file,
fsynced, renamed over the old one and the folder fsynced, so after a crash the file holds either the
previous or the next step, never half of one. A finished renewal is appended to ``history.jsonl``
(one JSON object per line) and its journal file removed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from helper import settings

# keygen: a new key pair may exist (CKA_ID recorded first); prepared: the new certificate is known.
Step = Literal["keygen", "prepared", "written", "verified", "old_removed", "relabelled"]
STEPS: tuple[Step, ...] = ("keygen", "prepared", "written", "verified", "old_removed", "relabelled")
Outcome = Literal["completed", "rolled_back"]


def renewal_dir() -> Path:
    return settings.data_dir() / "renewal"


def _journal_dir() -> Path:
    return renewal_dir() / "journal"


def history_path() -> Path:
    return renewal_dir() / "history.jsonl"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@dataclass(frozen=True)
class Journal:
    """What one renewal intends to do on one key, and how far it got."""

    id: str
    token_serial: str
    token_label: str
    kind: str  # cmp-kur, cmp-new-key, import, web
    step: Step
    cka_id: str = ""  # hex CKA_ID of the key pair the new certificate belongs to
    new_der: str = ""  # base64 DER of the new certificate
    old_ders: tuple[str, ...] = ()  # base64 DER of the certificates it replaces on the key
    final_label: str = ""
    generated_cka_id: str = ""  # hex CKA_ID of a key pair generated for this renewal
    created: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)

    @property
    def path(self) -> Path:
        return _journal_dir() / f"{self.id}.json"

    @property
    def new_certificate(self) -> bytes:
        return base64.b64decode(self.new_der)

    @property
    def old_certificates(self) -> list[bytes]:
        return [base64.b64decode(d) for d in self.old_ders]

    @classmethod
    def begin(cls, token_serial: str, token_label: str, kind: str, step: Step, **fields: Any) -> Journal:
        """Create and persist a journal before anything is changed on the key."""
        journal = cls(uuid.uuid4().hex, token_serial, token_label, kind, step, **fields)
        journal._save()
        return journal

    def advance(self, step: Step, **fields: Any) -> Journal:
        """Persist the next step (and any fields it adds); returns the updated journal."""
        journal = replace(self, step=step, updated=_now(), **fields)
        journal._save()
        return journal

    def finish(self, outcome: Outcome, **details: Any) -> None:
        """Append the outcome to the renewal history, then remove the journal file."""
        entry = {"id": self.id, "token_serial": self.token_serial, "token_label": self.token_label,
                 "kind": self.kind, "outcome": outcome, "started": self.created, "finished": _now(), **details}
        history_path().parent.mkdir(parents=True, exist_ok=True)
        with open(history_path(), "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        _fsync_dir(self.path.parent)

    def _save(self) -> None:
        data = asdict(self)
        data["old_ders"] = list(self.old_ders)
        write_durably(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def encode(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")


def pending(token_serial: str | None = None) -> list[Journal]:
    """Unfinished renewals (all, or those of one key), oldest first."""
    folder = _journal_dir()
    if not folder.is_dir():
        return []
    out = []
    for path in folder.glob("*.json"):
        raw = json.loads(path.read_text("utf-8"))
        raw["old_ders"] = tuple(raw.get("old_ders", ()))
        journal = Journal(**raw)
        if token_serial is None or journal.token_serial == token_serial:
            out.append(journal)
    return sorted(out, key=lambda j: j.created)


def history() -> list[dict[str, Any]]:
    """Finished renewals, newest first (a torn last line from a crash is skipped)."""
    path = history_path()
    if not path.exists():
        return []
    out = []
    for line in path.read_text("utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            out.append(json.loads(line))
    return out[::-1]


def save_old_certificate(der: bytes) -> Path:
    """Keep a replaced certificate outside the key (history), named by its SHA-256."""
    import hashlib

    path = renewal_dir() / "history" / f"{hashlib.sha256(der).hexdigest()}.cer"
    if not path.exists():
        write_durably(path, der)
    return path
