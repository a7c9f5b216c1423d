"""The local service as the faces run it (GUI, ``cahelper serve``, the demo, tests): the key operations behind
the face's ConsentUI, and the login, signing and renewal routes handed to the HTTP service.

Start/stop API (thread-safe, for the window): ``LocalService(keys, ui, config, ...)``, then ``start()`` (its
own loop thread; returns once bound, raises SERVICE_PORT_BUSY / SERVICE_PORT_UNAVAILABLE) and ``stop()``;
or ``await start_async()`` / ``await stop_async()`` on the caller's loop. ``url`` and ``port`` tell where it
listens (``port=0`` picks a free one).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from helper.keys import KeyService
from helper.login import origins as origins_mod
from helper.login import pdfsign
from helper.login.consent import ConsentUI
from helper.login.http import HttpLimits
from helper.login.keyops import KeyOperations, Limits
from helper.login.routes import JSON_LIMIT, LoginRoutes
from helper.login.server import HttpService
from helper.messages import HelperError

if TYPE_CHECKING:
    from helper.renewal.service import RenewalService

STATUS_CACHE_SECONDS = 0.5


@dataclass(frozen=True)
class ServiceConfig:
    port: int = 28960
    host: str = "127.0.0.1"
    json_limit: int = JSON_LIMIT
    pdf_limit_mb: int = 200
    limits: Limits = field(default_factory=Limits)
    http: HttpLimits = field(default_factory=HttpLimits)
    cooldown_path: Path | None = None  # the wrong-PIN pause; default: the helper's data folder


class LocalService:
    """The helper's service for websites. ``extra_origins`` join the allowlist (e.g. the demo's sites),
    ``renewal_origins`` may also use the renewal endpoints, ``seal`` gives the seal image for web seals,
    ``renewals`` is the face's RenewalService (the window's tells its pages what a website installed)."""

    def __init__(self, keys: KeyService, ui: ConsentUI | None, config: ServiceConfig = ServiceConfig(), *,
                 extra_origins: Iterable[str] = (), renewal_origins: Iterable[str] = (),
                 seal: pdfsign.SealProvider = pdfsign.seal_from_key,
                 registry: origins_mod.OriginRegistry | None = None, renewals: RenewalService | None = None) -> None:
        from helper.renewal.web import RenewalRoutes

        self.keys = keys
        self.config = config
        self.registry = registry or origins_mod.OriginRegistry(origins_mod.default_source, extra_origins)
        self.ops = KeyOperations(keys, ui, self.registry, config.limits, portal_names=portal_name,
                                 cooldown_path=config.cooldown_path)
        providers = (LoginRoutes(self.ops, config.json_limit),
                     pdfsign.SigningRoutes(self.ops, portal_name, max_pdf_mb=config.pdf_limit_mb, seal=seal),
                     RenewalRoutes(self.ops, renewal_origins, renewals=renewals))
        self.http = HttpService(providers, self.registry.allowed, host=config.host, port=config.port,
                                limits=config.http, key_present=self._key_present, on_stop=self.ops.close)
        self._status_cache: tuple[float, bool] = (-1e9, False)

    @property
    def port(self) -> int:
        return self.http.port

    @property
    def url(self) -> str:
        return self.http.url

    async def _key_present(self) -> bool:
        stamp, present = self._status_cache
        if time.monotonic() - stamp < STATUS_CACHE_SECONDS:
            return present
        try:
            present = bool(await asyncio.get_running_loop().run_in_executor(None, self.keys.tokens))
        except Exception:  # noqa: BLE001 - a failing driver means "no usable key" here
            present = False
        self._status_cache = (time.monotonic(), present)
        return present

    async def start_async(self) -> None:
        await self.http.start_async()

    async def stop_async(self) -> None:
        await self.http.stop_async()

    def start(self) -> None:
        self.http.start()

    def stop(self) -> None:
        self.http.stop()


def portal_name(origin: str) -> str:
    """The portal list's name for ``origin`` ("" when it is not listed)."""
    from helper import portals

    try:
        return next((p.name for p in portals.load() if p.origin == origin), "")
    except HelperError:
        return ""
