"""Key checks: a key is inserted, its PIN is usable, it has room for a renewed certificate."""

from __future__ import annotations

from helper.diagnostics.facts import Facts
from helper.diagnostics.model import CheckResult, Status, result

LOW_SPACE_BYTES = 4096  # a renewed certificate plus its key object need a few KB

# PinState.summary -> (status, catalogue code), most serious first.
_PIN = {
    "uninitialized": (Status.ERROR, "DIAG_PIN_UNINITIALIZED"),
    "locked": (Status.ERROR, "DIAG_PIN_LOCKED"),
    "final_try": (Status.WARNING, "DIAG_PIN_FINAL_TRY"),
    "count_low": (Status.WARNING, "DIAG_PIN_COUNT_LOW"),
    "to_be_changed": (Status.WARNING, "DIAG_PIN_TO_BE_CHANGED"),
}


def _name(token) -> str:
    return f"{token.label} [{token.serial}]"


def check_key(f: Facts) -> CheckResult:
    tokens = f.tokens()
    details = [f"{_name(t)} {t.manufacturer} {t.model} — {t.module_name}" for t in tokens]
    if not tokens:
        if f.env.serial:
            return result("key", Status.ERROR, "DIAG_KEY_NOT_FOUND", serial=f.env.serial)
        return result("key", Status.ERROR, "DIAG_KEY_ABSENT")
    return result("key", Status.OK, "DIAG_KEY_OK", details, count=len(tokens),
                  labels="、".join(t.label for t in tokens))


def check_pin(f: Facts) -> CheckResult:
    tokens = f.tokens_or_none()
    if not tokens:
        return result("pin", Status.SKIPPED, "DIAG_SKIPPED_NO_KEY")
    details = [f"{_name(t)}: {t.pin.summary}" + (" (SO locked)" if t.pin.so_locked else "") for t in tokens]
    for summary, (status, code) in _PIN.items():
        hit = next((t for t in tokens if t.pin.summary == summary), None)
        if hit is not None:
            return result("pin", status, code, details, label=hit.label, serial=hit.serial)
    so_locked = next((t for t in tokens if t.pin.so_locked), None)
    if so_locked is not None:
        return result("pin", Status.WARNING, "DIAG_SO_PIN_LOCKED", details, label=so_locked.label)
    return result("pin", Status.OK, "DIAG_PIN_OK", details)


def check_space(f: Facts) -> CheckResult:
    tokens = f.tokens_or_none()
    if not tokens:
        return result("key-space", Status.SKIPPED, "DIAG_SKIPPED_NO_KEY")
    reported = [t for t in tokens if t.free_public_memory is not None]
    if not reported:
        return result("key-space", Status.SKIPPED, "DIAG_SKIPPED_NO_SPACE_INFO")
    details = [f"{_name(t)}: {t.free_public_memory} bytes free" for t in reported]
    low = next((t for t in reported if t.free_public_memory < LOW_SPACE_BYTES), None)
    if low is not None:
        return result("key-space", Status.WARNING, "DIAG_KEY_SPACE_LOW", details, label=low.label,
                      free=low.free_public_memory)
    return result("key-space", Status.OK, "DIAG_KEY_SPACE_OK", details)
