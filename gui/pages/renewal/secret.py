"""The CA's reference number and one-time authorisation code for MAC-protected online renewal."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


class CaSecretDialog(QDialog):
    """Asks for the reference and the one-time code the CA gave (the code is kept only in the keyring)."""

    def __init__(self, ca_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Authorisation from the CA"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("%1 protects online renewal with a reference number and a one-time "
                               "authorisation code. Type both as the CA gave them to you.").replace("%1", ca_name))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.reference = QLineEdit()
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Reference number"), self.reference)
        form.addRow(self.tr("Authorisation code"), self.secret)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons

    def values(self) -> tuple[str, bytes]:
        """(reference, code); the code field is cleared."""
        code = self.secret.text().encode("utf-8")
        self.secret.clear()
        return self.reference.text().strip(), code
