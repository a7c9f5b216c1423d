"""The demo environment: a demo PKI, a SoftHSM demo key and a helper home, created once in a folder."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from helper.demo import softhsm
from helper.demo.pki import DEMO_UNIT, DemoPKI
from helper.demo.token import DEMO_SO_PIN, DEMO_USER_PIN, provision
from helper.settings import ENV_HOME
from tokenio.drivers import ENV_MODULE
from tokenio.worker import TokenService

DEMO_LABEL = "石家庄示例科技-U盾"


@dataclass(frozen=True)
class DemoEnvironment:
    folder: Path
    softhsm_conf: Path
    home: Path
    pki_dir: Path
    serial: str

    @property
    def env(self) -> dict[str, str]:
        """Environment for helper processes using the demo (no secrets: PINs are typed or piped)."""
        return {
            "SOFTHSM2_CONF": str(self.softhsm_conf),
            ENV_HOME: str(self.home),
            ENV_MODULE: softhsm.SOFTHSM_MODULE,
        }

    def activate(self) -> None:
        os.environ.update(self.env)


def ensure(folder: Path, *, reset: bool = False) -> tuple[DemoEnvironment, bool]:
    """Create the demo in ``folder`` unless it is there already; returns (environment, created)."""
    marker = folder / "serial.txt"
    if reset and folder.exists():
        shutil.rmtree(folder)
    conf = folder / "softhsm" / "softhsm2.conf"
    if marker.exists() and conf.exists() and softhsm.token_dirs(conf):
        return _environment(folder, marker.read_text().strip()), False
    if folder.exists():
        shutil.rmtree(folder)
    pki = DemoPKI.create()
    pki.write(folder / "pki")
    conf = softhsm.configure(folder / "softhsm")
    serial = softhsm.init_token(conf, DEMO_LABEL, DEMO_USER_PIN, DEMO_SO_PIN)
    env = _environment(folder, serial)
    env.activate()
    service = TokenService((softhsm.SOFTHSM_MODULE,), use_registry=False)
    try:
        provision(service, serial, pki)
    finally:
        service.shutdown()
    ca_dir = env.home / "data" / "ca"
    ca_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(folder / "pki" / "root.pem", ca_dir / "demo-root.pem")
    shutil.copy(folder / "pki" / "ca.pem", ca_dir / "demo-ca.pem")
    marker.write_text(serial)
    return env, True


def _environment(folder: Path, serial: str) -> DemoEnvironment:
    return DemoEnvironment(
        folder=folder,
        softhsm_conf=folder / "softhsm" / "softhsm2.conf",
        home=folder / "home",
        pki_dir=folder / "pki",
        serial=serial,
    )


__all__ = ["DEMO_LABEL", "DEMO_SO_PIN", "DEMO_UNIT", "DEMO_USER_PIN", "DemoEnvironment", "ensure"]
