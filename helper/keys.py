"""The key service both faces use: keys present, their certificates, PIN change/unblock, login.

Wraps tokenio's TokenService with the certificate model and the PIN policy; knows nothing of
terminals or windows (PINs come in as bytearrays from whichever face asked for them).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from helper import settings
from helper.inventory import CertEntry, Inventory, sort_entries
from helper.messages import HelperError
from helper.pin import PinPolicy, is_default
from tokenio.drivers import ENV_MODULE
from tokenio.info import TokenInfo
from tokenio.worker import SessionHandle, TokenService, wipe

__all__ = ["CertEntry", "KeyService", "LoginResult", "make_service"]


@dataclass(frozen=True)
class LoginResult:
    session: SessionHandle
    default_pin: bool  # the user proved the key still has a default PIN


def make_service(extra_modules: Iterable[str] = ()) -> TokenService:
    """A TokenService for this run.

    Modules named for this run (``extra_modules`` from --module, or $CAHELPER_PKCS11_MODULE) are used
    alone; otherwise the registry's modules plus those the user added in Settings.
    """
    named = tuple(extra_modules)
    if named or os.environ.get(ENV_MODULE):
        return TokenService(named, use_registry=False)
    return TokenService(tuple(settings.load().module_paths))


class KeyService:
    def __init__(self, service: TokenService, policy: PinPolicy | None = None) -> None:
        self.tokens_service = service
        self.inventory = Inventory(service)
        conf = settings.load()
        self.policy = policy or PinPolicy(conf.pin_min_length, conf.pin_max_length)

    def tokens(self, *, all_slots: bool = False) -> list[TokenInfo]:
        """The USB keys present (every slot with a token when ``all_slots``)."""
        return self.inventory.tokens(all_slots=all_slots)

    def reread(self) -> None:
        """Forget what was read from the keys (another program may have changed one): the next listing asks the
        keys again."""
        self.tokens_service.invalidate()

    def find_token(self, ref: str | None = None) -> TokenInfo:
        """The key named by ``ref`` (the id `tokens` shows, its serial or label), or the only key."""
        return self.inventory.token(ref)

    def certificates(self, ref: str | None = None) -> list[CertEntry]:
        """Certificates on one key (``ref``) or on every inserted key, signing certificates first."""
        tokens = [self.find_token(ref)] if ref else self.tokens()
        if len(tokens) == 1:
            return self.inventory.certificates(tokens[0])
        return sort_entries([e for token in tokens for e in self.inventory.certificates(token)])

    def find_certificate(self, cert_id: str, ref: str | None = None) -> CertEntry:
        """By fingerprint prefix (at least 8 hex digits) or CKA_ID hex."""
        wanted = cert_id.lower()
        matches = [
            e for e in self.certificates(ref)
            if (e.info and len(wanted) >= 8 and e.info.sha256.startswith(wanted)) or e.cka_id.hex() == wanted
            or e.id == wanted
        ]
        if len(matches) != 1:
            raise HelperError("CERT_NOT_FOUND", id=cert_id)
        return matches[0]

    def change_pin(self, serial: str, old: bytearray, new: bytearray, repeat: bytearray | None = None) -> TokenInfo:
        """Policy first (nothing reaches the key on a policy failure), then C_SetPIN."""
        self._check_policy(new, repeat, old=old, secrets=(old, new))
        return self.tokens_service.change_pin(serial, old, new)

    def unblock_pin(self, serial: str, so_pin: bytearray, new: bytearray, repeat: bytearray | None = None) -> TokenInfo:
        """Policy first, then C_InitPIN with the SO PIN."""
        self._check_policy(new, repeat, old=None, secrets=(so_pin, new))
        return self.tokens_service.unblock_pin(serial, so_pin, new)

    def _check_policy(self, new: bytearray, repeat: bytearray | None, *, old: bytearray | None,
                      secrets: tuple[bytearray, ...]) -> None:
        """Raise the first policy problem, wiping every buffer on failure (and ``repeat`` always)."""
        def text(b: bytearray | None) -> str | None:
            return None if b is None else b.decode("utf-8", "replace")

        try:
            self.policy.check(text(new), text(old), text(repeat))
        except HelperError:
            for secret in secrets:
                wipe(secret)
            raise
        finally:
            wipe(repeat)

    def login(self, serial: str, pin: bytearray, *, rw: bool = False) -> LoginResult:
        """Log in for one operation; tells whether the PIN just proven is a default one."""
        if not pin:
            raise HelperError("PIN_EMPTY")
        default = is_default(pin.decode("utf-8", "replace"))
        return LoginResult(self.tokens_service.open_session(serial, pin, rw=rw), default)

