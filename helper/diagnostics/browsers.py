"""Browsers installed and the default one (Windows: registry; Linux: PATH and xdg-settings)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from helper.diagnostics.facts import Facts
from helper.diagnostics.model import CheckResult, Status, result

LINUX_BROWSERS = (
    ("Chromium", "chromium"), ("Chromium", "chromium-browser"), ("Google Chrome", "google-chrome"),
    ("Microsoft Edge", "microsoft-edge"), ("Firefox", "firefox"), ("360安全浏览器", "browser360"),
)


def _linux() -> tuple[list[str], str]:
    found = list(dict.fromkeys(name for name, exe in LINUX_BROWSERS if shutil.which(exe)))
    default = ""
    if shutil.which("xdg-settings"):
        try:
            done = subprocess.run(["xdg-settings", "get", "default-web-browser"], capture_output=True, text=True,
                                  timeout=2)
            default = done.stdout.strip().removesuffix(".desktop") if done.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            default = ""
    return found, default


def _windows() -> tuple[list[str], str]:
    import winreg

    found: list[str] = []
    for root in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        try:
            with winreg.OpenKey(root, r"SOFTWARE\Clients\StartMenuInternet") as key:
                for i in range(winreg.QueryInfoKey(key)[0]):
                    sub = winreg.EnumKey(key, i)
                    with winreg.OpenKey(key, sub) as entry:
                        name = winreg.QueryValueEx(entry, "")[0] if winreg.QueryInfoKey(entry)[1] else sub
                    found.append(str(name or sub))
        except OSError:
            continue
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\Shell\Associations"
                            r"\UrlAssociations\https\UserChoice") as key:
            default = str(winreg.QueryValueEx(key, "ProgId")[0])
    except OSError:
        default = ""
    return list(dict.fromkeys(found)), default


def installed() -> tuple[list[str], str]:
    """(browser names, default browser id or "")."""
    return _windows() if sys.platform.startswith("win") else _linux()


def check_browsers(f: Facts) -> CheckResult:
    found, default = installed()
    if not found:
        return result("browsers", Status.WARNING, "DIAG_BROWSER_NONE")
    return result("browsers", Status.OK, "DIAG_BROWSER_OK", found + ([f"default: {default}"] if default else []),
                  names="、".join(found), default=default or "?")
