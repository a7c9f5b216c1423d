"""Logging to a rotating file in the user's log folder. PINs and key material are never logged.

The file handler is created on the first record, so commands that log nothing pay nothing for it.
"""

from __future__ import annotations

import logging

from helper import settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _LazyFileHandler(logging.Handler):
    """Opens cahelper.log (rotating, 3 × 2 MB) when the first record arrives."""

    def __init__(self) -> None:
        super().__init__()
        self._target: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._target is None:
            self._target = _open_file_handler()
        self._target.handle(record)


def _open_file_handler() -> logging.Handler:
    import logging.handlers

    try:
        folder = settings.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / "cahelper.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


def configure_logging(level: int = logging.INFO) -> None:
    """Send INFO and above to the log file (once per process)."""
    root = logging.getLogger()
    if any(isinstance(h, _LazyFileHandler) for h in root.handlers):
        return
    root.addHandler(_LazyFileHandler())
    root.setLevel(level)
