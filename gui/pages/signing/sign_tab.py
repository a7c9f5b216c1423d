"""The 签章 tab: files on the left, the page preview in the middle, certificate, seal, position, output and
the 签章 button on the right. Every blocking step runs in ``helper.signing.desk`` jobs off the GUI thread."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.context import AppContext
from gui.pages.signing import parts
from gui.pages.signing.preview import PagePreview
from helper.signing import desk

DEFAULT_ANCHOR = "盖章"
PATH_ROLE = Qt.ItemDataRole.UserRole


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
    """The files, the preview and the options; ``sign_button`` signs the files not yet signed."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.seal_png: bytes | None = None
        self.files: list[Path] = []
        self.results: dict[Path, object] = {}  # the latest FileResult of each file
        self.signed: dict[Path, Path] = {}
        self.mode = "default"  # where the seal goes: "default" (the engine's), "anchor" or "coords" (dragged)
        self.centre_mm: tuple[float, float] | None = None
        self.chosen_page = 0
        self._preview_request = 0
        self.relay = _Relay(self)
        self.relay.result.connect(self._show_result)
        self.setAcceptDrops(True)
        self.setStyleSheet(parts.LIST_STYLE)

        splitter = QSplitter()
        splitter.setHandleWidth(10)
        splitter.setChildrenCollapsible(False)
        for box in (self._files_card(), self._preview_card(), self._options_card()):
            splitter.addWidget(box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 420, 270])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(splitter)
        app.tokens_changed.connect(lambda _change: self._refresh_certificates())
        app.certificates_changed.connect(lambda _serial: self._refresh_certificates())
        self._refresh_certificates()
        self._show_page(None)
        self._update_buttons()

    # --- building -------------------------------------------------------------------------------
    def _files_card(self) -> QWidget:
        box, layout = parts.card()
        box.setMinimumWidth(200)
        head = QHBoxLayout()
        head.addWidget(parts.section(self.tr("Files to sign")), 1)
        clear = QPushButton(self.tr("Clear"))
        clear.setStyleSheet("padding: 3px 10px;")
        clear.clicked.connect(self.clear)
        head.addWidget(clear)
        layout.addLayout(head)
        self.drop_hint = parts.note(self.tr("Drop PDF files or folders here"))
        layout.addWidget(self.drop_hint)
        self.list = QTreeWidget()
        self.list.setHeaderLabels([self.tr("File"), self.tr("Status")])
        self.list.setRootIsDecorated(False)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.list.currentItemChanged.connect(lambda *_: self._current_changed())
        layout.addWidget(self.list, 3)
        self.detail = QLabel()
        self.detail.setObjectName("FileDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setStyleSheet(parts.NOTE_STYLE)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # always there: a scroll bar that appears after the text was wrapped would cover its right edge
        detail_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        detail_scroll.setStyleSheet(parts.SCROLL_STYLE)
        detail_scroll.setWidget(self.detail)
        detail_scroll.setMinimumHeight(60)
        layout.addWidget(detail_scroll, 2)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setVisible(False)
        layout.addWidget(self.summary)
        self.open_file = QPushButton(self.tr("Open file"))
        self.open_file.setToolTip(self.tr("Open the signed copy of the chosen file"))
        self.open_file.clicked.connect(self._open_signed)
        self.open_folder = QPushButton(self.tr("Open folder"))
        self.open_folder.clicked.connect(self._open_folder)
        self.results_row = QWidget()
        results = QHBoxLayout(self.results_row)  # side by side: two short labels fit the narrowest column
        results.setContentsMargins(0, 0, 0, 0)
        results.setSpacing(6)
        for button in (self.open_file, self.open_folder):
            button.setStyleSheet("padding: 4px 4px;")
            results.addWidget(button)
        layout.addWidget(self.results_row)
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
        self.page.valueChanged.connect(lambda _: self._render_current())
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
        self.preview.moved.connect(self._dragged)
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
        self.pos_label = parts.note("")
        self.pos_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.pos_label)
        return box

    def _options_card(self) -> QWidget:
        box, layout = parts.card((0, 6, 0, 12))
        box.setMinimumWidth(230)
        box.setMaximumWidth(360)
        self.options_scroll = QScrollArea()
        self.options_scroll.setWidgetResizable(True)
        self.options_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.options_scroll.setStyleSheet(parts.SCROLL_STYLE)
        body = QWidget()
        options = QVBoxLayout(body)
        options.setContentsMargins(16, 4, 16, 4)
        options.setSpacing(6)
        self._cert_section(options)
        self._seal_section(options)
        self._place_section(options)
        self._output_section(options)
        options.addStretch(1)
        self.options_scroll.setWidget(body)
        layout.addWidget(self.options_scroll, 1)
        self.sign_button = QPushButton(self.tr("Sign"))
        self.sign_button.setObjectName("SignButton")
        self.sign_button.setProperty("primary", True)
        self.sign_button.setStyleSheet(parts.BIG_BUTTON_STYLE)
        self.sign_button.clicked.connect(self.start_signing)
        actions = QVBoxLayout()
        actions.setContentsMargins(16, 8, 16, 0)
        actions.addWidget(self.sign_button)
        layout.addLayout(actions)
        return box

    def _cert_section(self, options: QVBoxLayout) -> None:
        options.addWidget(parts.section(self.tr("Signing certificate")))
        self.cert_choice = QComboBox()
        self.cert_choice.setProperty("data", True)
        self.cert_choice.setPlaceholderText(self.tr("Please insert your USB key"))
        self.cert_choice.setMinimumContentsLength(8)
        self.cert_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        options.addWidget(self.cert_choice)
        self.cert_note = parts.note("")
        self.cert_note.setProperty("data", True)  # the certificate's own names
        options.addWidget(self.cert_note)
        self.cert_choice.currentIndexChanged.connect(self._cert_changed)

    def _seal_section(self, options: QVBoxLayout) -> None:
        options.addSpacing(8)
        options.addWidget(parts.section(self.tr("Seal")))
        self.seal_choice = QComboBox()
        self.seal_choice.setMinimumContentsLength(8)
        self.seal_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.seal_choice.addItem(self.tr("Text stamp only (no seal image)"), None)
        self.seal_choice.currentIndexChanged.connect(self._seal_changed)
        options.addWidget(self.seal_choice)
        self.seal_note = parts.note("")
        self.seal_note.setVisible(False)
        options.addWidget(self.seal_note)
        row = QHBoxLayout()
        seal_file = QPushButton(self.tr("Seal image…"))
        seal_file.clicked.connect(self._choose_seal)
        row.addWidget(seal_file, 1)
        self.size = QDoubleSpinBox()
        self.size.setRange(10, 80)
        self.size.setDecimals(0)
        self.size.setValue(42)
        self.size.setSuffix(self.tr(" mm"))
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
        options.addWidget(parts.note(self.tr("Puts the seal on this text in every file, or drag the seal on "
                                             "the preview.")))
        self.default_button = QPushButton(self.tr("Back to the lower right of the last page"))
        self.default_button.setStyleSheet("padding: 4px 8px;")
        self.default_button.clicked.connect(self.use_default_position)
        options.addWidget(self.default_button)
        self.cross_page = QCheckBox(self.tr("Cross-page seal"))
        self.cross_page.toggled.connect(self._cross_changed)
        self.invisible = QCheckBox(self.tr("Invisible signature"))
        self.invisible.toggled.connect(self._invisible_changed)
        explained = ((self.cross_page, self.tr("Split across the right edge of every page: the pages "
                                               "belong together.")),
                     (self.invisible, self.tr("The file is signed, but no seal is shown on the page.")))
        self.notes: dict[QCheckBox, QLabel] = {}
        for box, text in explained:
            box.setToolTip(text)
            options.addSpacing(4)
            options.addWidget(box)
            self.notes[box] = explanation = parts.note(text)
            explanation.setContentsMargins(22, 0, 0, 0)
            options.addWidget(explanation)

    def _output_section(self, options: QVBoxLayout) -> None:
        options.addSpacing(8)
        options.addWidget(parts.section(self.tr("Save to folder")))
        row = QHBoxLayout()
        self.out_dir = QLineEdit()
        self.out_dir.setPlaceholderText(self.tr("Next to the original files"))
        row.addWidget(self.out_dir, 1)
        self.browse_out = QPushButton(self.tr("Choose…"))
        self.browse_out.clicked.connect(self._choose_out_dir)
        row.addWidget(self.browse_out)
        options.addLayout(row)
        options.addWidget(parts.note(self.tr("Signed copies are saved as new files; the originals stay "
                                             "unchanged.")))

    # --- certificates and seals -------------------------------------------------------------------
    def _refresh_certificates(self) -> None:
        job = self.app.jobs.run(desk.signing_certificates, self.app.keys, owner=self,
                                description=self.tr("Reading certificates"))
        job.finished.connect(self._show_certificates)
        job.failed.connect(lambda _exc: self._show_certificates([]))  # no key: the placeholder says so

    def _show_certificates(self, certificates: list[desk.SigningCert]) -> None:
        current = self.cert_choice.currentData()
        self.cert_choice.blockSignals(True)
        self.cert_choice.clear()
        for cert in certificates:
            label = self.tr("%1 · %2 · until %3").replace("%1", cert.holder or cert.unit).replace(
                "%2", cert.algorithm).replace("%3", cert.not_after.astimezone().strftime("%Y-%m-%d"))
            self.cert_choice.addItem(label, cert)
            self.cert_choice.setItemData(self.cert_choice.count() - 1, self._cert_text(cert),
                                         Qt.ItemDataRole.ToolTipRole)
        same = [i for i in range(self.cert_choice.count()) if current is not None
                and self.cert_choice.itemData(i).cert_id == current.cert_id]
        self.cert_choice.setCurrentIndex(same[0] if same else 0 if certificates else -1)
        self.cert_choice.blockSignals(False)
        self._cert_changed()

    def _cert_text(self, cert: desk.SigningCert) -> str:
        return "\n".join((self.tr("Unit: %1").replace("%1", cert.unit),
                          self.tr("Holder: %1").replace("%1", cert.holder or "-"),
                          self.tr("%1 key, valid until %2").replace("%1", cert.algorithm).replace(
                              "%2", cert.not_after.astimezone().strftime("%Y-%m-%d")),
                          self.tr("On the key “%1”").replace("%1", cert.key_label)))

    def select_certificate(self, serial: str, algorithm: str | None = None) -> bool:
        """Choose the first certificate on the key ``serial`` (of ``algorithm`` when given)."""
        for i in range(self.cert_choice.count()):
            cert = self.cert_choice.itemData(i)
            if cert.serial == serial and algorithm in (None, cert.algorithm):
                self.cert_choice.setCurrentIndex(i)
                return True
        return False

    def _cert_changed(self) -> None:
        cert = self.cert_choice.currentData()
        self.cert_note.setText(self._cert_text(cert) if cert else "")
        self.cert_note.setVisible(cert is not None)
        self._load_key_seals(cert.serial if cert else None)

    def _load_key_seals(self, serial: str | None) -> None:
        """Offer the seals stored on the chosen key (read without the PIN) in the seal list."""
        from helper import seal_store

        if not serial:
            self._show_key_seals(serial, [])
            return
        job = self.app.jobs.run(seal_store.seals_on_key, self.app.tokens, serial, owner=self,
                                description=self.tr("Reading the seals on the key"))
        job.finished.connect(lambda seals: self._show_key_seals(serial, seals))
        job.failed.connect(lambda _exc: self._show_key_seals(serial, []))  # files and text stamps still work

    def _show_key_seals(self, serial: str | None, seals) -> None:
        from helper.seals import default_seal

        current = self.cert_choice.currentData()
        if serial != (current.serial if current else None):
            return  # the clerk chose another key meanwhile
        for i in reversed(range(self.seal_choice.count())):
            data = self.seal_choice.itemData(i)
            if data and data[0] == "token":
                self.seal_choice.removeItem(i)
        by_name = {seal.name: seal for seal in seals}
        default = default_seal(by_name)
        for n, name in enumerate(default.names, 1):
            self.seal_choice.insertItem(n, self.tr("Seal on the key: %1").replace("%1", name),
                                        ("token", name, by_name[name].png))
        choice = self.seal_choice.currentData()
        if choice is None or choice[0] == "token":  # no seal file chosen: the default seal rule
            self.seal_choice.setCurrentIndex(default.names.index(default.name) + 1 if default.name else 0)
        notice = default.notice() if serial else None
        self.seal_note.setText(notice.title if notice is not None else "")
        self._seal_changed()

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
        self.seal_note.setVisible(bool(self.seal_note.text()) and (choice is None or choice[0] == "token"))
        self.preview.set_seal(self.seal_png)

    # --- files ---------------------------------------------------------------------------------
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

    def _choose_out_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Save to folder"), self.out_dir.text())
        if folder:
            self.out_dir.setText(folder)

    def add_files(self, paths: list[Path]) -> None:
        for path in _pdfs(paths):
            if path in self.files:
                continue
            self.files.append(path)
            item = QTreeWidgetItem([path.name, self.tr("Waiting")])
            item.setData(0, PATH_ROLE, str(path))
            item.setToolTip(0, str(path))
            self.list.addTopLevelItem(item)
        if self.list.currentItem() is None and self.list.topLevelItemCount():
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self._update_buttons()

    def clear(self) -> None:
        self.files.clear()
        self.results.clear()
        self.signed.clear()
        self.list.clear()
        self.summary.setVisible(False)
        self._show_page(None)
        self._show_detail()
        self._update_buttons()

    def current_file(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(0, PATH_ROLE)) if item else None

    def _current_changed(self) -> None:
        self._show_detail()
        self._locate_current()

    def _show_detail(self) -> None:
        """The chosen file in full: name, folder, status and, for a refusal, what is wrong and what to do."""
        path = self.current_file()
        if path is None:
            self.detail.setText("")
            return
        lines = [f"<b>{_path_html(path.name)}</b>", _path_html(path.parent)]
        result = self.results.get(path)
        if result is not None and result.status == "signed":
            saved = self.tr("Signed, saved as %1").replace("%1", _path_html(result.item.output))
            lines.append(f"<span style='color:{theme.OK}'>{saved}</span>")
            if result.signed.repaired:
                lines.append(self.tr("The file was damaged; it was rebuilt, then signed."))
        elif result is not None and result.error is not None:
            message = result.error.message()
            refused = self.tr("Not signed: %1").replace("%1", _html(message.title))
            lines.append(f"<span style='color:{theme.BAD}'><b>{refused}</b></span>")
            lines.append(_wrappable(message.explanation))  # names the file's full path
            lines += [_wrappable(step) for step in message.remedy]
        elif result is not None:
            lines.append(self.tr("Not processed: the batch stopped before this file."))
        self.detail.setText("<br>".join(lines))

    # --- preview and position (off the GUI thread) ------------------------------------------------
    def _placement(self, for_preview: bool = False):
        from helper.signing.options import Placement

        cross = self.cross_page.isChecked() and not for_preview
        if self.invisible.isChecked() and not for_preview:
            return Placement(mode="invisible", size_mm=self.size.value(), cross_page=cross)
        if self.mode == "anchor":
            return Placement(mode="anchor", anchor=self.anchor.text(), size_mm=self.size.value(), cross_page=cross)
        if self.mode == "coords" and self.centre_mm is not None:
            return Placement(page=self.chosen_page, x_mm=self.centre_mm[0], y_mm=self.centre_mm[1],
                             size_mm=self.size.value(), cross_page=cross)
        return Placement(size_mm=self.size.value(), cross_page=cross)

    def _locate_current(self) -> None:
        """Where the seal goes in the chosen file (the engine's rule), then that page in the preview."""
        path = self.current_file()
        if path is None:
            return
        if self.mode == "coords":
            self._render_current()
            return
        job = self.app.jobs.run(functools.partial(desk.seal_spot, max_mb=self.app.settings.max_pdf_mb),
                                path, self._placement(for_preview=True), owner=self,
                                description=self.tr("Finding the seal position"))
        job.finished.connect(lambda spot: self._located(path, spot))
        job.failed.connect(lambda exc: self._not_located(path, exc))

    def _located(self, path: Path, spot: desk.SealSpot) -> None:
        if path != self.current_file():
            return
        self.centre_mm = (spot.x_mm, spot.y_mm)
        self.chosen_page = spot.page
        self.preview.place(spot.x_mm, spot.y_mm)
        self._set_page(spot.page, spot.pages)
        self._render_current()

    def _not_located(self, path: Path, exc: BaseException) -> None:
        if path != self.current_file():
            return
        if self.mode == "anchor":
            self.app.show_error(exc, parent=self)
        self.centre_mm = None
        self.preview.place(None)
        self._render_current()

    def _set_page(self, page: int, pages: int) -> None:
        self.page.blockSignals(True)
        self.page.setMaximum(max(pages, 1))
        self.page.setValue(page)
        self.page.blockSignals(False)
        self.page_count.setText(f"/ {pages}")
        self._offer_cross_page(len(self.files) > 1 or pages > 1)

    def _offer_cross_page(self, possible: bool) -> None:
        """A cross-page seal needs two pages: with one one-page file the option is off and says why."""
        if not possible:
            self.cross_page.setChecked(False)
        self.cross_page.setEnabled(possible)
        text = (self.tr("Split across the right edge of every page: the pages belong together.") if possible else
                self.tr("This file has one page: a cross-page seal needs two or more."))
        self.cross_page.setToolTip(text)
        self.notes[self.cross_page].setText(text)

    def _render_current(self) -> None:
        path = self.current_file()
        if path is None:
            return
        self._preview_request += 1
        request = self._preview_request
        job = self.app.jobs.run(functools.partial(desk.page_picture, max_mb=self.app.settings.max_pdf_mb),
                                path, self.page.value(), owner=self, description=self.tr("Showing the page"))
        job.finished.connect(lambda picture: self._rendered(request, picture))
        job.failed.connect(lambda _exc: request == self._preview_request and self._show_page(None))

    def _rendered(self, request: int, picture: desk.PagePicture) -> None:
        if request != self._preview_request:
            return  # another file or page was chosen meanwhile
        self._set_page(picture.page, picture.pages)
        shows_seal = picture.page == self.chosen_page
        self.preview.visible_seal = shows_seal and not self.invisible.isChecked()
        self._show_page(QImage.fromData(picture.png, "PNG"), picture.width_pt, picture.height_pt)
        self._describe_position()

    def _show_page(self, image: QImage | None, width: float = 0, height: float = 0) -> None:
        """The page, or the empty state (no files yet) or the no-preview note (a file that cannot be shown)."""
        self.preview.show_page(image, width, height)
        shown = self.preview if image is not None else self.no_preview if self.files else self.empty
        self.preview_stack.setCurrentWidget(shown)
        showing = shown is self.preview
        self.page_nav.setVisible(showing)
        self.pos_label.setVisible(showing)
        self.prev_page.setEnabled(self.page.value() > self.page.minimum())
        self.next_page.setEnabled(self.page.value() < self.page.maximum())

    def _describe_position(self) -> None:
        if self.invisible.isChecked():
            text = self.tr("No seal on the page")
        elif self.mode == "anchor":
            text = self.tr("On the text “%1” in every file").replace("%1", self.anchor.text())
        elif self.mode == "coords":
            text = self.tr("Page %1, where you put it").replace("%1", str(self.chosen_page))
        else:
            text = self.tr("Lower right of the last page of every file")
        self.pos_label.setText(text)

    def _dragged(self, x_mm: float, y_mm: float) -> None:
        self.mode = "coords"
        self.chosen_page = self.page.value()
        self.centre_mm = (x_mm, y_mm)
        self._describe_position()

    def snap_to_anchor(self) -> None:
        """Put the seal on the anchor text (the engine's search, run for each file when signing)."""
        if not self.anchor.text().strip():
            return
        self.mode = "anchor"
        self._locate_current()

    def use_default_position(self) -> None:
        self.mode = "default"
        self._locate_current()

    def _size_changed(self, value: float) -> None:
        self.preview.size_mm = value
        self.preview.update()
        if self.mode == "default":
            self._locate_current()

    def _cross_changed(self, on: bool) -> None:
        self.preview.cross_page = on
        self.preview.update()

    def _invisible_changed(self, on: bool) -> None:
        self.preview.visible_seal = not on
        self.preview.update()
        self._describe_position()

    # --- signing --------------------------------------------------------------------------------
    def options(self):
        from helper.signing.options import SignOptions

        conf = self.app.settings
        return SignOptions(level="B-T" if conf.tsa_url else "B-B", tsa_url=conf.tsa_url, placement=self._placement())

    def pending(self) -> list[Path]:
        return [p for p in self.files if p not in self.signed]

    def start_signing(self):
        """Check everything that needs no PIN (certificate, outputs, where the seal goes in each file), then
        ask for the PIN once and sign the files that can be signed. Returns the preparing job."""
        files = self.pending()
        cert = self.cert_choice.currentData()
        if not files:
            return None
        try:
            options = self.options()
        except Exception as exc:  # noqa: BLE001 - a coded option error, shown in the message dialog
            self.app.show_error(exc, parent=self)
            return None
        out = Path(self.out_dir.text().strip()) if self.out_dir.text().strip() else None
        self.sign_button.setEnabled(False)
        prepare = functools.partial(desk.prepare, max_mb=self.app.settings.max_pdf_mb)
        job = self.app.jobs.run(prepare, self.app.keys, cert.serial if cert else None, cert.cert_id if cert else None,
                                files, out, options, owner=self, description=self.tr("Checking the files"))
        job.finished.connect(lambda prepared: self._ask_pin_and_sign(prepared, options))
        job.failed.connect(self._failed)
        return job

    def _ask_pin_and_sign(self, prepared: desk.PreparedBatch, options) -> None:
        from helper.signing.service import SealChoice, SigningService

        for result in prepared.refused:
            self._show_result(result)
        items = list(prepared.items)
        if not items:
            self._summarise(0, len(prepared.refused))
            self._update_buttons()
            return
        requester = (self.tr("E-seal 1 file") if len(items) == 1
                     else self.tr("E-seal %1 files").replace("%1", str(len(items))))
        pin = self.app.ask_pin(prepared.identity.token.serial, requester, parent=self)
        if pin is None:
            self._update_buttons()
            return
        for item in items:
            self._row(item.source).setText(1, self.tr("Signing…"))
        service = SigningService(self.app.keys)
        sign = functools.partial(service.sign, on_result=self.relay.result.emit)
        job = self.app.jobs.run(sign, prepared.identity, pin, items, options, SealChoice(png=self.seal_png),
                                owner=self, description=self.tr("Signing"))
        job.finished.connect(lambda outcome: self._done(outcome, prepared))
        job.failed.connect(self._failed)

    def _row(self, path: Path) -> QTreeWidgetItem:
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            if item.data(0, PATH_ROLE) == str(path):
                return item
        raise KeyError(path)

    def _show_result(self, result) -> None:
        path = result.item.source
        self.results[path] = result
        row = self._row(path)
        if result.status == "signed":
            self.signed[path] = result.item.output
            row.setText(1, self.tr("Signed (repaired)") if result.signed.repaired else self.tr("Signed"))
            row.setForeground(1, Qt.GlobalColor.darkGreen)
            row.setToolTip(1, str(result.item.output))
        elif result.status == "refused":
            message = result.error.message()
            row.setText(1, self.tr("Not signed"))
            row.setToolTip(1, message.as_text())
            row.setForeground(1, Qt.GlobalColor.red)
        else:
            row.setText(1, self.tr("Not processed"))
        if path == self.current_file():
            self._show_detail()

    def _done(self, outcome, prepared: desk.PreparedBatch) -> None:
        report = outcome.report
        for result in report.results:
            if result.status == "not_processed":
                self._show_result(result)
        serial = prepared.identity.token.serial
        if outcome.default_pin:
            self.app.default_pin_serials.add(serial)
            self.app.default_pin_detected.emit(serial)
        refused = report.count("refused") + report.count("not_processed") + len(prepared.refused)
        self._summarise(report.count("signed"), refused)
        if report.stopped is not None:
            self.app.show_error(report.stopped.error, parent=self)
        self._update_buttons()

    def _summarise(self, signed: int, not_signed: int) -> None:
        colour = theme.OK if not not_signed else theme.BAD
        text = self.tr("Signed: %1, not signed: %2").replace("%1", str(signed)).replace("%2", str(not_signed))
        self.summary.setText(f"<span style='color:{colour}'>{text}</span>")
        self.summary.setVisible(True)

    def _failed(self, exc: BaseException) -> None:
        self._update_buttons()
        self.app.show_error(exc, parent=self)

    def _update_buttons(self) -> None:
        pending = len(self.pending())
        text = self.tr("Sign") if not pending else self.tr("Sign 1 file") if pending == 1 else \
            self.tr("Sign %1 files").replace("%1", str(pending))
        self.sign_button.setText(text)
        self.sign_button.setEnabled(bool(pending))
        self.results_row.setVisible(bool(self.signed))
        self.drop_hint.setVisible(not self.files)

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


def _html(text: str) -> str:
    from html import escape

    return escape(text)


def _wrappable(text: str) -> str:
    """``text`` as HTML that may also wrap after path separators and underscores (paths in messages)."""
    html = _html(text)
    for mark in ("/", "\\", "_"):
        html = html.replace(mark, mark + "\u200b")
    return html


def _path_html(path: Path | str) -> str:
    """A path or file name that may wrap anywhere: long names have no spaces to wrap at, and one unbroken
    word would widen the detail pane past its column."""
    return "\u200b".join(_html(c) for c in str(path))
