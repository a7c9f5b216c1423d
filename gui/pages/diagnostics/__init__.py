"""The 检测修复 page: one 一键检测 button, coloured results with 修复 buttons, report export, support contacts."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext


def create_page(app: AppContext) -> QWidget:
    from gui.pages.diagnostics.view import DiagnosticsPage

    return DiagnosticsPage(app)
