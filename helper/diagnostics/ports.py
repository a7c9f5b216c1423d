"""Which program holds a local TCP port (Linux: /proc; Windows: netstat + tasklist)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def owner(port: int) -> str | None:
    """``"name (pid N)"`` of the process holding ``port`` on this computer, when the OS can tell."""
    try:
        if sys.platform.startswith("win"):
            return _windows_owner(port)
        return _linux_owner(port)
    except (OSError, ValueError, subprocess.SubprocessError):
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
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(local.rsplit(":", 1)[1], 16) == port and set(remote.rsplit(":", 1)[1]) == {"0"}:
                inodes.add(inode)
    return inodes - {"0"}


def _linux_owner(port: int) -> str | None:
    wanted = {f"socket:[{inode}]" for inode in _linux_inodes(port)}
    if not wanted:
        return None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"{fd_dir}/{fd}") in wanted:
                    return f"{_linux_name(pid)} (pid {pid})"
            except OSError:
                continue
    return None


def _linux_name(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def _windows_owner(port: int) -> str | None:
    flags = 0x08000000  # CREATE_NO_WINDOW
    out = subprocess.run(["netstat", "-ano", "-p", "TCP"], capture_output=True, text=True, timeout=5,
                         creationflags=flags).stdout
    pid = next((line.split()[-1] for line in out.splitlines()
                if len(line.split()) >= 5 and line.split()[1].endswith(f":{port}")), None)
    if pid is None:
        return None
    listing = subprocess.run(["tasklist", "/FI", f"PID eq {pid}", "/FO", "CSV", "/NH"], capture_output=True,
                             text=True, timeout=5, creationflags=flags).stdout.strip()
    name = listing.split(",")[0].strip('"') if listing.startswith('"') else "?"
    return f"{name} (pid {pid})"
