"""Daily, non-nagging expiry reminder: at most one notification per day, remembered in the data dir."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from helper import settings
from helper.fileio import atomic_write_bytes
from helper.keys import CertEntry

if TYPE_CHECKING:
    from gui.context import AppContext

STATE_FILE = "gui-state.json"


def _state() -> dict:
    path = settings.data_dir() / STATE_FILE
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def expiring(entries: list[CertEntry], warn_days: int) -> list[CertEntry]:
    """Certificates that expire within ``warn_days`` (or already did)."""
    return [e for e in entries if e.info is not None and e.info.days_left() <= warn_days]


def due(today: date | None = None) -> bool:
    """True when no expiry notification was given today."""
    return _state().get("expiry_notified") != (today or date.today()).isoformat()


def mark_done(today: date | None = None) -> None:
    state = _state()
    state["expiry_notified"] = (today or date.today()).isoformat()
    atomic_write_bytes(settings.data_dir() / STATE_FILE, json.dumps(state).encode(), overwrite=True)


def remind_daily(app: AppContext, title: str) -> None:
    """Once a day, a tray notification per certificate that reached a threshold of
    settings.expiry_reminder_days (each threshold once; expired once more), from helper.renewal.monitor."""
    from helper import messages
    from helper.renewal import monitor

    job = app.jobs.run(monitor.daily_reminders, app.keys, description="expiry reminders")
    job.finished.connect(lambda due: [app.notify(title, r.text(messages.language())) for r in due])
