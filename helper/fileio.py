"""Safe file output: temp file in the target folder, fsync, rename; never overwrite unless asked."""

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
