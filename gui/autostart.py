"""Start at login: the Windows Run key for the current user, or an XDG autostart .desktop file."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from helper.messages import HelperError

ENTRY = "cahelper"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def command() -> list[str]:
    """How this installation starts the window (frozen executable, or the venv's Python)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--minimized"]
    return [sys.executable, "-m", "gui.app", "--minimized"]


def desktop_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / f"{ENTRY}.desktop"


def is_enabled() -> bool:
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                winreg.QueryValueEx(key, ENTRY)
                return True
        except OSError:
            return False
    return desktop_file().exists()


def set_enabled(enabled: bool) -> None:
    """Create or remove the start-up entry; HelperError GUI_AUTOSTART_FAILED on failure."""
    if sys.platform == "win32":
        _set_windows(enabled)
        return
    path = desktop_file()
    try:
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = ("[Desktop Entry]\nType=Application\nName=数字证书助手\nName[en]=Certificate Helper\n"
                    f"Exec={shlex.join(command())}\nX-GNOME-Autostart-enabled=true\nTerminal=false\n")
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, "utf-8")
            tmp.replace(path)
        else:
            path.unlink(missing_ok=True)
    except OSError as exc:
        raise HelperError("GUI_AUTOSTART_FAILED", path=str(path), detail=exc.strerror or type(exc).__name__) from exc


def _set_windows(enabled: bool) -> None:
    import subprocess
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            if enabled:
                winreg.SetValueEx(key, ENTRY, 0, winreg.REG_SZ, subprocess.list2cmdline(command()))
            else:
                try:
                    winreg.DeleteValue(key, ENTRY)
                except FileNotFoundError:
                    pass
    except OSError as exc:
        raise HelperError("GUI_AUTOSTART_FAILED", path="HKCU\\" + RUN_KEY, detail=str(exc)) from exc
