"""Browsers installed (helper.browsers) and the default one (Windows: registry UserChoice; Linux: xdg-settings)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from helper import browsers
from helper.diagnostics.facts import Facts
from helper.diagnostics.model import CheckResult, Status, result


def _default_windows() -> str:
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\Shell\Associations"
                            r"\UrlAssociations\https\UserChoice") as key:
            return str(winreg.QueryValueEx(key, "ProgId")[0])
    except OSError:
        return ""


def _default_linux() -> str:
    if not shutil.which("xdg-settings"):
        return ""
    try:
        done = subprocess.run(["xdg-settings", "get", "default-web-browser"], capture_output=True, text=True,
                              timeout=2)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip().removesuffix(".desktop") if done.returncode == 0 else ""


def default_browser() -> str:
    """The default browser's id (Windows ProgId such as ChromeHTML, or a Linux .desktop name); "" when unknown."""
    return _default_windows() if sys.platform.startswith("win") else _default_linux()


def check_browsers(f: Facts) -> CheckResult:
    found = browsers.discover()
    if not found:
        return result("browsers", Status.WARNING, "DIAG_BROWSER_NONE")
    default = default_browser()
    details = [f"{b.name}: {b.path}" for b in found] + ([f"default: {default}"] if default else [])
    return result("browsers", Status.OK, "DIAG_BROWSER_OK", details, names="、".join(b.name for b in found),
                  default=default or "?")
