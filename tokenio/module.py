"""Loading a PKCS#11 module and enumerating its tokens into immutable TokenInfo values."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import sys
from dataclasses import dataclass

import pkcs11
import pkcs11.exceptions as p11e
from pkcs11 import TokenFlag

from tokenio.drivers import ModuleCandidate, check_loadable
from tokenio.errors import ModuleInitFailed, ModuleInvalid, PinState, TokenRemoved, translate

log = logging.getLogger(__name__)

# PKCS#11 v2.40 token flags not named by python-pkcs11's TokenFlag.
CKF_USER_PIN_COUNT_LOW = 0x00010000
CKF_USER_PIN_FINAL_TRY = 0x00020000
CKF_USER_PIN_LOCKED = 0x00040000
CKF_USER_PIN_TO_BE_CHANGED = 0x00080000
CKF_SO_PIN_COUNT_LOW = 0x00100000
CKF_SO_PIN_FINAL_TRY = 0x00200000
CKF_SO_PIN_LOCKED = 0x00400000


@dataclass(frozen=True)
class TokenInfo:
    """A snapshot of one token (USB key). Identify it by ``serial`` (and ``label``), never by slot id."""

    module_path: str
    module_name: str
    slot_id: int
    slot_description: str
    label: str
    manufacturer: str
    model: str
    serial: str
    pin: PinState
    initialized: bool
    protected_auth_path: bool
    write_protected: bool
    free_public_memory: int | None = None
    total_public_memory: int | None = None
    free_private_memory: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Identity across enumerations: (module, serial)."""
        return (self.module_path, self.serial)


def pin_state_from_flags(flags: int) -> PinState:
    return PinState(
        initialized=bool(flags & TokenFlag.USER_PIN_INITIALIZED),
        count_low=bool(flags & CKF_USER_PIN_COUNT_LOW),
        final_try=bool(flags & CKF_USER_PIN_FINAL_TRY),
        locked=bool(flags & CKF_USER_PIN_LOCKED),
        to_be_changed=bool(flags & CKF_USER_PIN_TO_BE_CHANGED),
        so_count_low=bool(flags & CKF_SO_PIN_COUNT_LOW),
        so_final_try=bool(flags & CKF_SO_PIN_FINAL_TRY),
        so_locked=bool(flags & CKF_SO_PIN_LOCKED),
    )


_users: dict[str, int] = {}


class LoadedModule:
    """A module loaded into this process. Used only on the TokenService thread.

    python-pkcs11 shares one library object per path in a process, so the module is finalized only
    when its last user releases it.
    """

    def __init__(self, candidate: ModuleCandidate) -> None:
        check_loadable(candidate.path)
        self.candidate = candidate
        self.path = candidate.path
        try:
            self.lib = pkcs11.lib(candidate.path)
        except p11e.PKCS11Error as exc:
            text = str(exc)
            if "loading" in text or "symbol" in text.lower() or "C_GetFunctionList" in text:
                raise ModuleInvalid(text, path=candidate.path) from exc
            raise ModuleInitFailed(type(exc).__name__, path=candidate.path) from exc
        self._memory = _TokenMemoryReader(candidate.path)
        self.scanned = False  # a module just initialised already sees the current tokens
        _users[self.path] = _users.get(self.path, 0) + 1

    def release(self) -> None:
        """Give the module up; C_Finalize when nobody else in the process uses it."""
        _users[self.path] = max(0, _users.get(self.path, 1) - 1)
        if not _users[self.path] and self.lib.initialized:
            with contextlib.suppress(p11e.PKCS11Error):
                self.lib.finalize()

    @property
    def description(self) -> str:
        return f"{self.lib.manufacturer_id} {self.lib.library_description}".strip()

    def reinitialize(self) -> None:
        """C_Finalize + C_Initialize: closes every session and makes the module rescan its tokens."""
        try:
            self.lib.reinitialize()
        except p11e.PKCS11Error as exc:
            raise ModuleInitFailed(type(exc).__name__, path=self.path) from exc

    def tokens(self) -> list[tuple[TokenInfo, pkcs11.Token]]:
        """Present, initialized tokens with their python-pkcs11 handles."""
        out = []
        try:
            if not self.lib.initialized:
                self.lib.initialize()
            slots = self.lib.get_slots(token_present=True)
        except p11e.PKCS11Error as exc:
            raise translate(exc) from exc
        for slot in slots:
            try:
                token = slot.get_token()
            except (p11e.TokenNotPresent, p11e.DeviceRemoved, p11e.SlotIDInvalid, p11e.TokenNotRecognised):
                continue
            flags = int(token.flags)
            if not flags & TokenFlag.TOKEN_INITIALIZED:
                continue
            memory = self._memory.read(slot.slot_id)
            out.append((
                TokenInfo(
                    module_path=self.path,
                    module_name=self.candidate.name,
                    slot_id=slot.slot_id,
                    slot_description=slot.slot_description.strip(),
                    label=token.label.strip(),
                    manufacturer=token.manufacturer_id.strip(),
                    model=token.model.strip(),
                    serial=token.serial.decode("ascii", "replace").strip(),
                    pin=pin_state_from_flags(flags),
                    initialized=True,
                    protected_auth_path=bool(flags & TokenFlag.PROTECTED_AUTHENTICATION_PATH),
                    write_protected=bool(flags & TokenFlag.WRITE_PROTECTED),
                    **memory,
                ),
                token,
            ))
        return out

    def token(self, serial: str) -> tuple[TokenInfo, pkcs11.Token]:
        for info, token in self.tokens():
            if info.serial == serial:
                return info, token
        raise TokenRemoved(serial)


