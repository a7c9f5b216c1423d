"""Daily, non-nagging expiry reminders in the tray: each threshold of settings.expiry_reminder_days once,
as decided (and remembered) by helper.renewal.monitor."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gui.context import AppContext


def remind_daily(app: AppContext, title: str) -> None:
    """Once a day, a tray notification per certificate that reached a threshold of
    settings.expiry_reminder_days (each threshold once; expired once more), from helper.renewal.monitor."""
    from helper import messages
    from helper.renewal import monitor

    job = app.jobs.run(monitor.daily_reminders, app.keys, description="expiry reminders")
    job.finished.connect(lambda due: [app.notify(title, r.text(messages.language())) for r in due])
