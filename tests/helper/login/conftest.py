from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from login_kit import ORIGIN, ScriptedUI

from helper import settings
from helper.keys import KeyService
from helper.local_service import LocalService, ServiceConfig
from helper.login.keyops import Limits

FAST = Limits(consent_timeout=1.0, cooldown_base=2.0, cooldown_max=8.0, rate_window=60.0, rate_max=20)


@pytest.fixture()
def start_service(demo_token, token_service, tmp_path) -> Iterator[Callable[..., LocalService]]:
    """Start a LocalService on a free port with a scripted UI; stopped after the test."""
    started: list[LocalService] = []
    settings.update(approved_origins=())

    def start(ui: ScriptedUI | None = None, *, limits: Limits = FAST, extra=(ORIGIN,), **config) -> LocalService:
        config = {"port": 0, "limits": limits, "cooldown_path": tmp_path / "cooldown.json", **config}
        service = LocalService(KeyService(token_service), ui, ServiceConfig(**config), extra_origins=extra)
        service.start()
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()
    settings.update(approved_origins=())


@pytest.fixture()
def ui() -> ScriptedUI:
    return ScriptedUI()


@pytest.fixture()
def service(start_service, ui) -> LocalService:
    return start_service(ui)
