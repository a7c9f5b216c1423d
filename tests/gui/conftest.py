"""GUI fixtures: an AppContext over the session's SoftHSM TokenService, in zh_CN unless asked."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from gui import i18n, theme
from gui.context import AppContext
from gui.pages.certificates.view import CertificatesPage
from tokenio.worker import TokenService


@pytest.fixture()
def language(qapp) -> Iterator[Callable[[str], None]]:
    """Switch the UI language (translators + message catalogue); zh_CN is restored afterwards."""

    def switch(lang: str) -> None:
        i18n.install(qapp, lang)

    theme.apply(qapp)
    switch("zh")
    yield switch
    switch("zh")


def make_context(service: TokenService) -> AppContext:
    return AppContext(service)


@pytest.fixture()
def ctx(qapp, language, token_service: TokenService, demo_token) -> Iterator[AppContext]:
    """An AppContext watching the SoftHSM tokens (the demo key is inserted)."""
    context = make_context(token_service)
    context.start_watching(interval=0.2)
    yield context
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QWidget) and widget.isVisible():
            widget.close()
    context.shutdown()


@pytest.fixture()
def page(ctx: AppContext, qtbot) -> CertificatesPage:
    widget = CertificatesPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(900, 640)
    widget.show()
    return widget
