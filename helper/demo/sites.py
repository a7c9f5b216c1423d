"""What the demo websites (social-insurance portal, CA renewal site) share when run with a local service."""

from __future__ import annotations

from typing import Protocol

from helper.login.service import LocalService


class DemoSite(Protocol):
    origin: str
    helper_url: str

    def stop(self) -> None: ...


def start_service_beside(site: DemoSite, service: LocalService) -> None:
    """Start ``service`` for the running ``site`` and point the site's pages at it. If the service cannot
    start (its port is taken), the site is stopped too and the error raised."""
    try:
        service.start()
    except BaseException:
        site.stop()
        raise
    site.helper_url = service.url
