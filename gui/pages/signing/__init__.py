"""电子签章: drop PDFs, place the seal on a page preview, sign a batch with one PIN, verify signed files."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext


def create_page(app: AppContext) -> QWidget:
    from gui.pages.signing.view import SigningPage

    return SigningPage(app)
