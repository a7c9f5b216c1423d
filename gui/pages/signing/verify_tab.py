"""The 验证 tab: open or drop a signed PDF; the verdict, then one card per e-seal in plain words: the seal as
it appears, signer, unit, issuer, signing time, timestamp, certificate validity, changes after signing."""

from __future__ import annotations

import functools
from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.context import AppContext
from gui.pages.signing import parts
from helper import messages
from helper.signing import desk, verify
from helper.signing.verify import SignatureReport

SEAL_VIEW_PX = 120
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime(TIME_FORMAT) if moment else ""


class VerifyTab(QWidget):
    """Open or drop a signed PDF: the verdict in colour and every e-seal's details."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setAcceptDrops(True)
        box, layout = parts.card((18, 14, 18, 16))
        self.stack = QStackedWidget()
        self.open_button = self._open_button(primary=True)
        self.open_button.setObjectName("VerifyButton")
        self.stack.addWidget(parts.EmptyState(
            "pdf-verify", self.tr("Drop a signed PDF here, or click “Open PDF to verify”"),
            self.tr("Every e-seal is checked, and whether the file was changed after signing."),
            self.open_button))
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
        heading = QVBoxLayout()
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-size: 16px; font-weight: bold;")
        heading.addWidget(self.verdict)
        self.file_label = parts.note("")
        heading.addWidget(self.file_label)
        row.addLayout(heading, 1)
        row.addWidget(self._open_button(), 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setStyleSheet(parts.SCROLL_STYLE)
        self.cards = QWidget()
        self.cards_layout = QVBoxLayout(self.cards)
        self.cards_layout.setContentsMargins(0, 0, 6, 0)
        self.cards_layout.setSpacing(10)
        scroll.setWidget(self.cards)
        layout.addWidget(scroll, 1)
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
        job = self.app.jobs.run(functools.partial(desk.verify_for_view, max_mb=self.app.settings.max_pdf_mb), path,
                                owner=self, description=self.tr("Verifying"))
        job.finished.connect(self.show_report)
        return job

    # --- the report ----------------------------------------------------------------------------
    def show_report(self, verified: desk.VerifiedFile) -> None:
        report = verified.report
        if not report.signatures:
            colour, text = theme.BAD, self.tr("This PDF has no e-seal")
        elif report.ok:
            colour, text = theme.OK, self.tr("All e-seals are valid: the document is unchanged since signing")
        elif report.modified_after_last:
            colour, text = theme.BAD, self.tr("The document was changed after the last e-seal")
        else:
            colour, text = theme.BAD, self.tr("Not all e-seals are valid: see below")
        self.verdict.setText(f"<span style='color:{colour}'>{text}</span>")
        self.file_label.setText(str(report.path))
        while self.cards_layout.count():
            widget = self.cards_layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        count = len(report.signatures)
        for n, (sig, png) in enumerate(zip(report.signatures, verified.seal_images, strict=True), 1):
            self.cards_layout.addWidget(self._card(n, count, sig, png))
        self.cards_layout.addStretch(1)
        self.stack.setCurrentIndex(1)

    def _card(self, n: int, count: int, sig: SignatureReport, png: bytes | None) -> QWidget:
        box, layout = parts.card((14, 12, 14, 12))
        box.setObjectName("Card")
        box.setProperty("signature", n)
        mark = "✓" if sig.ok else "✗"
        title = QLabel(f"<span style='color:{theme.OK if sig.ok else theme.BAD}'>{mark}</span> <b>"
                       + escape(self.tr("E-seal %1 of %2").replace("%1", str(n)).replace("%2", str(count)))
                       + "</b>")
        layout.addWidget(title)
        row = QHBoxLayout()
        row.setSpacing(14)
        seal = QLabel()
        seal.setObjectName("SealImage")
        seal.setFixedSize(SEAL_VIEW_PX, SEAL_VIEW_PX)
        seal.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = QPixmap()
        if png and pixmap.loadFromData(png, "PNG"):
            seal.setPixmap(pixmap.scaled(SEAL_VIEW_PX, SEAL_VIEW_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.SmoothTransformation))
        else:
            seal.setText(self.tr("No seal shown on the page"))
            seal.setWordWrap(True)
            seal.setProperty("muted", True)
        row.addWidget(seal, 0, Qt.AlignmentFlag.AlignTop)
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(4)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for label, value, good in self._facts(sig):
            text = QLabel(value if good is None else
                          f"<span style='color:{theme.OK if good else theme.BAD}'>{escape(value)}</span>")
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(QLabel(label), text)
        row.addLayout(form, 1)
        layout.addLayout(row)
        return box

    def _facts(self, sig: SignatureReport) -> list[tuple[str, str, bool | None]]:
        """(label, plain words, good/bad/neutral) for one e-seal."""
        moment = sig.timestamp or sig.signing_time
        facts: list[tuple[str, str, bool | None]] = [
            (self.tr("Signer"), sig.holder or "-", None),
            (self.tr("Unit"), sig.unit or "-", None),
            (self.tr("Issued by"), sig.issuer or "-", None),
            (self.tr("Signed at"), _when(sig.signing_time) + (self.tr(" (the signer's computer clock)") if sig.signing_time
                                                         and not sig.timestamp else "") or "-", None),
        ]
        if sig.timestamp is None:
            facts.append((self.tr("Timestamp"), self.tr("None: the time comes from the signer's computer"), None))
        else:
            trusted = bool(sig.timestamp_trusted)
            facts.append((self.tr("Timestamp"), (self.tr("%1, from a trusted time server") if trusted else
                                            self.tr("%1, from a time server that is not trusted")).replace(
                "%1", _when(sig.timestamp)), trusted))
        if sig.cert_not_before and sig.cert_not_after:
            period = self.tr("%1 to %2").replace("%1", sig.cert_not_before.astimezone().strftime("%Y-%m-%d")).replace(
                "%2", sig.cert_not_after.astimezone().strftime("%Y-%m-%d"))
            inside = moment is not None and sig.cert_not_before <= moment <= sig.cert_not_after
            facts.append((self.tr("Certificate valid"), period + (self.tr(", valid when signed") if inside else
                                                             self.tr(", not valid when signed")), inside))
        why_untrusted = verify.is_trust_problem(sig.problem)
        facts.append((self.tr("Certificate"), self.tr("Issued by a trusted authority") if sig.trusted else
                      _sentence(verify.reason(sig.problem, messages.language())) if why_untrusted else
                      self.tr("Its issuer is not in the trusted list"), sig.trusted))
        facts.append((self.tr("Changes afterwards"), *self._changes(sig)))
        if sig.problem and not why_untrusted:
            facts.append((self.tr("Problem"), _sentence(verify.reason(sig.problem, messages.language())), False))
        return facts

    def _changes(self, sig: SignatureReport) -> tuple[str, bool]:
        if not (sig.intact and sig.valid):
            return self.tr("The signed content was altered: this e-seal is broken"), False
        if sig.covers_whole_file or sig.changes_after in ("NONE", "LTA_UPDATES"):
            return self.tr("None: the document is as it was signed"), True
        if sig.changes_allowed:
            return self.tr("Only later e-seals or filled-in form fields were added"), True
        return self.tr("The document was changed after this e-seal"), False


def _sentence(text: str) -> str:
    """A reason shown on its own: capitalised (English reasons are written to follow "Why:")."""
    return text[:1].upper() + text[1:]
