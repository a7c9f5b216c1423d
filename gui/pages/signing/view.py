"""The 电子签章 page: a 签章 tab (files, preview, seal placement, batch with one PIN) and a 验证 tab."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.context import AppContext
from gui.pages.signing.preview import PagePreview, render_page

log = logging.getLogger(__name__)
DEFAULT_ANCHOR = "盖章"


def _pdfs(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(c for c in p.iterdir() if c.suffix.lower() == ".pdf")
        elif p.suffix.lower() == ".pdf":
            out.append(p)
    return out


class _Relay(QObject):
    """Carries per-file batch results from the job thread to the GUI thread."""

    result = Signal(object)


class SignTab(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.seal_png: bytes | None = None
        self.files: list[Path] = []
        self.signed: dict[Path, Path] = {}
        self.relay = _Relay(self)
        self.relay.result.connect(self._show_result)
        self.setAcceptDrops(True)

        self.list = QTreeWidget()
        self.list.setHeaderLabels([self.tr("File"), self.tr("Status")])
        self.list.setColumnWidth(0, 160)
        self.list.setRootIsDecorated(False)
        self.list.currentItemChanged.connect(lambda *_: self._preview_current())
        add = QPushButton(self.tr("Add files…"))
        add.clicked.connect(self._choose_files)
        add_dir = QPushButton(self.tr("Add folder…"))
        add_dir.clicked.connect(self._choose_folder)
        clear = QPushButton(self.tr("Clear"))
        clear.clicked.connect(self.clear)
        hint = QLabel(self.tr("Drop PDF files or folders here"))
        hint.setProperty("muted", True)
        left = QVBoxLayout()
        left.addWidget(hint)
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        for b in (add, add_dir, clear):
            row.addWidget(b)
        left.addLayout(row)

        self.preview = PagePreview()
        self.preview.moved.connect(lambda x, y: self._set_pos(x, y))
        self.page = QSpinBox()
        self.page.setMinimum(1)
        self.page.valueChanged.connect(lambda _: self._preview_current())
        self.pos_label = QLabel()
        self.pos_label.setProperty("data", True)
        page_row = QHBoxLayout()
        page_row.addWidget(QLabel(self.tr("Page")))
        page_row.addWidget(self.page)
        page_row.addWidget(self.pos_label, 1)
        centre = QVBoxLayout()
        centre.addLayout(page_row)
        centre.addWidget(self.preview, 1)

        self.key_choice = QComboBox()
        self.key_choice.setProperty("data", True)
        app.tokens_changed.connect(lambda _change: self._refresh_keys())
        self.seal_choice = QComboBox()
        self.seal_choice.addItem(self.tr("Text stamp only (no seal image)"), None)
        self.seal_choice.currentIndexChanged.connect(self._seal_changed)
        seal_file = QPushButton(self.tr("Seal image…"))
        seal_file.clicked.connect(self._choose_seal)
        self.size = QDoubleSpinBox()
        self.size.setRange(10, 80)
        self.size.setValue(42)
        self.size.setSuffix(" mm")
        self.size.valueChanged.connect(self._size_changed)
        self.anchor = QLineEdit(DEFAULT_ANCHOR)
        self.anchor.setProperty("data", True)
        snap = QPushButton(self.tr("Snap to text"))
        snap.clicked.connect(self.snap_to_anchor)
        self.cross_page = QCheckBox(self.tr("Cross-page seal"))
        self.cross_page.toggled.connect(self._cross_changed)
        self.invisible = QCheckBox(self.tr("Invisible signature"))
        self.invisible.toggled.connect(self._invisible_changed)
        self.out_dir = QLineEdit()
        self.out_dir.setPlaceholderText(self.tr("Save next to the original files"))
        self.sign_button = QPushButton(self.tr("Sign"))
        self.sign_button.setProperty("primary", True)
        self.sign_button.clicked.connect(self.start_signing)
        self.open_file = QPushButton(self.tr("Open signed file"))
        self.open_file.clicked.connect(self._open_signed)
        self.open_folder = QPushButton(self.tr("Open folder"))
        self.open_folder.clicked.connect(self._open_folder)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("USB key")))
        right.addWidget(self.key_choice)
        right.addWidget(QLabel(self.tr("Seal")))
        right.addWidget(self.seal_choice)
        right.addWidget(seal_file)
        right.addWidget(QLabel(self.tr("Seal size")))
        right.addWidget(self.size)
        right.addWidget(QLabel(self.tr("Place on the text")))
        right.addWidget(self.anchor)
        right.addWidget(snap)
        right.addWidget(self.cross_page)
        right.addWidget(self.invisible)
        right.addWidget(QLabel(self.tr("Save to folder")))
        right.addWidget(self.out_dir)
        right.addStretch(1)
        right.addWidget(self.summary)
        right.addWidget(self.sign_button)
        right.addWidget(self.open_file)
        right.addWidget(self.open_folder)

        splitter = QSplitter()
        for layout in (left, centre, right):
            box = QWidget()
            box.setLayout(layout)
            splitter.addWidget(box)
        splitter.setSizes([300, 420, 230])
        outer = QVBoxLayout(self)
        outer.addWidget(splitter)
        self.centre_mm: tuple[float, float] | None = None
        self._refresh_keys()
        self._update_buttons()

    def _refresh_keys(self) -> None:
        current = self.key_choice.currentData()
        self.key_choice.clear()
        for token in self.app.present:
            self.key_choice.addItem(f"{token.label} ({token.serial})", token.serial)
        index = self.key_choice.findData(current)
        if index >= 0:
            self.key_choice.setCurrentIndex(index)

    # --- files -------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        self.add_files([Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()])

    def _choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, self.tr("Add files…"), "", "PDF (*.pdf)")
        self.add_files([Path(n) for n in names])

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add folder…"))
        if folder:
            self.add_files([Path(folder)])

    def add_files(self, paths: list[Path]) -> None:
        for path in _pdfs(paths):
            if path in self.files:
                continue
            self.files.append(path)
            item = QTreeWidgetItem([path.name, self.tr("Waiting")])
            item.setData(0, Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(0, str(path))
            self.list.addTopLevelItem(item)
        if self.list.currentItem() is None and self.list.topLevelItemCount():
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self._update_buttons()

    def clear(self) -> None:
        self.files.clear()
        self.signed.clear()
        self.list.clear()
        self.preview.show_page(None)
        self._update_buttons()

    def current_file(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(0, Qt.ItemDataRole.UserRole)) if item else None

    def _preview_current(self) -> None:
        path = self.current_file()
        if path is None:
            return
        try:
            import pypdfium2 as pdfium

            data = path.read_bytes()
            doc = pdfium.PdfDocument(data)
            pages = len(doc)
            doc.close()
            self.page.blockSignals(True)
            self.page.setMaximum(pages)
            self.page.blockSignals(False)
            image, width, height = render_page(data, self.page.value() - 1)
        except Exception:  # noqa: BLE001 - a file that cannot be previewed is still listed (signing will explain)
            log.info("no preview for %s", path.name)
            self.preview.show_page(None)
            return
        self.preview.show_page(image, width, height)
        if self.centre_mm is None:  # lower right, like the engine's default
            self._set_pos(width / 72 * 25.4 - 41, 46)

    def _set_pos(self, x_mm: float, y_mm: float) -> None:
        self.centre_mm = (x_mm, y_mm)
        self.preview.place(x_mm, y_mm)
        self.pos_label.setText(f"X {x_mm:.1f} mm, Y {y_mm:.1f} mm")

    # --- seal ----------------------------------------------------------------------------------
    def _choose_seal(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Seal image…"), "", "PNG (*.png)")
        if name:
            self.use_seal_file(Path(name))

    def use_seal_file(self, path: Path) -> None:
        self.seal_choice.addItem(path.name, ("file", str(path)))
        self.seal_choice.setCurrentIndex(self.seal_choice.count() - 1)

    def _seal_changed(self) -> None:
        choice = self.seal_choice.currentData()
        self.seal_png = Path(choice[1]).read_bytes() if choice and choice[0] == "file" else None
        self.preview.set_seal(self.seal_png)

    def _size_changed(self, value: float) -> None:
        self.preview.size_mm = value
        self.preview.update()

    def _cross_changed(self, on: bool) -> None:
        self.preview.cross_page = on
        self.preview.update()

    def _invisible_changed(self, on: bool) -> None:
        self.preview.visible_seal = not on
        self.preview.update()

    def snap_to_anchor(self) -> None:
        """Centre the seal on the anchor text of the current file (the same search the engine does)."""
        from helper.signing.appearance import find_anchor
        from helper.signing.pdfinput import read_pdf

        path = self.current_file()
        if path is None:
            return
        try:
            source = read_pdf(path, max_mb=self.app.settings.max_pdf_mb)
            page_ix, (x1, y1, x2, y2) = find_anchor(source, self.anchor.text())
        except Exception as exc:  # noqa: BLE001 - shown in the shared message dialog
            self.app.show_error(exc)
            return
        self.page.setValue(page_ix + 1)
        self._preview_current()
        self._set_pos(round((x1 + x2) / 2 / 72 * 25.4, 1), round((y1 + y2) / 2 / 72 * 25.4, 1))

    # --- signing ------------------------------------------------------------------------------
    def options(self):
        from helper.signing.options import Placement, SignOptions

        x, y = self.centre_mm or (None, None)
        placement = Placement(mode="invisible" if self.invisible.isChecked() else "coords", page=self.page.value(),
                              x_mm=x, y_mm=y, size_mm=self.size.value(), cross_page=self.cross_page.isChecked())
        conf = self.app.settings
        return SignOptions(level="B-T" if conf.tsa_url else "B-B", tsa_url=conf.tsa_url, placement=placement)

    def items(self):
        from helper.signing.batch import BatchItem, output_for

        out = Path(self.out_dir.text()) if self.out_dir.text().strip() else None
        pending = [p for p in self.files if p not in self.signed]
        return [BatchItem(p, output_for(p, out, True)) for p in pending]

    def start_signing(self) -> None:
        items = self.items()
        if not items:
            return
        try:
            options = self.options()
        except Exception as exc:  # noqa: BLE001
            self.app.show_error(exc)
            return
        from helper.signing.service import SigningService

        service = SigningService(self.app.keys)
        serial = self.key_choice.currentData()
        self.sign_button.setEnabled(False)
        job = self.app.jobs.run(service.identity, serial, description=self.tr("Reading certificates"))
        job.finished.connect(lambda identity: self._ask_pin_and_sign(service, identity, items, options))
        job.failed.connect(self._failed)

    def _ask_pin_and_sign(self, service, identity, items, options) -> None:
        from helper.signing.service import SealChoice

        requester = self.tr("E-seal %n file(s)", "", len(items))
        pin = self.app.ask_pin(identity.token.serial, requester, parent=self)
        if pin is None:
            self._update_buttons()
            return
        for item in items:
            self._row(item.source).setText(1, self.tr("Signing…"))
        sign = functools.partial(service.sign, on_result=self.relay.result.emit)
        job = self.app.jobs.run(sign, identity, pin, items, options, SealChoice(png=self.seal_png),
                                description=self.tr("Signing"))
        job.finished.connect(lambda outcome: self._done(outcome, identity.token.serial))
        job.failed.connect(self._failed)

    def _row(self, path: Path) -> QTreeWidgetItem:
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == str(path):
                return item
        raise KeyError(path)

    def _show_result(self, result) -> None:
        row = self._row(result.item.source)
        if result.status == "signed":
            self.signed[result.item.source] = result.item.output
            row.setText(1, self.tr("Signed"))
            row.setForeground(1, Qt.GlobalColor.darkGreen)
            row.setToolTip(1, str(result.item.output))
        elif result.status == "refused":
            message = result.error.message()
            row.setText(1, self.tr("Not signed: %1").replace("%1", message.title))
            row.setToolTip(1, message.as_text())
            row.setForeground(1, Qt.GlobalColor.red)
        else:
            row.setText(1, self.tr("Not processed"))

    def _done(self, outcome, serial: str) -> None:
        report = outcome.report
        for result in report.results:
            if result.status == "not_processed":
                self._show_result(result)
        if outcome.default_pin:
            self.app.default_pin_serials.add(serial)
            self.app.default_pin_detected.emit(serial)
        colour = theme.OK if report.ok else theme.BAD
        text = self.tr("Signed: %1, not signed: %2").replace("%1", str(report.count("signed"))).replace(
            "%2", str(report.count("refused") + report.count("not_processed")))
        self.summary.setText(f"<span style='color:{colour}'>{text}</span>")
        if report.stopped is not None:
            self.app.show_error(report.stopped.error)
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self._update_buttons()
        self.app.show_error(exc)

    def _update_buttons(self) -> None:
        pending = len([p for p in self.files if p not in self.signed])
        self.sign_button.setText(self.tr("Sign %n file(s)", "", pending) if pending else self.tr("Sign"))
        self.sign_button.setEnabled(bool(pending))
        self.open_file.setEnabled(bool(self.signed))
        self.open_folder.setEnabled(bool(self.signed))

    def _open_signed(self) -> None:
        path = self.current_file()
        target = self.signed.get(path) if path else None
        target = target or next(iter(self.signed.values()), None)
        if target is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def _open_folder(self) -> None:
        target = next(iter(self.signed.values()), None)
        if target is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target.parent)))


class VerifyTab(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setAcceptDrops(True)
        open_button = QPushButton(self.tr("Open PDF to verify…"))
        open_button.clicked.connect(self._choose)
        hint = QLabel(self.tr("Or drop a signed PDF here"))
        hint.setProperty("muted", True)
        self.verdict = QLabel()
        self.verdict.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.details = QTextBrowser()
        self.details.setProperty("data", True)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(open_button)
        row.addWidget(hint, 1)
        layout.addLayout(row)
        layout.addWidget(self.verdict)
        layout.addWidget(self.details, 1)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.verify(Path(urls[0].toLocalFile()))

    def _choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Open PDF to verify…"), "", "PDF (*.pdf)")
        if name:
            self.verify(Path(name))

    def verify(self, path: Path):
        from helper.signing.verify import verify_pdf

        job = self.app.jobs.run(verify_pdf, path, description=self.tr("Verifying"))
        job.finished.connect(self.show_report)
        return job

    def show_report(self, report) -> None:
        if not report.signatures:
            colour, text = theme.BAD, self.tr("This PDF has no e-seal")
        elif report.ok:
            colour, text = theme.OK, self.tr("All e-seals are valid: the document is unchanged since signing")
        else:
            colour, text = theme.BAD, self.tr("Verification failed")
        self.verdict.setText(f"<span style='color:{colour}'>{text}</span>")
        lines = [f"<p><b>{report.path.name}</b></p>"]
        yes, no = self.tr("yes"), self.tr("no")
        labels = (self.tr("Unit"), self.tr("Signer"), self.tr("Signing time"), self.tr("Timestamp"),
                  self.tr("Content unchanged"), self.tr("Certificate trusted"))
        for n, s in enumerate(report.signatures, 1):
            mark = f"<span style='color:{theme.OK if s.ok else theme.BAD}'>{'✓' if s.ok else '✗'}</span>"
            when = s.signing_time.astimezone().strftime("%Y-%m-%d %H:%M:%S") if s.signing_time else "-"
            ts = s.timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S") if s.timestamp else "-"
            values = (s.unit, s.holder, when, ts, yes if s.intact and s.valid else no, yes if s.trusted else no)
            title = self.tr("E-seal %1").replace("%1", str(n))
            rows = "<br>".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True))
            lines.append(f"<p>{mark} <b>{title}</b> ({s.level})<br>{rows}</p>")
        if report.modified_after_last:
            lines.append(f"<p style='color:{theme.BAD}'>"
                         + self.tr("The document was changed after the last e-seal.") + "</p>")
        self.details.setHtml("".join(lines))


class SigningPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.sign_tab = SignTab(app)
        self.verify_tab = VerifyTab(app)
        self.tabs.addTab(self.sign_tab, self.tr("Sign"))
        self.tabs.addTab(self.verify_tab, self.tr("Verify"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
