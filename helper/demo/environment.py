"""The demo environment: a demo PKI, a SoftHSM demo key, an SM2 demo key (国密) with its SM2 demo CA,
and a helper home, created once in a folder."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from helper.demo import sm2token, softhsm
from helper.demo.pki import DEMO_UNIT, DemoPKI
from helper.demo.sm2pki import Sm2DemoCA
from helper.demo.token import DEMO_SO_PIN, DEMO_USER_PIN, provision
from helper.settings import ENV_HOME
from tokenio.drivers import ENV_MODULE
from tokenio.worker import TokenService

DEMO_LABEL = "石家庄示例科技-U盾"
SM2_DEMO_LABEL = "国密演示U盾"
SM2_DEMO_KEYS = (("sm2", "sign"), ("sm2", "enc"))  # a Chinese CA's SM2 pair: signing + encryption


@dataclass(frozen=True)
class DemoEnvironment:
    folder: Path
    softhsm_conf: Path
    home: Path
    pki_dir: Path
    serial: str
    sm2_conf: Path
    sm2_serial: str

    @property
    def sm2_ca_dir(self) -> Path:
        return self.folder / "sm2pki"

    @property
    def env(self) -> dict[str, str]:
        """Environment for helper processes using the demo (no secrets: PINs are typed or piped)."""
        return {
            "SOFTHSM2_CONF": str(self.softhsm_conf),
            sm2token.ENV_CONF: str(self.sm2_conf),
            ENV_HOME: str(self.home),
            ENV_MODULE: os.pathsep.join((softhsm.SOFTHSM_MODULE, str(sm2token.MODULE))),
        }

    def activate(self) -> None:
        os.environ.update(self.env)


def ensure(folder: Path, *, reset: bool = False) -> tuple[DemoEnvironment, bool]:
    """Create the demo in ``folder`` unless it is there already; returns (environment, created)."""
    marker, sm2_marker = folder / "serial.txt", folder / "sm2-serial.txt"
    if reset and folder.exists():
        shutil.rmtree(folder)
    conf = folder / "softhsm" / "softhsm2.conf"
    sm2token.build()
    if marker.exists() and sm2_marker.exists() and conf.exists() and softhsm.token_dirs(conf):
        return _environment(folder, marker.read_text().strip(), sm2_marker.read_text().strip()), False
    if folder.exists():
        shutil.rmtree(folder)
    pki = DemoPKI.create()
    pki.write(folder / "pki")
    conf = softhsm.configure(folder / "softhsm")
    serial = softhsm.init_token(conf, DEMO_LABEL, DEMO_USER_PIN, DEMO_SO_PIN)
    sm2_conf = sm2token.configure(folder / "sm2token")
    sm2_serial = sm2token.init_token(sm2_conf, SM2_DEMO_LABEL, DEMO_USER_PIN, DEMO_SO_PIN)
    env = _environment(folder, serial, sm2_serial)
    env.activate()
    service = TokenService((softhsm.SOFTHSM_MODULE, str(sm2token.MODULE)), use_registry=False)
    try:
        provision(service, serial, pki)
        provision(service, sm2_serial, Sm2DemoCA.create(env.sm2_ca_dir), keys=SM2_DEMO_KEYS)
    finally:
        service.shutdown()
    ca_dir = env.home / "data" / "ca"
    ca_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(folder / "pki" / "root.pem", ca_dir / "demo-root.pem")
    shutil.copy(folder / "pki" / "ca.pem", ca_dir / "demo-ca.pem")
    shutil.copy(env.sm2_ca_dir / "root.pem", ca_dir / "demo-sm2-root.pem")
    marker.write_text(serial)
    sm2_marker.write_text(sm2_serial)
    return env, True


def _environment(folder: Path, serial: str, sm2_serial: str) -> DemoEnvironment:
    return DemoEnvironment(
        folder=folder,
        softhsm_conf=folder / "softhsm" / "softhsm2.conf",
        home=folder / "home",
        pki_dir=folder / "pki",
        serial=serial,
        sm2_conf=folder / "sm2token" / "sm2token.conf",
        sm2_serial=sm2_serial,
    )


__all__ = ["DEMO_LABEL", "DEMO_SO_PIN", "DEMO_UNIT", "DEMO_USER_PIN", "SM2_DEMO_LABEL", "DemoEnvironment", "ensure"]
