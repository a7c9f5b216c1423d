"""Safe file output: temp file in the target folder, fsync, rename; never overwrite unless asked.
And one inter-process lock (fcntl on POSIX, msvcrt on Windows) for files several processes append to.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from helper.messages import HelperError

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once: the process's umask, as every other program's new files get it


@contextlib.contextmanager
def atomic_output(path: Path | str, *, overwrite: bool = False, parents: bool = False,
                  private: bool = False) -> Iterator[BinaryIO]:
    """Yield a file to write; on success it replaces ``path`` atomically, on failure nothing is left.

    The file gets the usual permissions (0666 less the umask; a replaced file keeps its mode), or 0600 when
    ``private``. The folder must exist unless ``parents`` (the helper's own data folders). Failures are
    HelperError OUTPUT_EXISTS, OUTPUT_FOLDER_MISSING, DISK_FULL or OUTPUT_NOT_WRITABLE.
    """
    path = Path(path)
    check_output(path, overwrite=overwrite, parents=parents)
    try:
        if parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise output_error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), 0o600 if private else _mode_for(path))
            yield f
            f.flush()
            os.fsync(f.fileno())
        if not overwrite and path.exists():
            raise HelperError("OUTPUT_EXISTS", path=str(path))
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise output_error(path, exc) from exc
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_UMASK


def check_output(path: Path | str, *, overwrite: bool = False, parents: bool = False) -> None:
    """Refuse an output that cannot be written, before any work (or PIN) is spent on it: HelperError
    OUTPUT_EXISTS, OUTPUT_IS_FOLDER, OUTPUT_FOLDER_MISSING or OUTPUT_NOT_WRITABLE."""
    path = Path(path)
    if path.is_dir():
        raise HelperError("OUTPUT_IS_FOLDER", path=str(path))
    if path.exists() and not overwrite:
        raise HelperError("OUTPUT_EXISTS", path=str(path))
    folder = path.parent
    if parents:
        return
    if not folder.is_dir():
        raise HelperError("OUTPUT_FOLDER_MISSING", path=str(path), folder=str(folder))
    if not os.access(folder, os.W_OK):
        raise HelperError("OUTPUT_NOT_WRITABLE", path=str(path), detail=os.strerror(errno.EACCES))


def output_error(path: Path, exc: OSError) -> HelperError:
    """The coded message for an OSError met writing ``path``."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return HelperError("DISK_FULL", path=str(path))
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return HelperError("OUTPUT_FOLDER_MISSING", path=str(path), folder=str(path.parent))
    return HelperError("OUTPUT_NOT_WRITABLE", path=str(path), detail=exc.strerror or type(exc).__name__)


def atomic_write_bytes(path: Path | str, data: bytes, *, overwrite: bool = False, parents: bool = False,
                       private: bool = False) -> None:
    with atomic_output(path, overwrite=overwrite, parents=parents, private=private) as f:
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


def fsync_dir(folder: Path | str) -> None:
    """Make a rename or a new file in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(path: Path | str, data: bytes) -> None:
    """Write ``data`` over ``path`` (the helper's own data folders, made as needed) so that after a crash the
    file holds the old or the new content, never a mix."""
    atomic_write_bytes(path, data, overwrite=True, parents=True)
    fsync_dir(Path(path).parent)


def append_durably(path: Path | str, line: str) -> None:
    """Append one line (UTF-8) and fsync; a crash leaves at most a torn last line for the reader to skip."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(line.rstrip("\n") + "\n")
        f.flush()
        os.fsync(f.fileno())
    fsync_dir(path.parent)
