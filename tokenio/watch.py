"""Hot-plug: poll the slot list and report inserted/removed keys by (module, token id).

C_WaitForSlotEvent is useless on SoftHSM and unsupported through p11-kit, so this polls the slot list
(``TokenService.rescan``), which never re-initialises a driver except those marked in drivers.toml, and
those only while no session is open. Each poll that sees a change invalidates the inventory.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tokenio.info import TokenInfo

if TYPE_CHECKING:
    from tokenio.worker import TokenService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenChange:
    inserted: tuple[TokenInfo, ...]
    removed: tuple[TokenInfo, ...]
    present: tuple[TokenInfo, ...]


def diff(before: dict[tuple[str, str], TokenInfo], now: list[TokenInfo]) -> TokenChange:
    """What changed between two snapshots, keyed by (module, token id)."""
    current = {t.key: t for t in now}
    return TokenChange(
        inserted=tuple(t for k, t in current.items() if k not in before),
        removed=tuple(t for k, t in before.items() if k not in current),
        present=tuple(now),
    )


class TokenWatcher:
    """Polls ``service.rescan()`` every ``interval`` seconds; calls ``on_change`` from its own thread."""

    def __init__(self, service: TokenService, on_change: Callable[[TokenChange], None], interval: float = 0.5) -> None:
        self._service = service
        self._on_change = on_change
        self._interval = interval
        self._stop = threading.Event()
        self._known: dict[tuple[str, str], TokenInfo] = {}
        self._thread = threading.Thread(target=self._loop, name="TokenWatcher", daemon=True)

    @property
    def interval(self) -> float:
        """Seconds between polls: a change is seen at most one interval plus one scan later."""
        return self._interval

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def poll_once(self) -> TokenChange | None:
        """One poll; returns the change when something was inserted or removed."""
        from tokenio.errors import TokenError

        try:
            now = [t for t in self._service.rescan() if t.usb_key]
        except TokenError as exc:
            log.debug("poll failed: %s", exc.code)
            return None
        except Exception:  # noqa: BLE001 - a driver failing in a new way must not end hot-plug detection
            log.exception("poll failed")
            return None
        change = diff(self._known, now)
        self._known = {t.key: t for t in now}
        return change if change.inserted or change.removed else None

    def _loop(self) -> None:
        while not self._stop.is_set():
            change = self.poll_once()
            if change is not None:
                try:
                    self._on_change(change)
                except Exception:  # noqa: BLE001 - a listener's bug must not stop hot-plug detection
                    log.exception("token change listener failed")
            self._stop.wait(self._interval)
