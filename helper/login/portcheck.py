"""Which program holds a local TCP port, where the OS can tell (Linux /proc, Windows netstat + tasklist)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

_LISTEN = "0A"


def holder(port: int) -> str | None:
    """``name (PID n)`` of the process listening on ``port``, or None when it cannot be found out."""
    try:
        if sys.platform.startswith("linux"):
            return _linux(port)
        if sys.platform.startswith("win"):
            return _windows(port)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return None


def _linux_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port and inode != "0":
                inodes.add(inode)
    return inodes


def _linux(port: int) -> str | None:
    inodes = _linux_inodes(port)
    if not inodes:
        return None
    wanted = {f"socket:[{i}]" for i in inodes}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"{fd_dir}/{fd}") in wanted:
                    name = Path(f"/proc/{pid}/comm").read_text().strip()
                    return f"{name} (PID {pid})"
            except OSError:
                continue
    return None


def _windows(port: int) -> str | None:
    out = subprocess.run(["netstat", "-ano", "-p", "TCP"], capture_output=True, text=True, timeout=10).stdout
    pid = None
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[3].upper() == "LISTENING" and fields[1].rsplit(":", 1)[-1] == str(port):
            pid = fields[4]
            break
    if pid is None:
        return None
    listing = subprocess.run(["tasklist", "/FI", f"PID eq {pid}", "/FO", "CSV", "/NH"], capture_output=True,
                             text=True, timeout=10).stdout
    rows = list(csv.reader(io.StringIO(listing)))
    name = rows[0][0] if rows and rows[0] and rows[0][0] else "?"
    return f"{name} (PID {pid})"
