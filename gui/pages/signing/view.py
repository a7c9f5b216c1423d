"""The 电子签章 page: a 签章 view (files, preview, seal placement, batch with one PIN) and a 验证 view."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.context import AppContext
from gui.pages.signing import parts
from gui.pages.signing.preview import PagePreview, render_page
from gui.widgets.page_header import page_header

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
    """Files on the left, the page preview in the middle, the options and the 签章 button on the right."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.seal_png: bytes | None = None
        self.files: list[Path] = []
        self.signed: dict[Path, Path] = {}
        self.centre_mm: tuple[float, float] | None = None
        self.relay = _Relay(self)
        self.relay.result.connect(self._show_result)
        self.setAcceptDrops(True)
        self.setStyleSheet(parts.LIST_STYLE)

        splitter = QSplitter()
        splitter.setHandleWidth(12)
        splitter.setChildrenCollapsible(False)
        for box in (self._files_card(), self._preview_card(), self._options_card()):
            splitter.addWidget(box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 480, 240])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(splitter)
        app.tokens_changed.connect(lambda _change: self._refresh_keys())
        self._refresh_keys()
        self._show_page(None)
        self._update_buttons()

    # --- building -------------------------------------------------------------------------------
    def _files_card(self) -> QWidget:
        box, layout = parts.card()
        box.setMinimumWidth(176)
        head = QHBoxLayout()
        head.addWidget(parts.section(self.tr("Files to sign")), 1)
        clear = QPushButton(self.tr("Clear"))
        clear.setStyleSheet("padding: 3px 10px;")
        clear.clicked.connect(self.clear)
        head.addWidget(clear)
        layout.addLayout(head)
        layout.addWidget(parts.note(self.tr("Drop PDF files or folders here")))
        self.list = QTreeWidget()
        self.list.setHeaderLabels([self.tr("File"), self.tr("Status")])
        self.list.setRootIsDecorated(False)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.list.setColumnWidth(1, 88)
        self.list.currentItemChanged.connect(lambda *_: self._preview_current())
        layout.addWidget(self.list, 1)
        buttons = []
        for text, slot in ((self.tr("Add files…"), self._choose_files), (self.tr("Add folder…"), self._choose_folder)):
            button = QPushButton(text)
            button.setStyleSheet("padding: 6px 8px;")
            button.clicked.connect(slot)
            buttons.append(button)
        layout.addWidget(parts.ButtonRow(buttons))
        return box

    def _preview_card(self) -> QWidget:
        box, layout = parts.card((12, 10, 12, 12))
        box.setMinimumWidth(190)
        self.page_nav = QWidget()
        nav = QHBoxLayout(self.page_nav)
        nav.setContentsMargins(0, 0, 0, 4)
        nav.setSpacing(6)
        nav.addWidget(QLabel(self.tr("Page")))
        self.prev_page = QPushButton("‹")
        self.page = QSpinBox()
        self.page.setMinimum(1)
        self.page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page.setStyleSheet(parts.PAGE_BOX_STYLE)
        self.page.setFixedWidth(48)
        self.page.valueChanged.connect(lambda _: self._preview_current())
        self.page_count = QLabel("/ 1")
        self.page_count.setProperty("data", True)
        self.next_page = QPushButton("›")
        for button, step in ((self.prev_page, -1), (self.next_page, 1)):
            button.setFixedWidth(32)
            button.setStyleSheet("padding: 4px 0; font-size: 15px;")
            button.clicked.connect(lambda _=False, s=step: self.page.stepBy(s))
        for widget in (self.prev_page, self.page, self.page_count, self.next_page):
            nav.addWidget(widget)
        nav.addStretch(1)
        layout.addWidget(self.page_nav)
        self.preview = PagePreview()
        self.preview.moved.connect(lambda x, y: self._set_pos(x, y))
        add = QPushButton(self.tr("Add files…"))
        add.setProperty("primary", True)
        add.clicked.connect(self._choose_files)
        self.empty = parts.EmptyState("pdf-drop", self.tr("Drop PDF files here, or click “Add files”"),
                                      self.tr("Add several files or a whole folder: you type the PIN only once."),
                                      add)
        self.no_preview = parts.EmptyState("pdf-drop", self.tr("This file cannot be shown"),
                                           self.tr("It stays in the list: signing explains what is wrong with it."))
        self.preview_stack = QStackedWidget()
        for widget in (self.empty, self.preview, self.no_preview):
            self.preview_stack.addWidget(widget)
        layout.addWidget(self.preview_stack, 1)
        self.pos_row = QWidget()
        pos = QHBoxLayout(self.pos_row)
        pos.setContentsMargins(2, 0, 2, 0)
        pos.addStretch(1)
        self.pos_label = QLabel()
        self.pos_label.setProperty("data", True)
        self.pos_label.setProperty("muted", True)
        self.pos_label.setStyleSheet(parts.NOTE_STYLE)
        pos.addWidget(self.pos_label)
        layout.addWidget(self.pos_row)
        return box

    def _options_card(self) -> QWidget:
        box, layout = parts.card((0, 6, 0, 14))
        box.setMinimumWidth(224)
        box.setMaximumWidth(340)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setStyleSheet(parts.SCROLL_STYLE)
        body = QWidget()
        options = QVBoxLayout(body)
        options.setContentsMargins(16, 4, 16, 4)
        options.setSpacing(6)
        self._key_section(options)
        self._seal_section(options)
        self._place_section(options)
        self._output_section(options)
        options.addStretch(1)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        layout.addLayout(self._actions())
        return box

    def _key_section(self, options: QVBoxLayout) -> None:
        options.addWidget(parts.section(self.tr("Signing certificate")))
        self.key_choice = QComboBox()
        self.key_choice.setProperty("data", True)
        self.key_choice.setPlaceholderText(self.tr("Please insert your USB key"))
        self.key_choice.setMinimumContentsLength(10)
        self.key_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        options.addWidget(self.key_choice)
        self.key_choice.currentIndexChanged.connect(self._load_key_seals)

    def _seal_section(self, options: QVBoxLayout) -> None:
        options.addSpacing(8)
        options.addWidget(parts.section(self.tr("Seal")))
        self.seal_choice = QComboBox()
        self.seal_choice.setMinimumContentsLength(10)
        self.seal_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.seal_choice.addItem(self.tr("Text stamp only (no seal image)"), None)
        self.seal_choice.currentIndexChanged.connect(self._seal_changed)
        options.addWidget(self.seal_choice)
        row = QHBoxLayout()
        seal_file = QPushButton(self.tr("Seal image…"))
        seal_file.clicked.connect(self._choose_seal)
        row.addWidget(seal_file, 1)
        self.size = QDoubleSpinBox()
        self.size.setRange(10, 80)
        self.size.setDecimals(0)
        self.size.setValue(42)
        self.size.setSuffix(" mm")
        self.size.setToolTip(self.tr("Seal size"))
        self.size.valueChanged.connect(self._size_changed)
        row.addWidget(self.size)
        options.addLayout(row)

    def _place_section(self, options: QVBoxLayout) -> None:
        options.addSpacing(8)
        options.addWidget(parts.section(self.tr("Position")))
        row = QHBoxLayout()
        self.anchor = QLineEdit(DEFAULT_ANCHOR)
        self.anchor.setProperty("data", True)
        self.anchor.setToolTip(self.tr("Place on the text"))
        row.addWidget(self.anchor, 1)
        snap = QPushButton(self.tr("Snap to text"))
        snap.clicked.connect(self.snap_to_anchor)
        row.addWidget(snap)
        options.addLayout(row)
        options.addWidget(parts.note(self.tr("Puts the seal on this text, or drag the seal on the preview.")))
        self.cross_page = QCheckBox(self.tr("Cross-page seal"))
        self.cross_page.toggled.connect(self._cross_changed)
        self.invisible = QCheckBox(self.tr("Invisible signature"))
        self.invisible.toggled.connect(self._invisible_changed)
        explained = ((self.cross_page, self.tr("Split across the right edge of every page: the pages "
                                               "belong together.")),
                     (self.invisible, self.tr("The file is signed, but no seal is shown on the page.")))
        for box, text in explained:
            box.setToolTip(text)
            options.addSpacing(4)
            options.addWidget(box)
            explanation = parts.note(text)
            explanation.setContentsMargins(22, 0, 0, 0)
            options.addWidget(explanation)

    def _output_section(self, options: QVBoxLayout) -> None:
        options.addSpacing(8)
        options.addWidget(parts.section(self.tr("Save to folder")))
        self.out_dir = QLineEdit()
        self.out_dir.setPlaceholderText(self.tr("Save next to the original files"))
        self.out_dir.setToolTip(self.tr("Signed copies are named “name-signed.pdf”; the originals stay unchanged."))
        options.addWidget(self.out_dir)

    def _actions(self) -> QVBoxLayout:
        actions = QVBoxLayout()
        actions.setContentsMargins(16, 8, 16, 0)
        actions.setSpacing(8)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setVisible(False)
        actions.addWidget(self.summary)
        self.open_file = QPushButton(self.tr("Open signed file"))
        self.open_file.clicked.connect(self._open_signed)
        self.open_folder = QPushButton(self.tr("Open folder"))
        self.open_folder.clicked.connect(self._open_folder)
        self.results = QWidget()
        row = QHBoxLayout(self.results)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for button in (self.open_file, self.open_folder):
            button.setStyleSheet("padding: 6px 6px;")
            row.addWidget(button)
        actions.addWidget(self.results)
        self.sign_button = QPushButton(self.tr("Sign"))
        self.sign_button.setProperty("primary", True)
        self.sign_button.setStyleSheet(parts.BIG_BUTTON_STYLE)
        self.sign_button.clicked.connect(self.start_signing)
        actions.addWidget(self.sign_button)
        return actions

    def _refresh_keys(self) -> None:
        current = self.key_choice.currentData()
        self.key_choice.clear()
        for token in self.app.present:
            self.key_choice.addItem(f"{token.label} ({token.serial})", token.serial)
        self.key_choice.setCurrentIndex(max(self.key_choice.findData(current), 0))  # else the first key

    def _load_key_seals(self) -> None:
        """Offer the seals stored on the chosen key (read without the PIN) in the seal list."""
        from helper import seal_store

        serial = self.key_choice.currentData()
        if not serial:
            self._show_key_seals(serial, [])
            return
        job = self.app.jobs.run(seal_store.seals_on_key, self.app.tokens, serial, owner=self, description="seals on the key")
        job.finished.connect(lambda seals: self._show_key_seals(serial, seals))
        job.failed.connect(lambda _exc: None)  # a key without readable seals: files and text stamps still work

    def _show_key_seals(self, serial: str | None, seals) -> None:
        if serial != self.key_choice.currentData():
            return  # the clerk chose another key meanwhile
        for i in reversed(range(self.seal_choice.count())):
            data = self.seal_choice.itemData(i)
            if data and data[0] == "token":
                self.seal_choice.removeItem(i)
        for n, seal in enumerate(seals, 1):
            self.seal_choice.insertItem(n, self.tr("Seal on the key: %1").replace("%1", seal.name),
                                        ("token", seal.name, seal.png))
        if seals and self.seal_choice.currentIndex() == 0:
            self.seal_choice.setCurrentIndex(1)  # the key's own seal first, as the CLI does

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
        self._show_page(None)
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
            self.page_count.setText(f"/ {pages}")
            image, width, height = render_page(data, self.page.value() - 1)
        except Exception:  # noqa: BLE001 - a file that cannot be previewed is still listed (signing will explain)
            log.info("no preview for %s", path.name)
            self._show_page(None)
            return
        self._show_page(image, width, height)
        if self.centre_mm is None:  # lower right, like the engine's default
            self._set_pos(width / 72 * 25.4 - 41, 46)

    def _show_page(self, image: QImage | None, width: float = 0, height: float = 0) -> None:
        """The page, or the empty state (no files yet) or the no-preview note (a file that cannot be shown)."""
        self.preview.show_page(image, width, height)
        shown = self.preview if image is not None else self.no_preview if self.files else self.empty
        self.preview_stack.setCurrentWidget(shown)
        self._update_page_nav()

    def _update_page_nav(self) -> None:
        showing = self.preview_stack.currentWidget() is self.preview
        self.page_nav.setVisible(showing)
        self.pos_row.setVisible(showing and self.preview.visible_seal)
        self.prev_page.setEnabled(self.page.value() > self.page.minimum())
        self.next_page.setEnabled(self.page.value() < self.page.maximum())

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
        if choice and choice[0] == "file":
            self.seal_png = Path(choice[1]).read_bytes()
        elif choice and choice[0] == "token":
            self.seal_png = choice[2]
        else:
            self.seal_png = None
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
        self._update_page_nav()

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
        job = self.app.jobs.run(service.identity, serial, owner=self, description=self.tr("Reading certificates"))
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
                                owner=self, description=self.tr("Signing"))
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
            repaired = result.signed.repaired
            row.setText(1, self.tr("Signed (repaired)") if repaired else self.tr("Signed"))
            row.setForeground(1, Qt.GlobalColor.darkGreen)
            note = "\n" + self.tr("The file was damaged; it was rebuilt, then signed.") if repaired else ""
            row.setToolTip(1, str(result.item.output) + note)
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
        self.summary.setVisible(True)
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
        self.results.setVisible(bool(self.signed))

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
    """Open or drop a signed PDF: the verdict in colour and every e-seal's details."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setAcceptDrops(True)
        self.setStyleSheet(parts.LIST_STYLE)
        box, layout = parts.card((18, 14, 18, 16))
        self.stack = QStackedWidget()
        self.stack.addWidget(parts.EmptyState(
            "pdf-verify", self.tr("Drop a signed PDF here, or click “Open PDF to verify”"),
            self.tr("Every e-seal is checked, and whether the file was changed after signing."),
            self._open_button(primary=True)))
        self.stack.addWidget(self._report_view())
        layout.addWidget(self.stack, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(box)

    def _open_button(self, primary: bool = False) -> QPushButton:
        button = QPushButton(self.tr("Open PDF to verify…"))
        button.setProperty("primary", primary)
        button.clicked.connect(self._choose)
        return button

    def _report_view(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        row = QHBoxLayout()
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-size: 16px; font-weight: bold;")
        row.addWidget(self.verdict, 1)
        row.addWidget(self._open_button(), 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)
        self.details = QTextBrowser()
        self.details.setProperty("data", True)
        layout.addWidget(self.details, 1)
        return view

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

        job = self.app.jobs.run(verify_pdf, path, owner=self, description=self.tr("Verifying"))
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
        self.stack.setCurrentIndex(1)


class SigningPage(QWidget):
    """The page header with a 签章 | 验证 switch, and the two views below it (``tabs``)."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sign_tab = SignTab(app)
        self.verify_tab = VerifyTab(app)
        self.tabs = QStackedWidget()
        self.tabs.addWidget(self.sign_tab)
        self.tabs.addWidget(self.verify_tab)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 26, 32, 20)
        outer.setSpacing(14)
        outer.addLayout(self._header())
        outer.addWidget(self.tabs, 1)

    def _header(self) -> QHBoxLayout:
        return page_header(self.tr("E-signing"), self.tr("Put your unit's e-seal on PDF files, or check a signed PDF"),
                           self._switch())

    def _switch(self) -> QWidget:
        """Two segments, 签章 and 验证, kept in step with ``tabs``."""
        switch = QFrame()
        switch.setObjectName("Segments")
        switch.setStyleSheet(parts.SEGMENT_STYLE)
        row = QHBoxLayout(switch)
        row.setContentsMargins(3, 3, 3, 3)
        row.setSpacing(2)
        group = QButtonGroup(switch)
        for index, text in enumerate((self.tr("Sign"), self.tr("Verify"))):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setChecked(index == 0)
            group.addButton(button, index)
            row.addWidget(button)
        group.idClicked.connect(self.tabs.setCurrentIndex)
        self.tabs.currentChanged.connect(lambda index: group.button(index).setChecked(True))
        return switch
