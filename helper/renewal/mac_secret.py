"""The CA's one-time MAC secret for a CMP reference: kept in the OS keyring or in memory, never in files."""

from __future__ import annotations

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "cahelper-renewal-cmp"


def remember(reference: str, secret: bytes) -> None:
    """Keep the secret for a retry; without a usable keyring it simply stays in the caller's memory."""
    try:
        keyring.set_password(SERVICE, reference, secret.decode("utf-8"))
    except KeyringError:
        pass


def recall(reference: str) -> bytes | None:
    try:
        value = keyring.get_password(SERVICE, reference)
    except KeyringError:
        return None
    return value.encode("utf-8") if value is not None else None


def forget(reference: str) -> None:
    """Drop the secret once the CA has used it (it is one-time)."""
    try:
        keyring.delete_password(SERVICE, reference)
    except (PasswordDeleteError, KeyringError):
        pass
