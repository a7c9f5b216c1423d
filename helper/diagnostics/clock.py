"""The system clock: not before the keys' certificates were issued, not before this release, not years ahead.

No network time here: the evidence is the newest certificate start date on the keys and the release date.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helper.diagnostics.facts import Facts
from helper.diagnostics.model import CheckResult, Status, result

RELEASE_DATE = datetime(2026, 11, 1, tzinfo=UTC)  # this version's release; update when releasing
MAX_AHEAD = timedelta(days=10 * 365)  # a clock this far past the release is surely wrong
SLACK = timedelta(minutes=10)


def check_clock(f: Facts) -> CheckResult:
    now = f.env.now()
    shown = f"{now.astimezone():%Y-%m-%d %H:%M}"
    try:
        starts = [e.info.not_before for e in f.certificates() if e.info is not None and not e.info.is_ca]
    except Exception:  # noqa: BLE001 - without keys the release date is the only evidence
        starts = []
    newest = max(starts, default=None)
    if newest is not None and now < newest - SLACK:
        return result("clock", Status.ERROR, "DIAG_CLOCK_BEFORE_CERT", [f"newest certificate start: {newest:%Y-%m-%d %H:%M} UTC"],
                      now=shown, date=f"{newest.astimezone():%Y-%m-%d %H:%M}")
    if now < RELEASE_DATE - timedelta(days=1):
        return result("clock", Status.ERROR, "DIAG_CLOCK_BEHIND", now=shown, date=f"{RELEASE_DATE:%Y-%m-%d}")
    if now > RELEASE_DATE + MAX_AHEAD:
        return result("clock", Status.WARNING, "DIAG_CLOCK_AHEAD", now=shown)
    return result("clock", Status.OK, "DIAG_CLOCK_OK", now=shown)
