"""Portal reachability: HEAD every portal of the registry in parallel, with a short timeout.

An unreachable portal is reported as the network's or the site's problem, not the helper's.
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from helper import portals as registry
from helper.diagnostics.facts import Facts
from helper.diagnostics.model import CheckResult, Status, result
from helper.messages import HelperError


def configured_portals() -> tuple[tuple[str, str], ...]:
    """(name, url) of every visible portal; empty when the registry cannot be read (another page says why)."""
    try:
        return tuple((p.name, p.url) for p in registry.load())
    except HelperError:
        return ()


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
    portals = f.env.portal_urls if f.env.portal_urls is not None else configured_portals()
    if not portals:
        return result("portals", Status.SKIPPED, "DIAG_SKIPPED_NO_PORTALS")
    with ThreadPoolExecutor(max_workers=min(16, len(portals))) as pool:
        answers = list(pool.map(lambda p: _reachable(p[1], f.env.timeout), portals))
    pairs = list(zip(portals, answers, strict=True))
    details = [f"{name}: {url} — {'OK' if ok else 'unreachable'}" for (name, url), ok in pairs]
    down = [name for (name, _), ok in pairs if not ok]
    if not down:
        return result("portals", Status.OK, "DIAG_PORTALS_OK", details, count=len(portals))
    if len(down) == len(portals):
        return result("portals", Status.WARNING, "DIAG_PORTALS_OFFLINE", details)
    return result("portals", Status.WARNING, "DIAG_PORTALS_SOME_DOWN", details, names="、".join(down))
