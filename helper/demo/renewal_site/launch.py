"""Start the demo CA renewal site, alone (the GUI runs the local service) or with a local service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helper.demo.pki import DemoPKI
from helper.demo.renewal_site.app import DEFAULT_PORT, RenewalSite
from helper.demo.sites import start_service_beside
from helper.keys import KeyService
from helper.local_service import LocalService, ServiceConfig
from helper.login.consent import ConsentUI
from helper.login.keyops import Limits


@dataclass
class RunningRenewalDemo:
    site: RenewalSite
    service: LocalService

    def stop(self) -> None:
        self.service.stop()
        self.site.stop()


def start_renewal_site(pki_dir: Path, port: int = DEFAULT_PORT, helper_url: str = "http://127.0.0.1:28960") -> RenewalSite:
    """The site alone, issuing from the demo CA whose keys are in ``pki_dir``."""
    site = RenewalSite(DemoPKI.load(pki_dir), port=port, helper_url=helper_url)
    site.start()
    return site


def start_renewal_demo(keys: KeyService, ui: ConsentUI | None, pki_dir: Path, *, site_port: int = DEFAULT_PORT,
                       service_port: int = 28960, limits: Limits | None = None) -> RunningRenewalDemo:
    """Site plus a local service that lets the site's origin use the renewal endpoints (asking ``ui``)."""
    site = start_renewal_site(pki_dir, site_port)
    service = LocalService(keys, ui, ServiceConfig(port=service_port, limits=limits or Limits()),
                           extra_origins=(site.origin,), renewal_origins=(site.origin,))
    start_service_beside(site, service)
    return RunningRenewalDemo(site, service)
