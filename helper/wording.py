"""Text for the faces: English counts ("1 file", "2 files"; Chinese needs no plural) and terminal columns."""

from __future__ import annotations

IRREGULAR = {"copy": "copies", "entry": "entries", "key": "keys", "day": "days"}


def count(n: int, noun: str) -> str:
    """``n`` and ``noun`` in the right number: count(1, "day") == "1 day", count(3, "page") == "3 pages"."""
    return f"{n} {noun if n == 1 else IRREGULAR.get(noun, noun + 's')}"


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes: Chinese characters and full-width punctuation take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` terminal columns."""
    return text + " " * max(0, width - columns(text))
