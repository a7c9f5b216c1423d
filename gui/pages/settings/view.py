"""The settings page. Language changes apply after a restart (the page says so)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui import autostart
from gui.context import AppContext
from helper import settings
from helper.messages import HelperError
from helper.tokens import check_module

LATER_REMINDERS = (30, 7)  # after the first reminder, these come too (those under it)


def reminder_days(first: int) -> tuple[int, ...]:
    """The reminder thresholds for "remind me N days before expiry": N, then 30 and 7 days where below N.
    They decide both when the tray reminds and from when every page colours a certificate as expiring."""
    return (first, *(d for d in LATER_REMINDERS if d < first))


class SettingsPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 26, 32, 20)
        title = QLabel(self.tr("Settings"))
        title.setObjectName("PageTitle")
        outer.addWidget(title)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 6, 8, 6)
        layout.setSpacing(14)
        layout.addWidget(self._general())
        layout.addWidget(self._driver())
        layout.addWidget(self._support())
        layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

    # --- general ------------------------------------------------------------------------------
    def _general(self) -> QGroupBox:
        box = QGroupBox(self.tr("General"))
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.language = QComboBox()
        self.language.addItem("简体中文", "zh")
        self.language.addItem("English", "en")
        self.language.setProperty("data", True)
        self.language.setCurrentIndex(max(0, self.language.findData(self.app.settings.language)))
        self.language.currentIndexChanged.connect(self._language_changed)
        self.language_note = QLabel(self.tr("The new language is used after the helper is restarted."))
        self.language_note.setProperty("muted", True)
        self.language_note.setVisible(False)
        lang = QVBoxLayout()
        lang.addWidget(self.language)
        lang.addWidget(self.language_note)
        form.addRow(self.tr("Language"), lang)
        self.autostart = QCheckBox(self.tr("Start the helper when I log in"))
        self.autostart.setChecked(autostart.is_enabled())
        self.autostart.toggled.connect(self._autostart_changed)
        form.addRow(self.tr("Start-up"), self.autostart)
        self.warn_days = QSpinBox()
        self.warn_days.setRange(1, 365)
        self.warn_days.setValue(max(self.app.settings.expiry_reminder_days, default=30))
        self.warn_days.setSuffix(self.tr(" days"))
        self.warn_days.valueChanged.connect(
            lambda v: self.app.update_settings(expiry_reminder_days=reminder_days(v)))
        form.addRow(self.tr("Remind me before expiry"), self.warn_days)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        for widget in (self.language, self.warn_days):
            widget.setMinimumWidth(220)
        logs = QPushButton(self.tr("Open log folder"))
        logs.clicked.connect(self.open_logs)
        form.addRow(self.tr("Logs"), logs)
        return box

    def _language_changed(self) -> None:
        self.app.update_settings(language=self.language.currentData())
        self.language_note.setVisible(True)

    def _autostart_changed(self, enabled: bool) -> None:
        try:
            autostart.set_enabled(enabled)
        except HelperError as exc:
            self.autostart.blockSignals(True)
            self.autostart.setChecked(not enabled)
            self.autostart.blockSignals(False)
            self.app.show_error(exc, self)
            return
        self.app.update_settings(autostart=enabled)

    def open_logs(self) -> None:
        folder = settings.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.app.show_error(HelperError("GUI_FOLDER_UNAVAILABLE", path=str(folder)), self)

    # --- driver -------------------------------------------------------------------------------
    def _driver(self) -> QGroupBox:
        box = QGroupBox(self.tr("USB key driver"))
        layout = QVBoxLayout(box)
        note = QLabel(self.tr("Usually nothing is needed here: the helper finds the drivers of common keys by "
                              "itself. If your key is not shown, choose the PKCS#11 driver file your CA provided."))
        note.setWordWrap(True)
        note.setProperty("muted", True)
        layout.addWidget(note)
        row = QHBoxLayout()
        self.module_path = QLineEdit(", ".join(self.app.settings.module_paths))
        self.module_path.setPlaceholderText(self.tr("Path of the driver file (.dll / .so)"))
        row.addWidget(self.module_path, 1)
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        row.addWidget(browse)
        self.save_module = QPushButton(self.tr("Save"))
        self.save_module.setProperty("primary", True)
        self.save_module.clicked.connect(self.apply_module_path)
        row.addWidget(self.save_module)
        layout.addLayout(row)
        self.module_status = QLabel()
        self.module_status.setWordWrap(True)
        layout.addWidget(self.module_status)
        return box

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose the driver file"), "",
                                              self.tr("PKCS#11 driver (*.dll *.so *.dylib);;All files (*)"))
        if path:
            self.module_path.setText(path)
            self.apply_module_path()

    def apply_module_path(self) -> bool:
        """Validate and save the extra driver path (empty clears it); explain a bad file."""
        path = self.module_path.text().strip()
        if path:
            try:
                check_module(path)
            except Exception as exc:  # noqa: BLE001 - every failure is explained to the clerk
                self.module_status.setText("")
                self.app.show_error(exc, self)
                return False
        self.app.update_settings(module_paths=(path,) if path else ())
        self.module_status.setText(self.tr("Saved. The driver is used after the helper is restarted.")
                                   if path else self.tr("No extra driver is used."))
        self.module_status.setStyleSheet("color: #15803D;")
        return True

    # --- support ------------------------------------------------------------------------------
    def _support(self) -> QGroupBox:
        box = QGroupBox(self.tr("Support"))
        layout = QVBoxLayout(box)
        intro = QLabel(self.tr("If something does not work, first run Diagnostics. Then contact:"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        contacts = self.app.settings.support_contacts
        for contact in contacts or (self.tr("Your CA's hotline is printed on the key's envelope or on the "
                                            "certificate receipt."),):
            label = QLabel(contact)
            label.setWordWrap(True)
            label.setProperty("data", bool(contacts))
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
        return box
