"""Logging to a rotating file in the user's log folder. PINs and key material are never logged.

The file handler is created on the first record, so commands that log nothing pay nothing for it.
The helper's own loggers write from INFO; third-party libraries (fontTools, pyHanko, aiohttp…) only from
WARNING, so their chatter does not crowd the log or the support report.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from helper import settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
OWN_LOGGERS = ("helper", "gui", "tokenio", "cahelper")
_RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ([^\s:]+): ")


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
    """Send the helper's INFO and above, and other libraries' WARNING and above, to the log file (once per
    process)."""
    root = logging.getLogger()
    if any(isinstance(h, _LazyFileHandler) for h in root.handlers):
        return
    root.addHandler(_LazyFileHandler())
    root.setLevel(max(level, logging.WARNING))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)


def own_lines(lines: Iterable[str]) -> list[str]:
    """The lines of the helper's own records (continuation lines such as tracebacks go with their record)."""
    out, keep = [], False
    for line in lines:
        start = _RECORD_START.match(line)
        if start is not None:
            keep = start[1].split(".")[0] in OWN_LOGGERS
        if keep:
            out.append(line)
    return out
