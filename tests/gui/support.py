"""Helpers shared by the GUI tests."""

from __future__ import annotations

from gui.pages.certificates.view import CertificatesPage


def wait_card(qtbot, page: CertificatesPage, serial: str, timeout: int = 15000):
    """Wait until the card of ``serial`` lists its certificates; returns the card."""
    qtbot.waitUntil(lambda: serial in page.cards and bool(page.cards[serial].rows), timeout=timeout)
    return page.cards[serial]
