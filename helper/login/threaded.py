"""Run an aiohttp server on a private event loop in its own thread (the GUI, the demo and tests use this)."""

from __future__ import annotations

import asyncio
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
