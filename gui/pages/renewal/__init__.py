"""证书延期: certificates with days left, one-click renewal (CMP or the CA's site), certificate import,
installation progress by named steps, and the renewal history."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext


def create_page(app: AppContext) -> QWidget:
    from gui.pages.renewal.view import RenewalPage

    return RenewalPage(app)
