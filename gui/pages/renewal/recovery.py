"""At start-up: finish or roll back renewals an interruption left half done (helper.renewal.install.recover).

For each inserted key with an unfinished renewal the PIN is asked once (the install writes to the key);
the outcome is explained with RENEW_RECOVERED and ``on_done`` lets the certificate list re-read the key.
Keys that are not inserted are dealt with on a later start (or with ``cahelper renew recover``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.pages.renewal import work


def pending_keys(app: AppContext) -> list[str]:
    """Serials of inserted keys with an interrupted renewal, or a key pair that waited too long for the CA."""
    present = {t.serial for t in app.present}
    return [s for s in dict.fromkeys(j.token_serial for j in app.renewals.needs_recovery()) if s in present]


def offer_recovery(app: AppContext, on_done: Callable[[], None] = lambda: None) -> list[QWidget]:
    """Open a PIN dialog per key that needs recovery; returns the dialogs (empty when nothing is pending)."""
    from gui.dialogs.pin_entry import PinEntryDialog

    dialogs: list[QWidget] = []
    for serial in pending_keys(app):
        label = app.token(serial).label
        dialog = PinEntryDialog(app, serial, QCoreApplication.translate(
            "Recovery", "Finish the interrupted certificate installation"), title=QCoreApplication.translate(
            "Recovery", "Interrupted renewal"), parent=app.dialog_parent)

        def start(pin: bytearray, serial: str = serial, label: str = label) -> None:
            job = app.jobs.run(work.recover, app.renewals, serial, pin, description="renewal recovery")
            job.finished.connect(lambda counts: _report(app, label, serial, counts, on_done))

        dialog.pin_entered.connect(start)
        dialog.open()
        dialogs.append(dialog)
    return dialogs


def _report(app: AppContext, label: str, serial: str, counts: tuple[int, int], on_done: Callable[[], None]) -> None:
    completed, rolled_back = counts
    if completed or rolled_back:
        app.show_info("RENEW_RECOVERED", token=f"{label} ({serial})", completed=completed, rolled_back=rolled_back)
    on_done()
