"""Web origins: normalisation, which origins may use the local service at all, and the allowlist."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("localhost",)


def normalize(value: str) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port, or None when ``value`` is no origin.

    Accepts a bare origin or a URL (its path is dropped); refuses user info, other schemes and "null".
    """
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def is_loopback(origin: str) -> bool:
    host = urlsplit(origin).hostname or ""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def eligible(origin: str, allow_http: bool = False) -> bool:
    """https origins; http only for loopback (dev/demo portals) or entries explicitly marked ``allow_http``."""
    scheme = urlsplit(origin).scheme
    return scheme == "https" or (scheme == "http" and (allow_http or is_loopback(origin)))


class OriginRegistry:
    """The exact Origin allowlist: portal origins + user-approved origins + ``extra`` (e.g. the demo portal).

    ``source()`` returns (listed, approved) and is re-read at most every ``refresh`` seconds, so edits of
    the portal list or the settings take effect without restarting the service.
    """

    def __init__(self, source: Callable[[], tuple[frozenset[str], frozenset[str]]],
                 extra: Iterable[str] = (), refresh: float = 1.0) -> None:
        self._source = source
        self._extra = frozenset(o for o in (normalize(e) for e in extra) if o)
        self._refresh = refresh
        self._lock = threading.Lock()
        self._stamp = -1e9
        self._listed: frozenset[str] = frozenset()
        self._approved: frozenset[str] = frozenset()

    def _current(self) -> tuple[frozenset[str], frozenset[str]]:
        with self._lock:
            now = time.monotonic()
            if now - self._stamp > self._refresh:
                self._listed, self._approved = self._source()
                self._stamp = now
            return self._listed | self._extra, self._approved

    def invalidate(self) -> None:
        with self._lock:
            self._stamp = -1e9

    def allowed(self, origin: str) -> bool:
        """Exact match, compared as sent: a browser sends origins already normalised."""
        listed, approved = self._current()
        return origin in listed or (origin in approved and eligible(origin))

    def approved(self, origin: str) -> bool:
        return origin in self._current()[1]


def default_source() -> tuple[frozenset[str], frozenset[str]]:
    """Origins from the portal list (entries that use the service) and settings.approved_origins."""
    from helper import portals, settings

    approved = frozenset(o for o in (normalize(a) for a in settings.load().approved_origins) if o)
    return portals.service_origins(portals.load()), approved


def approve(origin: str) -> None:
    """Remember the user's approval of ``origin`` in settings.approved_origins."""
    from helper import settings

    current = settings.load().approved_origins
    if origin not in current:
        settings.update(approved_origins=tuple(current) + (origin,))
