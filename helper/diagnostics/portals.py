"""Portal reachability: HEAD every portal in resources/portals.toml in parallel, with a short timeout.

An unreachable portal is reported as the network's or the site's problem, not the helper's.
"""

from __future__ import annotations

import ssl
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import Any

from helper.diagnostics.facts import Facts
from helper.diagnostics.model import CheckResult, Status, result

URL_KEYS = ("url", "login_url", "home", "origin")


def configured_portals() -> tuple[tuple[str, str], ...]:
    """(name, url) of every portal in resources/portals.toml; empty when the file is missing or unreadable."""
    try:
        raw = tomllib.loads((resources.files("resources") / "portals.toml").read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return ()
    out: list[tuple[str, str]] = []
    for value in raw.values():
        entries = value if isinstance(value, list) else [value]
        for entry in entries:
            if isinstance(entry, dict):
                url = next((entry[k] for k in URL_KEYS if isinstance(entry.get(k), str)), None)
                if url and url.startswith(("http://", "https://")):
                    out.append((str(entry.get("name", url)), url))
    return tuple(dict.fromkeys(out))


def _reachable(url: str, timeout: float) -> bool:
    # Only "does the site answer" is asked, and nothing is sent: certificate checks are the browser's job
    # (government sites often use roots Python does not know).
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "cahelper-diagnostics"})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the site is there
    except (OSError, ValueError):
        return False


def check_portals(f: Facts) -> CheckResult:
    portals: Any = f.env.portal_urls if f.env.portal_urls is not None else configured_portals()
    if not portals:
        return result("portals", Status.SKIPPED, "DIAG_SKIPPED_NO_PORTALS")
    with ThreadPoolExecutor(max_workers=min(16, len(portals))) as pool:
        answers = list(pool.map(lambda p: _reachable(p[1], f.env.timeout), portals))
    details = [f"{name}: {url} — {'OK' if ok else 'unreachable'}" for (name, url), ok in zip(portals, answers, strict=True)]
    down = [name for (name, _), ok in zip(portals, answers, strict=True) if not ok]
    if not down:
        return result("portals", Status.OK, "DIAG_PORTALS_OK", details, count=len(portals))
    if len(down) == len(portals):
        return result("portals", Status.WARNING, "DIAG_PORTALS_OFFLINE", details)
    return result("portals", Status.WARNING, "DIAG_PORTALS_SOME_DOWN", details, names="、".join(down))
