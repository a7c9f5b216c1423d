"""The 社保网报 page: portals as tiles by region, a status line per tile, one click to check and open."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext


def create_page(app: AppContext) -> QWidget:
    from gui.pages.portals.view import PortalsPage

    if app.service is None and app.service_error is None:
        app.start_service()
    return PortalsPage(app)
