"""The token layer as the faces see it: value types, the hot-plug watcher and the driver-file check.

The GUI imports keys only through here (and helper.keys), never tokenio. Importing this module loads no
PKCS#11 binding: the window paints first, and the token stack is loaded with the first scan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tokenio.info import PinState, TokenInfo
from tokenio.watch import TokenChange, TokenWatcher

if TYPE_CHECKING:
    from tokenio.drivers import BinaryArch
    from tokenio.worker import TokenService

__all__ = ["PinState", "TokenChange", "TokenInfo", "TokenService", "TokenWatcher", "check_module"]


def check_module(path: str) -> BinaryArch:
    """A driver file the user names: raise the coded error when it is missing, not a module, or of the
    wrong bitness (checked from its header, before anything is loaded)."""
    from tokenio.drivers import check_loadable

    return check_loadable(path)


def __getattr__(name: str) -> Any:
    if name == "TokenService":  # for type hints and factories: loads the PKCS#11 stack on first use
        from tokenio.worker import TokenService

        return TokenService
    raise AttributeError(name)
