"""Values describing tokens, free of PKCS#11 bindings so that faces can import them before any driver loads."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace

# PKCS#11 v2.40 token flags.
CKF_LOGIN_REQUIRED = 0x00000004
CKF_USER_PIN_INITIALIZED = 0x00000008
CKF_PROTECTED_AUTHENTICATION_PATH = 0x00000100
CKF_TOKEN_INITIALIZED = 0x00000400
CKF_WRITE_PROTECTED = 0x00000002
CKF_USER_PIN_COUNT_LOW = 0x00010000
CKF_USER_PIN_FINAL_TRY = 0x00020000
CKF_USER_PIN_LOCKED = 0x00040000
CKF_USER_PIN_TO_BE_CHANGED = 0x00080000
CKF_SO_PIN_COUNT_LOW = 0x00100000
CKF_SO_PIN_FINAL_TRY = 0x00200000
CKF_SO_PIN_LOCKED = 0x00400000


@dataclass(frozen=True)
class PinState:
    """The user/SO PIN flags of a token (snapshots: re-read after every operation)."""

    initialized: bool = True
    count_low: bool = False
    final_try: bool = False
    locked: bool = False
    to_be_changed: bool = False
    so_count_low: bool = False
    so_final_try: bool = False
    so_locked: bool = False

    @property
    def summary(self) -> str:
        """One word for the user PIN state: ok, count_low, final_try, locked, to_be_changed, uninitialized."""
        if not self.initialized:
            return "uninitialized"
        if self.locked:
            return "locked"
        if self.final_try:
            return "final_try"
        if self.count_low:
            return "count_low"
        if self.to_be_changed:
            return "to_be_changed"
        return "ok"


def pin_state_from_flags(flags: int) -> PinState:
    return PinState(
        initialized=bool(flags & CKF_USER_PIN_INITIALIZED),
        count_low=bool(flags & CKF_USER_PIN_COUNT_LOW),
        final_try=bool(flags & CKF_USER_PIN_FINAL_TRY),
        locked=bool(flags & CKF_USER_PIN_LOCKED),
        to_be_changed=bool(flags & CKF_USER_PIN_TO_BE_CHANGED),
        so_count_low=bool(flags & CKF_SO_PIN_COUNT_LOW),
        so_final_try=bool(flags & CKF_SO_PIN_FINAL_TRY),
        so_locked=bool(flags & CKF_SO_PIN_LOCKED),
    )


@dataclass(frozen=True)
class TokenInfo:
    """A snapshot of one token: module + slot + token (serial, label, model, manufacturer).

    ``id`` is short and unique within one listing, and stable across listings of the same keys, so a user
    can name a token with it even when serials repeat (NSS softokn's two slots, vendor keys with blank
    serials). ``usb_key`` is False for slots that are not a key: an uninitialised token, or a module's
    internal service token that holds no objects and needs no login.
    """

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
    id: str = ""
    usb_key: bool = True
    login_required: bool = True

    @property
    def key(self) -> tuple[str, str]:
        """Identity across enumerations: (module, id)."""
        return (self.module_path, self.id)

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """What the token says about itself: (manufacturer, model, serial, label)."""
        return (self.manufacturer, self.model, self.serial, self.label)

    def matches(self, ref: str) -> str | None:
        """How ``ref`` names this token: "id", "serial", "label", or None."""
        if ref.lower() == self.id.lower():
            return "id"
        if ref == self.serial:
            return "serial"
        if ref == self.label:
            return "label"
        return None


ID_LENGTH = 6


def assign_ids(tokens: Iterable[TokenInfo]) -> list[TokenInfo]:
    """Give each token a short id unique in this listing.

    The id hashes the module's file name and what the token says about itself, so a key keeps its id in
    another USB port. Tokens without a serial (blank, or zeros like NSS's two slots' 0000000000000000) add
    their slot id, so that a twin put in later does not change the first one's id; so do tokens that say the
    same. Ids are lengthened on a collision.
    """
    items = list(tokens)
    seen: dict[tuple, int] = {}
    for t in items:
        seen[(t.module_path, t.identity)] = seen.get((t.module_path, t.identity), 0) + 1
    digests = []
    for t in items:
        parts = [os.path.basename(t.module_path), *t.identity]
        if not t.serial.strip("0 ") or seen[(t.module_path, t.identity)] > 1:
            parts.append(str(t.slot_id))
        digests.append(hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest())
    length = ID_LENGTH
    while len({d[:length] for d in digests}) < len(set(digests)) and length < 40:
        length += 2
    return [replace(t, id=d[:length]) for t, d in zip(items, digests, strict=True)]
