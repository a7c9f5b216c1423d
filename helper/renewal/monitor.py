"""Expiry monitoring: which certificates on the inserted keys need renewal, and which reminders are due.

Reminder thresholds come from ``settings.expiry_reminder_days`` (default 90 / 30 / 7 days). Each
threshold is shown once per certificate; an expired certificate gets one more reminder. What was
shown is remembered in ``data_dir/renewal/reminders.json``.

Each certificate is its own item with its own reminders, also the signing and the encryption certificate of
one key. A certificate is *superseded* (no reminders, no 一键延期) only by a certificate on the same key for
the same purpose, unit, unit code and holder that starts later and ends later — in the first place the one
this helper installed for it (the renewal history names which certificate renewed which).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from helper import certs, fileio, settings
from helper.keys import CertEntry, KeyService
from helper.renewal.trust import purpose_of

State = Literal["valid", "expiring", "expired", "not_yet_valid"]
STATE_ZH = {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "not_yet_valid": "尚未生效"}
EXPIRED = 0  # the reminder "threshold" of an expired certificate
CHECK_INTERVAL = timedelta(days=1)
_DAILY = threading.Lock()


def expiry_state(info: certs.CertInfo, now: datetime | None = None,
                 thresholds: Sequence[int] | None = None) -> State:
    """The state every face shows: expiring within the largest reminder threshold, expired, ..."""
    days = thresholds if thresholds is not None else settings.load().expiry_reminder_days
    return info.status(now, warn_days=max(days, default=0))


@dataclass(frozen=True)
class ExpiryItem:
    """One certificate on an inserted key, as the monitor sees it."""

    token_serial: str
    token_label: str
    cert_id: str
    unit: str
    holder: str
    issuer: str
    not_after: datetime
    days_left: int
    state: State
    superseded: bool
    is_signing: bool


def check(keys: KeyService, now: datetime | None = None, thresholds: Sequence[int] | None = None,
          history: Iterable[dict[str, Any]] = ()) -> list[ExpiryItem]:
    """Every readable certificate with a private key on every inserted key, soonest expiry first.

    ``history``: the finished renewals (``JournalStore.history()``), which say which certificate renewed which.
    """
    return items(keys.certificates(), now, thresholds, history)


def items(entries: Iterable[CertEntry], now: datetime | None = None, thresholds: Sequence[int] | None = None,
          history: Iterable[dict[str, Any]] = ()) -> list[ExpiryItem]:
    """``check`` for certificates already read (readable ones with a private key), soonest expiry first."""
    now = now or datetime.now(UTC)
    entries = [e for e in entries if e.info is not None and e.has_key]
    renewed_by = {h.get("renewed", ""): h.get("certificate", "") for h in history
                  if h.get("outcome") == "completed" and h.get("renewed")}
    return sorted((_item(e, entries, renewed_by, now, thresholds) for e in entries), key=lambda i: i.not_after)


def due(found: Iterable[ExpiryItem]) -> list[ExpiryItem]:
    """The certificates to renew now: inside the reminder window or expired, and not superseded."""
    return [i for i in found if i.state in ("expiring", "expired") and not i.superseded]


def supersedes(new: certs.CertInfo, old: certs.CertInfo) -> bool:
    """``new`` takes over from ``old``: same purpose, key algorithm, unit, unit code and holder, starts later and
    ends later (an RSA and an SM2 certificate side by side are two items, as are signing and encryption)."""
    return (new.sha256 != old.sha256 and purpose_of(new) == purpose_of(old) and new.unit == old.unit
            and new.key_algorithm == old.key_algorithm
            and new.unit_code == old.unit_code and new.subject_cn == old.subject_cn
            and new.not_before > old.not_before and new.not_after > old.not_after)


def _item(entry: CertEntry, siblings: Iterable[CertEntry], renewed_by: dict[str, str], now: datetime,
          thresholds) -> ExpiryItem:
    info = entry.info
    assert info is not None
    same_key = [s.info for s in siblings if s.token.serial == entry.token.serial and s.info is not None]
    successor = renewed_by.get(info.sha256)
    superseded = any(s.sha256 == successor for s in same_key) or any(supersedes(s, info) for s in same_key)
    return ExpiryItem(entry.token.serial, entry.token.label, info.id, info.unit, info.subject_cn, info.issuer_cn,
                      info.not_after, info.days_left(now), expiry_state(info, now, thresholds), superseded,
                      info.is_signing)


@dataclass(frozen=True)
class Reminder:
    item: ExpiryItem
    threshold: int  # the reminder threshold reached (days); EXPIRED for an expired certificate

    def text(self, lang: str = "zh") -> str:
        i = self.item
        if self.threshold == EXPIRED:
            return (f"“{i.unit}”的证书（{i.holder}）已于 {i.not_after:%Y-%m-%d} 过期，请尽快办理证书延期。" if lang == "zh"
                    else f"The certificate of {i.unit} ({i.holder}) expired on {i.not_after:%Y-%m-%d}. Please renew it.")
        return (f"“{i.unit}”的证书（{i.holder}）还有 {i.days_left} 天到期（{i.not_after:%Y-%m-%d}），请及时办理证书延期。"
                if lang == "zh" else
                f"The certificate of {i.unit} ({i.holder}) expires in {i.days_left} days ({i.not_after:%Y-%m-%d}).")


class ReminderStore:
    """Which reminders were shown (per certificate fingerprint id) and when the last check ran."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings.data_dir() / "renewal" / "reminders.json"

    def _load(self) -> dict:
        try:
            return json.loads(self.path.read_text("utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {"shown": {}, "last_check": ""}

    def check_due(self, now: datetime | None = None) -> bool:
        """True when the daily check has not run in the last day."""
        last = self._load().get("last_check")
        now = now or datetime.now(UTC)
        return not last or now - datetime.fromisoformat(last) >= CHECK_INTERVAL

    def due(self, items: Iterable[ExpiryItem], thresholds: Sequence[int] | None = None) -> list[Reminder]:
        """Reminders not shown yet: the smallest threshold each certificate has reached (or expiry)."""
        days = sorted(thresholds if thresholds is not None else settings.load().expiry_reminder_days)
        shown = self._load()["shown"]
        out = []
        for item in items:
            if item.superseded or item.state == "not_yet_valid":
                continue
            reached = EXPIRED if item.state == "expired" else next((d for d in days if item.days_left <= d), None)
            if reached is not None and reached not in shown.get(item.cert_id, []):
                out.append(Reminder(item, reached))
        return out

    def mark_shown(self, reminders: Iterable[Reminder], now: datetime | None = None) -> None:
        """Remember these reminders (and every larger threshold they imply) and the check time."""
        data = self._load()
        for r in reminders:
            larger = [d for d in settings.load().expiry_reminder_days if d >= r.threshold]
            data["shown"][r.item.cert_id] = sorted(set(data["shown"].get(r.item.cert_id, [])) | {r.threshold, *larger})
        data["last_check"] = (now or datetime.now(UTC)).isoformat(timespec="seconds")
        fileio.replace_durably(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def daily_reminders(keys: KeyService, store: ReminderStore | None = None, now: datetime | None = None,
                    history: Iterable[dict[str, Any]] = ()) -> list[Reminder]:
    """For the tray: when the daily check is due, the reminders to show now (marked as shown). Checks asked for
    at the same time (every key card of the window asks after reading its key) show each reminder once."""
    store = store or ReminderStore()
    with _DAILY:
        if not store.check_due(now):
            return []
        reminders = store.due(check(keys, now, history=history))
        store.mark_shown(reminders, now)
    return reminders
