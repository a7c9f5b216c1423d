"""The inventory: the keys present and their certificates, read once per operation.

tokenio keeps the slots and certificate objects until the watcher or the helper's own writes invalidate
them (``TokenService.generation``); this keeps the parsed certificates for the same lifetime, so `sign`,
`certs`, `cert show`, the GUI pages and the local service read a key once per operation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from helper.messages import HelperError
from tokenio.info import TokenInfo

if TYPE_CHECKING:
    from helper import certs
    from tokenio.session import CertObject
    from tokenio.worker import TokenService


@dataclass(frozen=True)
class CertEntry:
    """A certificate as found on a key: parsed ``info``, or ``problem`` when unreadable.

    ``cka_id`` is the certificate object's; ``key_id`` the CKA_ID of its private key, which differs
    when the two were paired by public key (keys set up with other tools).
    """

    token: TokenInfo
    label: str
    cka_id: bytes
    info: certs.CertInfo | None
    problem: str | None
    key_id: bytes | None

    @property
    def has_key(self) -> bool:
        return self.key_id is not None

    @property
    def id(self) -> str:
        return self.info.id if self.info else f"bad-{self.cka_id.hex() or self.label}"


class Inventory:
    """Tokens and their parsed certificates, valid while the token service's inventory is."""

    def __init__(self, service: TokenService) -> None:
        self._service = service
        self._entries: dict[str, list[CertEntry]] = {}
        self._generation = -1
        self._lock = threading.Lock()  # the GUI's jobs and the local service read it from several threads

    def tokens(self, *, all_slots: bool = False) -> list[TokenInfo]:
        return self._service.tokens(all_slots=all_slots)

    def token(self, ref: str | None = None) -> TokenInfo:
        return self._service.find(ref)

    def certificates(self, token: TokenInfo) -> list[CertEntry]:
        """The certificates on ``token``, signing certificates first. A reading that the key changed during
        (a write or hot-plug moved the generation on) is returned but not kept."""
        generation = self._service.generation
        with self._lock:
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation
            kept = self._entries.get(token.id)
        if kept is not None:
            return kept
        entries = sort_entries([entry(token, obj) for obj in self._service.certificates(token.id)])
        with self._lock:
            if self._service.generation == generation == self._generation:
                self._entries[token.id] = entries
        return entries


def sort_entries(entries: list[CertEntry]) -> list[CertEntry]:
    return sorted(entries, key=lambda e: (e.info is None, e.info is not None and not e.info.is_signing))


def entry(token: TokenInfo, obj: CertObject) -> CertEntry:
    from helper import certs

    info = None
    problem = obj.problem
    if obj.der is not None:
        try:
            info = certs.parse(obj.der)
        except HelperError:
            problem = "unparseable certificate"
    return CertEntry(token, obj.label, obj.cka_id, info, problem, obj.key.cka_id if obj.key else None)
