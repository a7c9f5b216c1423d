"""English counts for the faces: "1 file", "2 files" (Chinese needs no plural)."""

from __future__ import annotations

IRREGULAR = {"copy": "copies", "entry": "entries", "key": "keys", "day": "days"}


def count(n: int, noun: str) -> str:
    """``n`` and ``noun`` in the right number: count(1, "day") == "1 day", count(3, "page") == "3 pages"."""
    return f"{n} {noun if n == 1 else IRREGULAR.get(noun, noun + 's')}"
