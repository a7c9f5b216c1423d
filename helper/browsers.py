"""Browser discovery (Windows: registry App Paths; elsewhere: PATH) and opening a URL in the preferred one."""

from __future__ import annotations

import shutil
import subprocess
import sys
import webbrowser
from dataclasses import dataclass

from helper.messages import HelperError

# key -> (display name, Windows App Paths executable names, names looked up on PATH)
KNOWN: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "chrome": ("Google Chrome", ("chrome.exe",), ("google-chrome", "google-chrome-stable", "chromium",
                                                   "chromium-browser")),
    "edge": ("Microsoft Edge", ("msedge.exe",), ("microsoft-edge", "microsoft-edge-stable")),
    "360": ("360极速浏览器", ("360chrome.exe", "360ChromeX.exe"), ("browser360-cn-stable",)),
    "firefox": ("Firefox", ("firefox.exe",), ("firefox", "firefox-esr")),
}
PREFERENCE = ("chrome", "edge", "360", "firefox")


@dataclass(frozen=True)
class Browser:
    key: str
    name: str
    path: str


def _windows_app_path(exe: str) -> str | None:
    import winreg  # type: ignore[import-not-found]

    sub = rf"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\{exe}"
    for hive in (winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE):
        try:
            with winreg.OpenKey(hive, sub) as key:
                value, _ = winreg.QueryValueEx(key, None)
                return str(value) if value else None
        except OSError:
            continue
    return None


def _locate(key: str) -> str | None:
    _, exes, names = KNOWN[key]
    if sys.platform.startswith("win"):
        return next((p for p in map(_windows_app_path, exes) if p), None)
    return next((p for p in map(shutil.which, names) if p), None)


def discover() -> list[Browser]:
    """Installed browsers we know, in order of preference."""
    out = []
    for key in PREFERENCE:
        path = _locate(key)
        if path:
            out.append(Browser(key, KNOWN[key][0], path))
    return out


def open_url(url: str, preferred: str = "default") -> str:
    """Open ``url`` in ``preferred`` (else the first installed known browser, else the system default).

    Returns the name of the browser used; HelperError BROWSER_FAILED when nothing could be started.
    """
    found = discover()
    ordered = [b for b in found if b.key == preferred] + [b for b in found if b.key != preferred]
    for browser in ordered:
        try:
            subprocess.Popen([browser.path, url], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
            return browser.name
        except OSError:
            continue
    try:
        if webbrowser.open(url):
            return "default"
    except webbrowser.Error as exc:
        raise HelperError("BROWSER_FAILED", url=url, detail=str(exc)) from exc
    raise HelperError("BROWSER_FAILED", url=url, detail="no browser found")
