"""Safe file output: temp file in the target folder, fsync, rename; never overwrite unless asked.
And one inter-process lock (fcntl on POSIX, msvcrt on Windows) for files several processes append to.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from helper.messages import HelperError


@contextlib.contextmanager
def atomic_output(path: Path | str, *, overwrite: bool = False) -> Iterator[BinaryIO]:
    """Yield a file to write; on success it replaces ``path`` atomically, on failure nothing is left."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise HelperError("OUTPUT_EXISTS", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if not overwrite and path.exists():
            raise HelperError("OUTPUT_EXISTS", path=str(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: Path | str, data: bytes, *, overwrite: bool = False) -> None:
    with atomic_output(path, overwrite=overwrite) as f:
        f.write(data)


@contextlib.contextmanager
def exclusive_lock(path: Path | str) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created if missing) against every other process and
    thread; blocks until it is free. The lock goes with the process if it dies."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _lock_fd(fd)
        try:
            yield
        finally:
            _unlock_fd(fd)
    finally:
        os.close(fd)


if os.name == "nt":
    import msvcrt
    import time

    def _lock_fd(fd: int) -> None:
        while True:  # LK_LOCK gives up after 10 s; keep waiting as fcntl does
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:
                time.sleep(0.05)

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
