"""The days-left badge text of a certificate, with English counts ("1 day", "2 days")."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def days_text(state: str, days: int) -> str:
    """What the badge says for ``state`` (helper.renewal.monitor.expiry_state) with ``days`` left."""
    if state == "expired":
        return QCoreApplication.translate("Expiry", "Expired")
    if state == "not_yet_valid":
        return QCoreApplication.translate("Expiry", "Not yet valid")
    if state == "expiring":
        if days == 1:
            return QCoreApplication.translate("Expiry", "Expires in 1 day")
        return QCoreApplication.translate("Expiry", "Expires in %1 days").replace("%1", str(days))
    if days == 1:
        return QCoreApplication.translate("Expiry", "1 day left")
    return QCoreApplication.translate("Expiry", "%1 days left").replace("%1", str(days))
