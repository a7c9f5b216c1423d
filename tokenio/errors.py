"""Typed token errors, translated once from PKCS#11 return codes.

Each error carries a stable ``code`` (a key of the message catalogue in ``resources/messages``)
and the state a face needs to render it (e.g. the PIN flags after a failed login).
tokenio never renders text for users.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pkcs11.exceptions as p11e

from tokenio.info import PinState


class TokenError(Exception):
    """Base of every tokenio failure; ``code`` names the catalogue entry."""

    code = "TOKEN_FAILED"

    def __init__(self, detail: str = "", **params: Any) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        self.params: dict[str, Any] = {"detail": detail, **params}


class ModuleNotFound(TokenError):
    code = "MODULE_NOT_FOUND"


class ModuleInvalid(TokenError):
    """The file exists but is not a loadable PKCS#11 module."""

    code = "MODULE_INVALID"


class ModuleWrongArch(TokenError):
    code = "MODULE_WRONG_ARCH"


class ModuleInitFailed(TokenError):
    code = "MODULE_INIT_FAILED"


class ModuleShared(TokenError):
    """The module's library is already initialised in this process through another module (a wrapper or a
    proxy): it is used once, through that other module."""

    code = "MODULE_SHARED"


class NoModule(TokenError):
    """No driver at all was found on this computer."""

    code = "NO_MODULE"


class TokenAbsent(TokenError):
    code = "TOKEN_ABSENT"


class TokenAmbiguous(TokenError):
    code = "TOKEN_AMBIGUOUS"


class TokenRemoved(TokenError):
    code = "TOKEN_REMOVED"


class PinError(TokenError):
    """A PIN failure; ``state`` is the token's PIN state read right after it."""

    def __init__(self, detail: str = "", state: PinState | None = None, **params: Any) -> None:
        super().__init__(detail, **params)
        self.state = state or PinState()


class PinIncorrect(PinError):
    code = "PIN_INCORRECT"

    def __init__(self, detail: str = "", state: PinState | None = None, **params: Any) -> None:
        super().__init__(detail, state, **params)
        if self.state.locked:
            self.code = "PIN_LOCKED"
        elif self.state.final_try:
            self.code = "PIN_INCORRECT_FINAL_TRY"
        elif self.state.count_low:
            self.code = "PIN_INCORRECT_COUNT_LOW"


class SoPinIncorrect(PinError):
    code = "SO_PIN_INCORRECT"

    def __init__(self, detail: str = "", state: PinState | None = None, **params: Any) -> None:
        super().__init__(detail, state, **params)
        if self.state.so_locked:
            self.code = "SO_PIN_LOCKED"
        elif self.state.so_final_try:
            self.code = "SO_PIN_INCORRECT_FINAL_TRY"


class PinLocked(PinError):
    code = "PIN_LOCKED"


class SoPinLocked(PinError):
    code = "SO_PIN_LOCKED"


class PinLengthInvalid(PinError):
    code = "PIN_LENGTH_INVALID"


class PinRejected(PinError):
    """The key refused the new PIN (too weak or invalid characters)."""

    code = "PIN_REJECTED_BY_KEY"


class PinExpired(PinError):
    code = "PIN_EXPIRED"


class ObjectUnreadable(TokenError):
    code = "OBJECT_UNREADABLE"


class ObjectNotFound(TokenError):
    code = "OBJECT_NOT_FOUND"


class MechanismUnsupported(TokenError):
    code = "MECHANISM_UNSUPPORTED"


class Sm2Unsupported(TokenError):
    """The driver offers none of the SM2 mechanisms of the known profiles (resources/drivers.toml)."""

    code = "SM2_UNSUPPORTED"


class TokenFull(TokenError):
    code = "TOKEN_FULL"


class TokenWriteProtected(TokenError):
    code = "TOKEN_WRITE_PROTECTED"


class TokenBusy(TokenError):
    code = "TOKEN_BUSY"


_REMOVED = (p11e.DeviceRemoved, p11e.TokenNotPresent, p11e.SessionClosed, p11e.SessionHandleInvalid,
            p11e.SlotIDInvalid, p11e.TokenNotRecognised)


def translate(exc: p11e.PKCS11Error, *, so: bool = False, state: PinState | None = None) -> TokenError:
    """Map a python-pkcs11 exception to the TokenError a face can render."""
    name = type(exc).__name__
    if isinstance(exc, p11e.PinIncorrect):
        return (SoPinIncorrect if so else PinIncorrect)(name, state)
    if isinstance(exc, p11e.PinLocked):
        return (SoPinLocked if so else PinLocked)(name, state)
    if isinstance(exc, p11e.PinLenRange):
        return PinLengthInvalid(name, state)
    if isinstance(exc, p11e.PinInvalid | p11e.PinTooWeak):
        return PinRejected(name, state)
    if isinstance(exc, p11e.PinExpired):
        return PinExpired(name, state)
    if isinstance(exc, _REMOVED):
        return TokenRemoved(name)
    if isinstance(exc, p11e.DeviceMemory):
        return TokenFull(name)
    if isinstance(exc, p11e.TokenWriteProtected):
        return TokenWriteProtected(name)
    if isinstance(exc, p11e.MechanismInvalid | p11e.MechanismParamInvalid | p11e.FunctionNotSupported):
        return MechanismUnsupported(name)
    if isinstance(exc, p11e.SessionCount | p11e.OperationActive | p11e.UserAlreadyLoggedIn |
                  p11e.AnotherUserAlreadyLoggedIn):
        return TokenBusy(name)  # logged in already: another operation of ours (a batch) holds the key
    return TokenError(name or str(exc))


@contextlib.contextmanager
def translated(*, so: bool = False) -> Iterator[None]:
    """Re-raise python-pkcs11 exceptions inside the block as TokenErrors."""
    try:
        yield
    except p11e.PKCS11Error as exc:
        raise translate(exc, so=so) from exc
