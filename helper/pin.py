"""PIN policy, checked before anything reaches the key.

The default PIN 123456 is reported only when the user proved it by logging in with it; the helper
never probes a key with guessed PINs.
"""

from __future__ import annotations

from dataclasses import dataclass

from helper.messages import HelperError

DEFAULT_PINS = frozenset({"123456", "12345678", "1234"})
WEAK_PINS = frozenset({"123456", "654321", "12345678", "87654321", "123123", "112233", "abcdef", "qwerty",
                       "password", "888888", "666666", "520520", "147258", "123321"})


@dataclass(frozen=True)
class PinPolicy:
    min_length: int = 6
    max_length: int = 16

    def problems(self, new: str, old: str | None = None, repeat: str | None = None) -> list[str]:
        """Every catalogue code the new PIN violates, in the order a form would show them."""
        found = []
        if not self.min_length <= len(new) <= self.max_length:
            found.append("PIN_POLICY_LENGTH")
        if not new.isascii() or not new.isprintable():
            found.append("PIN_POLICY_CHARACTERS")
        if is_weak(new):
            found.append("PIN_POLICY_WEAK")
        if old is not None and new == old:
            found.append("PIN_POLICY_SAME_AS_OLD")
        if repeat is not None and new != repeat:
            found.append("PIN_POLICY_MISMATCH")
        return found

    def check(self, new: str, old: str | None = None, repeat: str | None = None) -> None:
        """Raise the first problem as a HelperError."""
        problems = self.problems(new, old, repeat)
        if problems:
            raise HelperError(problems[0], min=self.min_length, max=self.max_length)


def is_weak(pin: str) -> bool:
    """Trivially guessable: a known weak PIN, one repeated character, or an ascending/descending run."""
    if pin.lower() in WEAK_PINS or len(set(pin)) == 1:
        return True
    if len(pin) >= 4 and pin.isdigit():
        steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
        if steps in ({1}, {9}):
            return True
    return False


def is_default(pin: str) -> bool:
    return pin in DEFAULT_PINS