class _CK_VERSION(ctypes.Structure):
    _fields_ = [("major", ctypes.c_ubyte), ("minor", ctypes.c_ubyte)]


class _CK_TOKEN_INFO(ctypes.Structure):
    _pack_ = 1 if sys.platform.startswith("win") else 0
    _fields_ = [
        ("label", ctypes.c_char * 32), ("manufacturerID", ctypes.c_char * 32),
        ("model", ctypes.c_char * 16), ("serialNumber", ctypes.c_char * 16),
        ("flags", ctypes.c_ulong), ("ulMaxSessionCount", ctypes.c_ulong),
        ("ulSessionCount", ctypes.c_ulong), ("ulMaxRwSessionCount", ctypes.c_ulong),
        ("ulRwSessionCount", ctypes.c_ulong), ("ulMaxPinLen", ctypes.c_ulong),
        ("ulMinPinLen", ctypes.c_ulong), ("ulTotalPublicMemory", ctypes.c_ulong),
        ("ulFreePublicMemory", ctypes.c_ulong), ("ulTotalPrivateMemory", ctypes.c_ulong),
        ("ulFreePrivateMemory", ctypes.c_ulong), ("hardwareVersion", _CK_VERSION),
        ("firmwareVersion", _CK_VERSION), ("utcTime", ctypes.c_char * 16),
    ]


_UNAVAILABLE = ctypes.c_ulong(-1).value


class _TokenMemoryReader:
    """Reads the memory fields of CK_TOKEN_INFO, which python-pkcs11 does not expose.

    The module is already initialised in this process, so calling its exported C_GetTokenInfo
    directly sees the same state. Modules that do not export the symbol report nothing.
    """

    def __init__(self, path: str) -> None:
        try:
            self._fn = getattr(ctypes.CDLL(path), "C_GetTokenInfo", None)
        except OSError:
            self._fn = None

    def read(self, slot_id: int) -> dict[str, int | None]:
        empty: dict[str, int | None] = {
            "free_public_memory": None, "total_public_memory": None, "free_private_memory": None,
        }
        if self._fn is None:
            return empty
        info = _CK_TOKEN_INFO()
        if self._fn(ctypes.c_ulong(slot_id), ctypes.byref(info)) != 0:
            return empty

        def value(v: int) -> int | None:
            return None if v in (_UNAVAILABLE, _UNAVAILABLE - 1) else int(v)

        return {
            "free_public_memory": value(info.ulFreePublicMemory),
            "total_public_memory": value(info.ulTotalPublicMemory),
            "free_private_memory": value(info.ulFreePrivateMemory),
        }
