"""Run an aiohttp server on a private event loop in its own thread (the GUI, the demo and tests use this)."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable


class LoopThread:
    """``start(up, down)``: runs ``up()`` on a new loop thread and returns once it finished (re-raising its
    error); ``stop()`` runs ``down()`` there and ends the thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self, up: Callable[[], Awaitable[None]], down: Callable[[], Awaitable[None]]) -> None:
        outcome: list[BaseException | None] = []
        started = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(up())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller of start()
                outcome.append(exc)
                started.set()
                loop.close()
                return
            outcome.append(None)
            started.set()
            loop.run_forever()
            loop.run_until_complete(down())
            loop.close()

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        started.wait()
        if outcome[0] is not None:
            self._thread.join()
            raise outcome[0]

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._thread = None


class LoopbackSite:
    """An aiohttp site on 127.0.0.1:``port`` (0: any free port) served from its own loop thread.

    Subclasses provide ``make_app()`` and set ``port`` before ``start()``; ``port`` holds the bound port after.
    """

    thread_name = "LoopbackSite"
    port: int

    async def start_async(self) -> None:
        from aiohttp import web

        self._runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await self._runner.setup()
        try:
            # SO_REUSEADDR on POSIX only (restart at once); on Windows it would let others bind the same port
            await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=os.name == "posix").start()
        except OSError:
            await self._runner.cleanup()
            raise
        self.port = self._runner.addresses[0][1]

    async def stop_async(self) -> None:
        runner, self._runner = getattr(self, "_runner", None), None
        if runner is not None:
            await runner.cleanup()

    def start(self) -> None:
        self._thread = LoopThread(self.thread_name)
        self._thread.start(self.start_async, self.stop_async)

    def stop(self) -> None:
        thread, self._thread = getattr(self, "_thread", None), None
        if thread is not None:
            thread.stop()
