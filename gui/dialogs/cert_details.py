"""查看证书: every field of a certificate, its chain up to the root, fingerprints, export."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.context import AppContext
from gui.dialogs.base import TokenDialog
from gui.widgets import export, screen_fit
from helper import certdetails, certs, messages, settings
from helper.keys import CertEntry


class CertDetailsDialog(TokenDialog):
    """Details of one certificate entry; ``pool`` adds certificates (e.g. the key's others) for the chain."""

    def __init__(self, app: AppContext, entry: CertEntry, pool: tuple[bytes, ...] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(app, entry.token.serial, parent)
        assert entry.info is not None
        self.entry = entry
        info = entry.info
        self.setWindowTitle(self.tr("Certificate details"))
        self.setMinimumSize(screen_fit.bounded(QSize(520, 380), self))
        self.resize(screen_fit.bounded(QSize(660, 600), self))
        header = QLabel(f"<span style='font-size:17px; font-weight:bold'>{info.unit}</span><br>"
                        f"<span style='color:#6B7280'>{info.subject_cn}</span>")
        header.setProperty("data", True)
        self.layout_.addWidget(header)
        self.tabs = QTabWidget()
        general = QScrollArea()
        general.setWidgetResizable(True)
        general.setWidget(self._general(info))
        self.tabs.addTab(general, self.tr("General"))
        self.tabs.addTab(self._chain(info, pool), self.tr("Certification path"))
        self.layout_.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton(self.tr("Export certificate…"))
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.export)
        buttons.rejected.connect(self.reject)
        self.layout_.addWidget(buttons)

    def _general(self, info: certs.CertInfo) -> QWidget:
        """Every field with its name in the interface language (helper.certdetails names them for both faces)."""
        page = QWidget()
        form = QFormLayout(page)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for row in certdetails.rows(info, messages.language(), has_private_key=self.entry.has_key):
            label = QLabel(row.value)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setProperty("data", True)
            form.addRow(row.label, label)
        return page

    def _chain(self, info: certs.CertInfo, pool: tuple[bytes, ...]) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        everything = (*pool, *certs.bundled_ca_certs(), *certs.user_ca_certs(settings.user_ca_dir()))
        chain = certs.build_chain(info.der, everything)
        self.chain_list = QListWidget()
        self.chain_list.setProperty("data", True)
        for depth, der in enumerate(reversed(chain)):
            parsed = certs.parse(der)
            self.chain_list.addItem("    " * depth + f"{parsed.subject_cn or parsed.unit}  ({parsed.sha256[:16]})")
        layout.addWidget(self.chain_list)
        complete = certs.chain_complete(chain)
        note = QLabel(self.tr("The chain reaches a trusted root certificate.") if complete else
                      self.tr("The issuing CA certificate is not on this computer, so the chain is incomplete. "
                              "Diagnostics can install your CA's certificates."))
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {'#15803D' if complete else '#B45309'};")
        layout.addWidget(note)
        self.chain = chain
        return page

    def export(self) -> None:
        try:
            export.ask_and_export(self.entry.info, self)
        except Exception as exc:  # noqa: BLE001 - every failure is explained to the clerk
            self.app.show_error(exc, self)

