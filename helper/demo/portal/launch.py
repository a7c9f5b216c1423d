"""Start the demo portal together with the local service (./dev demo, the GUI's demo mode, tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helper import certs, seals
from helper.demo.portal.app import DEFAULT_PORT, DemoPortal
from helper.demo.sites import start_service_beside
from helper.keys import CertEntry, KeyService
from helper.local_service import LocalService, ServiceConfig
from helper.login.consent import ConsentUI
from helper.login.keyops import Limits
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


def start_portal(pki_dir: Path, port: int = DEFAULT_PORT, helper_url: str = "http://127.0.0.1:28960") -> DemoPortal:
    """The demo portal alone (when the GUI runs the local service), trusting the demo CA in ``pki_dir``."""
    portal = DemoPortal(*_demo_trust(pki_dir), port=port, helper_url=helper_url)
    portal.start()
    return portal


def _demo_trust(pki_dir: Path) -> tuple[list[bytes], list[bytes]]:
    """The demo CA's root and issuing CA, and the SM2 demo CA's root beside it (国密演示U盾 logs in too)."""
    roots = certs.load_certificates((pki_dir / "root.pem").read_bytes())
    sm2_root = pki_dir.parent / "sm2pki" / "root.pem"
    if sm2_root.exists():
        roots += certs.load_certificates(sm2_root.read_bytes())
    return roots, certs.load_certificates((pki_dir / "ca.pem").read_bytes())


def start_login_demo(keys: KeyService, ui: ConsentUI | None, pki_dir: Path, *, portal_port: int = DEFAULT_PORT,
                     service_port: int = 28960, limits: Limits | None = None) -> RunningDemo:
    """Portal on 127.0.0.1:``portal_port`` trusting the demo CA in ``pki_dir``, and the local service with
    the portal's origin on its allowlist. The service asks ``ui`` for every key use."""
    portal = start_portal(pki_dir, portal_port)
    service = LocalService(keys, ui, ServiceConfig(port=service_port, limits=limits or Limits()), seal=demo_seal,
                           extra_origins=(portal.origin,))
    start_service_beside(portal, service)
    return RunningDemo(portal, service)



def login_tour(env: dict[str, str], pki_dir: Path) -> int:
    """For the CLI tour: start portal + local service briefly, show `cahelper portals list`, stop.

    No one can confirm key use here, so the service refuses key operations (NO_CONSENT_UI)."""
    import os
    import subprocess
    import sys

    from helper.keys import make_service

    tokens = make_service()
    demo = start_login_demo(KeyService(tokens), None, pki_dir)
    try:
        print(f"\n演示社保网站 / demo portal: {demo.portal.origin}/   本地服务 / local service: {demo.service.url}")
        print("\n$ cahelper portals list    # 社保网报 / portals", flush=True)
        return subprocess.call([sys.executable, "-m", "helper.cli.main", "portals", "list"], env={**os.environ, **env})
    finally:
        demo.stop()
        tokens.shutdown()
