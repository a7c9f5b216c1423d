"""Start the demo portal together with the local service (./dev demo, the GUI's demo mode, tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helper import certs, seals
from helper.demo.portal.app import DEFAULT_PORT, DemoPortal
from helper.keys import CertEntry, KeyService
from helper.login.consent import ConsentUI
from helper.login.keyops import Limits
from helper.login.server import LocalService, ServiceConfig
from tokenio.worker import SessionHandle


@dataclass
class RunningDemo:
    portal: DemoPortal
    service: LocalService

    def stop(self) -> None:
        self.service.stop()
        self.portal.stop()


def demo_seal(session: SessionHandle, entry: CertEntry) -> bytes | None:
    """The demo's seal image: a round 演示专用章 with the unit name (marked DEMO)."""
    return seals.make_demo_seal(entry.info.unit).png if entry.info else None


def start_login_demo(keys: KeyService, ui: ConsentUI | None, pki_dir: Path, *, portal_port: int = DEFAULT_PORT,
                     service_port: int = 28960, limits: Limits | None = None) -> RunningDemo:
    """Portal on 127.0.0.1:``portal_port`` trusting the demo CA in ``pki_dir``, and the local service with
    the portal's origin on its allowlist. The service asks ``ui`` for every key use."""
    root = certs.load_certificates((pki_dir / "root.pem").read_bytes())
    issuing = certs.load_certificates((pki_dir / "ca.pem").read_bytes())
    portal = DemoPortal(root, issuing, port=portal_port)
    portal.start()
    service = LocalService(keys, ui, ServiceConfig(port=service_port, limits=limits or Limits()), seal=demo_seal,
                           extra_origins=(portal.origin,))
    try:
        service.start()
    except BaseException:
        portal.stop()
        raise
    portal.helper_url = service.url
    return RunningDemo(portal, service)

