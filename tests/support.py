"""Constants and small helpers for tests (no side effects: safe to import from any test module)."""

from __future__ import annotations

SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"
OPENCRYPTOKI = "/usr/lib/x86_64-linux-gnu/opencryptoki/libopencryptoki.so.0"
OCK_SLOT = "3"
OCK_SO_PIN = "12345678"
OCK_USER_PIN = "123456"


def pin(value: str) -> bytearray:
    """A PIN buffer as the faces hand it to services."""
    return bytearray(value.encode())
