"""The card at the top of 证书延期 that says where a renewal stands: installing (named steps), 完成, failed, or
handed to the CA's website with what to do there (seed 004: fill in the form, pay, come back and install)."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui import theme
from gui.pages.renewal.steps import StepsBar
from gui.widgets.labels import data_label

State = Literal["hidden", "installing", "done", "failed", "site"]


class ProgressCard(QFrame):
    """Title, the steps bar (while installing), a few lines of text, and 查看我的证书 when done."""

    show_certificates = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.state: State = "hidden"
        self.what = ""  # the unit being renewed
        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 14)
        self.title = data_label(QLabel())
        self.title.setObjectName("CardTitle")
        self.title.setWordWrap(True)
        box.addWidget(self.title)
        self.steps = StepsBar()
        box.addWidget(self.steps)
        row = QHBoxLayout()
        self.text = data_label(QLabel())  # mixes the unit's name from the key with the page's own words
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        self.button = QPushButton(self.tr("Show my certificates"))
        self.button.clicked.connect(self.show_certificates)
        row.addWidget(self.button)
        box.addLayout(row)
        self.setVisible(False)

    def installing(self, what: str) -> None:
        self.what = what
        self._set("installing", self.tr("Renewing: %1").replace("%1", what), "")
        self.steps.show_step(0)

    def done(self, unit: str, not_after: str) -> None:
        self.steps.finish()
        self._set("done", self.tr("Done: the certificate of %1 is renewed").replace("%1", unit),
                  self.tr("The new certificate is on the USB key, valid until %1. Websites and e-seals use it "
                          "from now on.").replace("%1", not_after))
        self.title.setStyleSheet(f"color: {theme.OK};")

    def failed(self) -> None:
        self.steps.show_step(max(self.steps.current, 0), failed=True)
        self._set("failed", self.tr("Not renewed: %1").replace("%1", self.what),
                  self.tr("Nothing on the USB key was changed. The message explains what to do."))

    def site(self, ca_name: str) -> None:
        lines = [self.tr("1. Fill in the renewal form on the website."),
                 self.tr("2. Pay the certificate service fee there."),
                 self.tr("3. Then click \"Install renewed certificate\" on the website: this window asks you to "
                         "confirm and to type the PIN. The new certificate then appears here.")]
        self._set("site", self.tr("The renewal website of %1 is open in your browser").replace("%1", ca_name),
                  "<br>".join(lines))

    def _set(self, state: State, title: str, text: str) -> None:
        self.state = state
        self.title.setText(title)
        self.title.setStyleSheet("")
        self.text.setText(text)
        self.text.setVisible(bool(text))
        self.steps.setVisible(state in ("installing", "done", "failed"))
        self.button.setVisible(state == "done")
        self.setVisible(True)
