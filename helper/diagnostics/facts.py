"""What the checks look at: the environment of a run and the token facts, read once and shared.

Token facts go through the one TokenService (its thread serialises every PKCS#11 call); each is read
once per run and cached, so checks running in parallel do not repeat the enumeration.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helper import certs
from helper import settings as settings_mod
from helper.keys import CertEntry, KeyService
from tokenio.module import TokenInfo
from tokenio.worker import ModuleStatus, TokenService


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Environment:
    """The inputs of a run. Tests point the parts at temp folders and loopback ports."""

    tokens: TokenService
    serial: str | None = None  # only this key (None: every inserted key)
    settings: settings_mod.Settings = field(default_factory=settings_mod.Settings)
    home: Path = field(default_factory=Path.home)
    nss_dirs: tuple[Path, ...] | None = None  # None: the browsers' databases found under ``home``
    user_ca_dir: Path = field(default_factory=settings_mod.user_ca_dir)
    bundled_ca: tuple[bytes, ...] = field(default_factory=certs.bundled_ca_certs)
    portal_urls: tuple[tuple[str, str], ...] | None = None  # (name, url); None: resources/portals.toml
    log_dir: Path = field(default_factory=settings_mod.log_dir)
    now: Callable[[], datetime] = _now
    timeout: float = 2.0  # seconds, for every network probe

    @property
    def port(self) -> int:
        return self.settings.service_port


class Facts:
    """One run's view of the computer: the environment plus token facts read on first use."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._lock = threading.RLock()
        self._cache: dict[str, Any] = {}

    def fresh(self) -> Facts:
        """A new view with nothing cached (after a repair changed something)."""
        return Facts(self.env)

    def _memo(self, key: str, fn: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._cache:
                try:
                    self._cache[key] = (fn(), None)
                except Exception as exc:  # noqa: BLE001 - re-raised to every check that asks
                    self._cache[key] = (None, exc)
            value, error = self._cache[key]
        if error is not None:
            raise error
        return value

    def modules(self) -> list[ModuleStatus]:
        """Every discovered driver and whether it loaded."""
        return self._memo("modules", self.env.tokens.modules)

    def all_tokens(self) -> list[TokenInfo]:
        """Every inserted key on every driver (raises the driver's error when a named driver is broken)."""
        return self._memo("tokens", self.env.tokens.tokens)

    def tokens(self) -> list[TokenInfo]:
        """The keys this run is about (one when ``env.serial`` is set)."""
        return [t for t in self.all_tokens() if self.env.serial in (None, t.serial)]

    def tokens_or_none(self) -> list[TokenInfo]:
        """Like tokens(), but empty when the keys cannot be read at all (another check explains why)."""
        try:
            return self.tokens()
        except Exception:  # noqa: BLE001 - the key and driver checks report this failure
            return []

    def certificates(self) -> list[CertEntry]:
        """Certificates on the keys of this run."""
        def read() -> list[CertEntry]:
            keys = KeyService(self.env.tokens)
            return [e for t in self.tokens() for e in keys.certificates(t.id)]
        return self._memo("certificates", read)

    def user_ca(self) -> list[bytes]:
        """CA certificates in the user's CA folder."""
        return self._memo("user_ca", lambda: certs.user_ca_certs(self.env.user_ca_dir))
