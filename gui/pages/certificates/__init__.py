"""我的证书: a card per inserted key with its certificates, PIN actions and details."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext


def create_page(app: AppContext) -> QWidget:
    from gui.pages.certificates.view import CertificatesPage

    return CertificatesPage(app)
