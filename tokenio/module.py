"""Loading a PKCS#11 module once and enumerating its slots into immutable TokenInfo values."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace
from typing import Any

import pkcs11
import pkcs11.exceptions as p11e

from tokenio.attributes import VENDOR_MAPPER, vendor_text
from tokenio.drivers import ModuleCandidate, check_loadable
from tokenio.errors import ModuleInitFailed, ModuleInvalid, ModuleShared, TokenError, TokenRemoved, translate
from tokenio.info import (
    CKF_LOGIN_REQUIRED,
    CKF_PROTECTED_AUTHENTICATION_PATH,
    CKF_TOKEN_INITIALIZED,
    CKF_WRITE_PROTECTED,
    TokenInfo,
    pin_state_from_flags,
)
from tokenio.p11raw import raw_module

log = logging.getLogger(__name__)

_users: dict[str, int] = {}


class LoadedModule:
    """A module loaded and C_Initialize'd once in this process. Used only on the TokenService thread.

    python-pkcs11 shares one library object per path in a process, so the module is finalized only
    when its last user releases it. A library already initialised through another module (pkcs11-spy or
    p11-kit-proxy wrapping it) raises ModuleShared: it is then used through that other module only.
    """

    def __init__(self, candidate: ModuleCandidate) -> None:
        check_loadable(candidate.path)
        self.candidate = candidate
        self.path = candidate.path
        try:
            self.lib = pkcs11.lib(candidate.path)
        except p11e.PKCS11Error as exc:
            text = str(exc)
            if "already initialized" in text:
                raise ModuleShared(text, path=candidate.path, other="") from exc
            if "loading" in text or "symbol" in text.lower() or "C_GetFunctionList" in text:
                raise ModuleInvalid(text, path=candidate.path) from exc
            raise ModuleInitFailed(type(exc).__name__, path=candidate.path) from exc
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
        """C_Finalize + C_Initialize: closes every session and makes the module rescan its tokens.

        Only the hot-plug rescan calls this, and only for modules marked ``rescan_by_reinitialize``.
        """
        try:
            self.lib.reinitialize()
        except p11e.PKCS11Error as exc:
            raise ModuleInitFailed(type(exc).__name__, path=self.path) from exc

    def tokens(self) -> list[tuple[TokenInfo, pkcs11.Token]]:
        """Every slot with a token present, USB key or not (``id`` not yet assigned: see ``assign_ids``)."""
        out = []
        try:
            slots = self.lib.get_slots(token_present=True)
        except p11e.PKCS11Error as exc:
            raise translate(exc) from exc
        for slot in slots:
            try:
                token = slot.get_token()
            except (p11e.TokenNotPresent, p11e.DeviceRemoved, p11e.SlotIDInvalid, p11e.TokenNotRecognised):
                continue
            except p11e.PKCS11Error as exc:  # e.g. GeneralError while a key is being pulled out
                log.info("slot %s of %s not read: %s", slot.slot_id, self.path, type(exc).__name__)
                continue
            out.append((self.describe(token), token))
        return out

    def describe(self, token: pkcs11.Token, *, usb_key: bool | None = None) -> TokenInfo:
        """TokenInfo of a token just read; ``usb_key`` is decided here unless the caller knows it."""
        flags = int(token.flags)
        slot = token.slot
        initialized = bool(flags & CKF_TOKEN_INITIALIZED)
        login_required = bool(flags & CKF_LOGIN_REQUIRED)
        if usb_key is None:
            usb_key = initialized and (login_required or self._has_objects(token))
        direct = self._raw_token_info(slot.slot_id)
        return TokenInfo(
            module_path=self.path,
            module_name=self.candidate.name,
            slot_id=slot.slot_id,
            slot_description=slot.slot_description.strip(),
            label=direct.pop("label", None) or token.label.strip(),
            manufacturer=token.manufacturer_id.strip(),
            model=token.model.strip(),
            serial=token.serial.decode("ascii", "replace").strip(),
            pin=pin_state_from_flags(flags),
            initialized=initialized,
            protected_auth_path=bool(flags & CKF_PROTECTED_AUTHENTICATION_PATH),
            write_protected=bool(flags & CKF_WRITE_PROTECTED),
            usb_key=usb_key,
            login_required=login_required,
            **direct,
        )

    def reread(self, info: TokenInfo, token: pkcs11.Token) -> tuple[TokenInfo, pkcs11.Token]:
        """The same token read again (one C_GetTokenInfo): PIN flags are snapshots."""
        try:
            fresh = token.slot.get_token()
        except p11e.PKCS11Error as exc:
            raise TokenRemoved(type(exc).__name__, serial=info.serial) from exc
        now = self.describe(fresh, usb_key=info.usb_key)
        if now.identity != info.identity:
            raise TokenRemoved("another token in the slot", serial=info.serial)
        return replace(now, id=info.id), fresh

    def close_all_sessions(self, slot_id: int) -> None:
        """C_CloseAllSessions: ends a session python-pkcs11 left open after a failed C_Login."""
        raw_module(self.path).close_all_sessions(slot_id)

    def _raw_token_info(self, slot_id: int) -> dict[str, Any]:
        """CK_TOKEN_INFO's memory fields, and its label decoded as a vendor writes it (UTF-8, else GBK:
        python-pkcs11 reads it as UTF-8 only, and a GBK label would come out as replacement characters)."""
        fields: dict[str, Any] = {"free_public_memory": None, "total_public_memory": None,
                                  "free_private_memory": None}
        try:
            label, memory = raw_module(self.path).token_info(slot_id)
        except TokenError:
            return fields
        return {**fields, **memory, "label": vendor_text(label).strip()}

    @staticmethod
    def _has_objects(token: pkcs11.Token) -> bool:
        """An initialised token that needs no login is a key only when it holds objects (NSS's internal
        crypto-services token holds none)."""
        try:
            with token.open(attribute_mapper=VENDOR_MAPPER) as session:
                return next(iter(session.get_objects()), None) is not None
        except (p11e.PKCS11Error, KeyError, ValueError):  # vendor objects python-pkcs11 cannot classify
            return True

