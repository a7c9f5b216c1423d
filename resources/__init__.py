"""Data files shipped with the helper: driver and portal registries, messages, fonts, icons, CA certificates."""

from pathlib import Path

_ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """The shipped file or folder ``parts`` below ``resources/`` (also inside the installed bundle)."""
    return _ROOT.joinpath(*parts)
