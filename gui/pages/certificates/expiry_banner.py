"""The in-window reminder on 我的证书: a certificate inside the reminder window ("19 天后到期 → 去延期")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from gui.widgets.banner import Banner

if TYPE_CHECKING:
    from helper.renewal.monitor import ExpiryItem


class ExpiryBanner(Banner):
    """The soonest certificate to renew (expiring or expired, not superseded); its button starts the renewal."""

    renew_requested = Signal(str)  # certificate id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cert_id = ""
        self.button.setText(self.tr("Renew now →"))
        self.button.clicked.connect(lambda: self.renew_requested.emit(self.cert_id))

    def show_items(self, due: list[ExpiryItem]) -> None:
        """Show the first of ``due`` (soonest first), or hide when nothing is due."""
        if not due:
            self.cert_id = ""
            self.setVisible(False)
            return
        item = due[0]
        self.cert_id = item.cert_id
        kind = self.tr("signing certificate") if item.is_signing else self.tr("encryption certificate")
        who = (self.tr("%1 (%2, key %3)").replace("%1", item.unit).replace("%2", item.holder)
               .replace("%3", item.token_label))
        date = f"{item.not_after.astimezone():%Y-%m-%d}"
        if item.state == "expired":
            head = self.tr("The %1 of %2 expired on %3").replace("%1", kind).replace("%2", who).replace("%3", date)
        else:
            text = {0: self.tr("The %1 of %2 expires today (%4)"),
                    1: self.tr("The %1 of %2 expires in 1 day (%4)")}.get(
                item.days_left, self.tr("The %1 of %2 expires in %3 days (%4)"))
            head = (text.replace("%1", kind).replace("%2", who).replace("%3", str(item.days_left))
                    .replace("%4", date))
        rest = self.tr("Renew it before then, and it keeps working for websites and e-seals.")
        if len(due) > 1:
            rest = self.tr("Other certificates are due too: see Certificate renewal.")
        self.show_text(head, rest)
