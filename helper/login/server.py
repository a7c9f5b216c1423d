"""The local web service on 127.0.0.1: binds, serves the routes it is handed behind one guard, stops.

It knows no feature: whoever starts it (helper.local_service) passes the route providers (login, signing,
renewal) and the allowlist. Its own endpoints are ``GET /v1/status`` and ``GET /v1/openapi.json``
(see static/openapi.json). The guard, limits and replies are helper.login.http's.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from aiohttp import web

from helper import __version__
from helper.login.http import ConnectionWatch, Guard, HttpLimits, RouteProvider
from helper.login.threaded import LoopThread
from helper.messages import HelperError

log = logging.getLogger(__name__)

API = "/v1"
_STATIC = Path(__file__).resolve().parent / "static"
KEEPALIVE_SECONDS = 5.0


class HttpService:
    """Serve ``providers``' routes on ``host:port`` (0: any free port) for the origins ``allowed`` accepts.

    ``start()`` serves on a thread of its own, ``await start_async()`` on the caller's loop; both return once
    bound, or raise SERVICE_PORT_BUSY / SERVICE_PORT_UNAVAILABLE. ``on_stop`` runs when it stops.
    """

    def __init__(self, providers: Iterable[RouteProvider], allowed: Callable[[str], bool], *,
                 host: str = "127.0.0.1", port: int = 28960, limits: HttpLimits | None = None,
                 key_present: Callable[[], Awaitable[bool]] | None = None,
                 on_stop: Callable[[], None] | None = None) -> None:
        self.host = host
        self.port = port
        self.limits = limits = limits or HttpLimits()
        self.watch = ConnectionWatch(limits)
        routes = [route for provider in providers for route in provider.routes()]
        self.guard = Guard(allowed, lambda: self.port, routes, limits, self.watch)
        self._routes = routes
        self._key_present = key_present
        self._on_stop = on_stop
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None
        self._thread: LoopThread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard.middleware])
        app.router.add_get(f"{API}/status", self._status)
        app.router.add_get(f"{API}/openapi.json", self._openapi)
        for route in self._routes:
            app.router.add_route(route.method, route.path, route.handler)
        return app

    async def _status(self, request: web.Request) -> web.Response:
        present = await self._key_present() if self._key_present is not None else False
        return web.json_response({"version": __version__, "api": 1, "keyPresent": present})

    async def _openapi(self, request: web.Request) -> web.Response:
        return web.Response(body=openapi_document(), content_type="application/json")

    # --- running --------------------------------------------------------------------------------
    async def start_async(self) -> None:
        runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False, shutdown_timeout=2.0,
                               keepalive_timeout=KEEPALIVE_SECONDS)
        await runner.setup()
        assert runner.server is not None
        try:
            # SO_REUSEADDR on POSIX: a restart binds at once despite the last run's TIME_WAIT connections.
            # Not on Windows, where it would let another program bind the same port.
            self._server = await asyncio.get_running_loop().create_server(
                self.watch.factory(runner.server), self.host, self.port, reuse_address=os.name == "posix")
        except OSError as exc:
            await runner.cleanup()
            raise _bind_error(exc, self.port) from exc
        self._runner = runner
        self.port = self._server.sockets[0].getsockname()[1]
        self.watch.start()
        log.info("local service listening on %s", self.url)

    async def stop_async(self) -> None:
        if self._on_stop is not None:
            self._on_stop()
        await self.watch.stop()
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start(self) -> None:
        """Serve on a thread of its own; returns once bound."""
        self._thread = LoopThread("LocalService")
        self._thread.start(self.start_async, self.stop_async)

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None


def _bind_error(exc: OSError, port: int) -> BaseException:
    """SERVICE_PORT_BUSY naming the program that listens on ``port``; SERVICE_PORT_UNAVAILABLE when none can
    be named (the system refused, or the holder is not visible), so no program is blamed wrongly."""
    if exc.errno in (errno.EADDRINUSE, 10048):
        from helper.login.portcheck import holder

        name = holder(port)
        if name:
            return HelperError("SERVICE_PORT_BUSY", port=port, holder=name)
    if exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL, 10048, 10013):
        return HelperError("SERVICE_PORT_UNAVAILABLE", port=port, detail=exc.strerror or str(exc.errno))
    return exc


def openapi_document() -> bytes:
    return (_STATIC / "openapi.json").read_bytes()


def static_file(name: str) -> bytes:
    return (_STATIC / name).read_bytes()

