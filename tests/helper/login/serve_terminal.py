"""`cahelper serve` on a pseudo-terminal, as a clerk runs it: type into it, read what it shows, call its service."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# The pty becomes the controlling terminal (/dev/tty) of the new session, as a login shell's is, and Ctrl+C
# interrupts as in a shell's foreground job (a test run started in the background inherits SIGINT ignored).
BOOT = ("import fcntl, runpy, signal, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
        "signal.signal(signal.SIGINT, signal.default_int_handler); "
        "sys.argv = ['cahelper', *sys.argv[1:]]; runpy.run_module('helper.cli.main', run_name='__main__')")


def portal_home(home: Path, origins: dict[str, str], approved: tuple[str, ...] = ()) -> Path:
    """A helper home whose portal list names ``origins`` ({origin: site name}) as users of the service, and
    where the user already approved ``approved``."""
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    lines = []
    for n, (origin, name) in enumerate(origins.items()):
        lines += ["[[portal]]", f'id = "site{n}"', f'name = "{name}"', 'region = "测试"', f'url = "{origin}/"',
                  "needs_service = true", ""]
    (config / "portals.toml").write_text("\n".join(lines), "utf-8")
    quoted = ", ".join(f'"{o}"' for o in approved)
    (config / "settings.toml").write_text(f"approved_origins = [{quoted}]\n", "utf-8")
    return home


def approved_origins(home: Path) -> str:
    return (home / "config" / "settings.toml").read_text("utf-8")


class ServeTerminal:
    """``cahelper serve ARGS`` with a pty as its terminal; ``screen`` is everything it printed so far."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.master, self.slave = os.openpty()
        self.proc = subprocess.Popen([sys.executable, "-c", BOOT, "serve", "--port", "0", *args],
                                     stdin=self.slave, stdout=self.slave, stderr=self.slave, cwd=ROOT,
                                     env={**env, "PYTHONPATH": str(ROOT)}, start_new_session=True)
        self._out = bytearray()
        self._lock = threading.Lock()
        threading.Thread(target=self._pump, daemon=True).start()
        found = self.wait_for(r"http://127\.0\.0\.1:(\d+)", timeout=60)
        self.port = int(found.group(1))

    def _pump(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self._out += chunk

    @property
    def screen(self) -> str:
        with self._lock:
            return self._out.decode("utf-8", "replace")

    def mark(self) -> int:
        """A position in ``screen``: wait_for(after=...) looks only at what came after it."""
        return len(self.screen)

    def wait_for(self, pattern: str, *, after: int = 0, timeout: float = 30) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.screen[after:])
            if found:
                return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} not shown; the terminal shows:\n{self.screen[after:]}")

    def type(self, text: str) -> None:
        os.write(self.master, text.encode("utf-8"))

    def echo_on(self) -> bool:
        return bool(termios.tcgetattr(self.slave)[3] & termios.ECHO)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)  # Ctrl+C
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        os.close(self.master)
        os.close(self.slave)
