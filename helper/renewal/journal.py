"""The renewal journal: one JSON file per unfinished renewal, so an interruption can be finished or undone.

A ``JournalStore`` owns one folder (injected; the default is ``settings.data_dir()/renewal``):
``journal/<id>.json`` for unfinished renewals, ``history.jsonl`` for finished ones (one JSON object per
line) and ``history/<sha256>.cer`` for certificates taken off a key. Every write goes through
``helper.fileio`` (temp file, fsync, rename, folder fsync), so after a crash a journal file holds either the
previous or the next step, never half of one.

Steps of one renewal:
  keygen       a key pair is being generated for it (its CKA_ID recorded first)
  awaiting     the generated key pair exists and its request went to the CA's website: the certificate is
               awaited (at most one such key pair per certificate; see ``helper.renewal.pending_keys``)
  prepared ... relabelled   the installation steps of ``helper.renewal.install``
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from helper import fileio, settings

Step = Literal["keygen", "awaiting", "prepared", "written", "verified", "old_removed", "relabelled"]
STEPS: tuple[Step, ...] = ("keygen", "awaiting", "prepared", "written", "verified", "old_removed", "relabelled")
INSTALL_STEPS: tuple[Step, ...] = STEPS[2:]
Outcome = Literal["completed", "rolled_back", "cancelled"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def encode(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")


class JournalStore:
    """The renewal folder: unfinished renewals, the history, and replaced certificates."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @classmethod
    def default(cls) -> JournalStore:
        return cls(settings.data_dir() / "renewal")

    @property
    def journal_dir(self) -> Path:
        return self.folder / "journal"

    @property
    def history_path(self) -> Path:
        return self.folder / "history.jsonl"

    def begin(self, token_serial: str, token_label: str, kind: str, step: Step, **values: Any) -> Journal:
        """Create and persist a journal before anything is changed on the key."""
        journal = Journal(uuid.uuid4().hex, token_serial, token_label, kind, step, store=self, **values)
        journal._save()
        return journal

    def pending(self, token_serial: str | None = None) -> list[Journal]:
        """Unfinished renewals (all, or those of one key), oldest first."""
        if not self.journal_dir.is_dir():
            return []
        names = {f.name for f in fields(Journal)} - {"store"}
        out = []
        for path in self.journal_dir.glob("*.json"):
            raw = json.loads(path.read_text("utf-8"))
            raw["old_ders"] = tuple(raw.get("old_ders", ()))
            journal = Journal(**{k: v for k, v in raw.items() if k in names}, store=self)
            if token_serial is None or journal.token_serial == token_serial:
                out.append(journal)
        return sorted(out, key=lambda j: j.created)

    def history(self) -> list[dict[str, Any]]:
        """Finished renewals, newest first (a torn last line from a crash is skipped)."""
        if not self.history_path.exists():
            return []
        out = []
        for line in self.history_path.read_text("utf-8").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                out.append(json.loads(line))
        return out[::-1]

    def save_old_certificate(self, der: bytes) -> Path:
        """Keep a replaced certificate outside the key (history), named by its SHA-256."""
        path = self.folder / "history" / f"{hashlib.sha256(der).hexdigest()}.cer"
        if not path.exists():
            fileio.replace_durably(path, der)
        return path


@dataclass(frozen=True)
class Journal:
    """What one renewal intends to do on one key, and how far it got."""

    id: str
    token_serial: str
    token_label: str
    kind: str  # cmp-kur, cmp-new-key, import, web
    step: Step
    target_der: str = ""  # base64 DER of the certificate this renewal is for
    cka_id: str = ""  # hex CKA_ID of the key pair the new certificate belongs to
    new_der: str = ""  # base64 DER of the new certificate
    old_ders: tuple[str, ...] = ()  # base64 DER of the certificates it replaces on the key
    final_label: str = ""
    generated_cka_id: str = ""  # hex CKA_ID of a key pair generated for this renewal
    generated_type: str = ""  # its kind (rsa, ec)
    generated_spki: str = ""  # base64 DER of its public key (checked without a PIN before any dialog)
    created: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)
    store: JournalStore = field(kw_only=True, compare=False, repr=False)

    @property
    def path(self) -> Path:
        return self.store.journal_dir / f"{self.id}.json"

    @property
    def target(self) -> bytes:
        return base64.b64decode(self.target_der)

    @property
    def generated_public_key(self) -> bytes | None:
        return base64.b64decode(self.generated_spki) if self.generated_spki else None

    @property
    def new_certificate(self) -> bytes:
        return base64.b64decode(self.new_der)

    @property
    def old_certificates(self) -> list[bytes]:
        return [base64.b64decode(d) for d in self.old_ders]

    @property
    def installing(self) -> bool:
        """The installation started: recovery finishes it."""
        return self.step in INSTALL_STEPS

    def age(self, now: datetime | None = None) -> timedelta:
        return (now or datetime.now(UTC)) - datetime.fromisoformat(self.created)

    def advance(self, step: Step, **values: Any) -> Journal:
        """Persist the next step (and any fields it adds); returns the updated journal."""
        journal = replace(self, step=step, updated=_now(), **values)
        journal._save()
        return journal

    def finish(self, outcome: Outcome, **details: Any) -> None:
        """Append the outcome to the renewal history, then remove the journal file."""
        entry = {"id": self.id, "token_serial": self.token_serial, "token_label": self.token_label,
                 "kind": self.kind, "outcome": outcome, "started": self.created, "finished": _now(), **details}
        fileio.append_durably(self.store.history_path, json.dumps(entry, ensure_ascii=False))
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        fileio.fsync_dir(self.path.parent)

    def _save(self) -> None:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "store"}
        data["old_ders"] = list(self.old_ders)
        fileio.replace_durably(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
