"""The page: 一键检测 runs every check off the GUI thread with progress; rows update as results arrive."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.context import AppContext
from gui.pages.diagnostics.rows import ResultRow
from gui.widgets.page_header import PAGE_MARGINS, page_header
from helper import diagnostics
from helper.diagnostics import CHECK_IDS, CheckResult, Environment, Facts, Status, report


class _Progress(QObject):
    """Carries progress from the worker thread to the GUI thread (queued signal)."""

    step = Signal(object, int, int)


class DiagnosticsPage(QWidget):
    def __init__(self, app: AppContext, environment: Callable[[], Environment] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.environment = environment or (lambda: Environment(tokens=app.tokens, settings=app.settings))
        self.results: dict[str, CheckResult] = {}
        self.rows: dict[str, ResultRow] = {}
        self.facts: Facts | None = None
        self._progress = _Progress(self)
        self._progress.step.connect(self._on_step)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(*PAGE_MARGINS)
        outer.addLayout(page_header(
            self.tr("Diagnostics and repair"),
            self.tr("Key not recognised, site says there is no certificate, PIN box never appears? "
                    "Insert your USB key and click the button: the helper checks everything and "
                    "explains what to do.")))

        top = QHBoxLayout()
        self.run_button = QPushButton(self.tr("One-click check"))
        self.run_button.setProperty("primary", True)
        self.run_button.setMinimumSize(200, 52)
        self.run_button.setStyleSheet("font-size: 17px; font-weight: bold;")
        self.run_button.clicked.connect(self.run_checks)
        top.addWidget(self.run_button)
        self.export_button = QPushButton(self.tr("Export report…"))
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_report)
        top.addWidget(self.export_button)
        top.addStretch(1)
        outer.addLayout(top)
        self.progress = QProgressBar()
        self.progress.setRange(0, len(CHECK_IDS))
        self.progress.setVisible(False)
        outer.addWidget(self.progress)
        self.summary = QLabel()
        self.summary.setStyleSheet("font-size: 15px; font-weight: bold;")
        outer.addWidget(self.summary)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        self.list_layout = QVBoxLayout(body)
        self.list_layout.setSpacing(6)
        self.list_layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.support = QLabel()
        self.support.setWordWrap(True)
        outer.addWidget(self.support)
        self._show_support()
        app.settings_changed.connect(lambda *_: self._show_support())

    # --- running ---------------------------------------------------------------------------------
    def run_checks(self) -> None:
        """Start every check in the background; rows appear as results arrive."""
        self.run_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.summary.setText(self.tr("Checking…"))
        self.facts = Facts(self.environment())
        job = self.app.jobs.run(diagnostics.run, self.facts, None, self._progress.step.emit,
                                owner=self, description=self.tr("Checking this computer"))
        job.finished.connect(self._on_done)
        job.failed.connect(self._on_failed)

    def _on_step(self, result: CheckResult, done: int, total: int) -> None:
        self.progress.setValue(done)
        self._show(result)

    def _on_done(self, results: list[CheckResult]) -> None:
        for result in results:
            self._show(result)
        self.progress.setVisible(False)
        self.run_button.setEnabled(True)
        self.export_button.setEnabled(True)
        self._summarise()

    def _on_failed(self, exc: BaseException) -> None:
        self.progress.setVisible(False)
        self.run_button.setEnabled(True)
        self.summary.setText("")
        self.app.show_error(exc, self)

    def _show(self, result: CheckResult) -> None:
        self.results[result.check_id] = result
        row = self.rows.get(result.check_id)
        if row is None:
            row = ResultRow(result)
            row.fix_requested.connect(self.fix)
            self.rows[result.check_id] = row
            row.show()  # at once, not on the layout's queued show
        else:
            row.show_result(result)
        self._order_rows()

    def _order_rows(self) -> None:
        """Problems first (errors, then things to note), then the passed and skipped checks, each in check order."""
        ordered = sorted(self.rows, key=lambda i: (-self.results[i].status.rank, CHECK_IDS.index(i)))
        for position, check_id in enumerate(ordered):
            row = self.rows[check_id]
            if self.list_layout.indexOf(row) != position:
                self.list_layout.removeWidget(row)
                self.list_layout.insertWidget(position, row)

    def ordered_ids(self) -> list[str]:
        """The check ids in the order the rows are shown."""
        widgets = [self.list_layout.itemAt(i).widget() for i in range(self.list_layout.count())]
        by_row = {id(row): check_id for check_id, row in self.rows.items()}
        return [by_row[id(w)] for w in widgets if w is not None and id(w) in by_row]

    def _summarise(self) -> None:
        counts = {s: sum(r.status is s for r in self.results.values()) for s in Status}
        fixable = any(r.status is Status.ERROR and r.fixable for r in self.results.values())
        if counts[Status.ERROR]:
            text = (self.tr("Problems found: %1. Follow the steps below, or click Fix.") if fixable
                    else self.tr("Problems found: %1. Follow the steps below.")).replace("%1", str(counts[Status.ERROR]))
            colour = "#B91C1C"
        elif counts[Status.WARNING]:
            text = self.tr("No problem found. Things to note: %1.").replace("%1", str(counts[Status.WARNING]))
            colour = "#B45309"
        else:
            text, colour = self.tr("Everything is fine."), "#15803D"
        self.summary.setText(text)
        self.summary.setStyleSheet(f"font-size: 15px; font-weight: bold; color: {colour};")

    # --- repairing -------------------------------------------------------------------------------
    def confirm(self, name: str) -> bool:
        """Ask before a repair changes anything on this computer."""
        answer = QMessageBox.question(self, self.tr("Fix"), self.tr("Fix “%1” now? This changes settings of this "
                                                                     "computer for your user only.").replace("%1", name))
        return answer == QMessageBox.StandardButton.Yes

    def fix(self, check_id: str) -> None:
        row = self.rows[check_id]
        if self.facts is None or not self.confirm(row.name.text()):
            return
        row.fix.setEnabled(False)
        job = self.app.jobs.run(diagnostics.repair, self.facts, check_id, owner=self, description=self.tr("Repairing"))
        job.finished.connect(self._after_fix)
        job.failed.connect(lambda exc: (row.fix.setEnabled(True), self.app.show_error(exc, self)))

    def _after_fix(self, result: CheckResult) -> None:
        self._show(result)
        self._summarise()

    # --- report and support ----------------------------------------------------------------------
    def export_report(self, path: str | None = None) -> list[Path]:
        """Write FILE.txt + FILE.json for support (asks for the name unless ``path`` is given)."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export report"), str(Path.home() / "检测报告"))
            if not path:
                return []
        if self.facts is None:
            return []
        data = report.build(self.facts, [self.results[i] for i in CHECK_IDS if i in self.results])
        try:
            written = report.write(Path(path), data, overwrite=True)
        except Exception as exc:  # noqa: BLE001 - shown in the shared message dialog
            self.app.show_error(exc, self)
            return []
        self.summary.setText(self.tr("Report saved: %1").replace("%1", ", ".join(str(p) for p in written)))
        return written

    def _show_support(self) -> None:
        contacts = self.app.settings.support_contacts
        if contacts:
            self.support.setText(self.tr("Support: %1").replace("%1", "；".join(contacts)))
            self.support.setProperty("data", True)
        else:
            self.support.setText(self.tr("Support: the hotline of the CA that issued your USB key (on its box or "
                                         "website). Send them the exported report."))
            self.support.setProperty("data", False)
