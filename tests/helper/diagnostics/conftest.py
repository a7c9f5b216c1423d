"""Diagnostics test helpers: an Environment aimed at temp folders, and tokens built in a broken state."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from helper.demo import softhsm
from helper.demo.pki import DemoPKI
from helper.demo.token import DEMO_SO_PIN, DEMO_USER_PIN, provision
from helper.diagnostics import Environment
from tokenio.worker import TokenService


@pytest.fixture()
def ca_dir(tmp_path: Path, demo_pki: DemoPKI, session_dir: Path) -> Path:
    """A user CA folder holding the demo root and issuing CA, like the session's."""
    folder = tmp_path / "ca"
    folder.mkdir()
    shutil.copy(session_dir / "pki" / "root.pem", folder / "demo-root.pem")
    shutil.copy(session_dir / "pki" / "ca.pem", folder / "demo-ca.pem")
    return folder


@pytest.fixture()
def env(token_service: TokenService, ca_dir: Path, tmp_path: Path) -> Callable[..., Environment]:
    """Factory: an Environment on the session's SoftHSM that touches nothing outside ``tmp_path``."""

    def make(**changes) -> Environment:
        base = Environment(tokens=token_service, home=tmp_path / "home", nss_dirs=(), user_ca_dir=ca_dir,
                           bundled_ca=(), portal_urls=(), log_dir=tmp_path / "logs")
        return dataclasses.replace(base, **changes)

    return make


@pytest.fixture(scope="session")
def token_from(softhsm_conf: Path, token_service: TokenService) -> Callable[..., str]:
    """Factory: a fresh SoftHSM key whose one signing certificate comes from ``pki`` (serial returned)."""
    counter = iter(range(1, 1000))

    def make(pki: DemoPKI, *, label: str | None = None, provisioned: bool = True, days: int = 365) -> str:
        serial = softhsm.init_token(softhsm_conf, label or f"检测U盾{next(counter)}", DEMO_USER_PIN, DEMO_SO_PIN)
        token_service.rescan()  # as the watcher does when a key is inserted
        if provisioned:
            provision(token_service, serial, pki, keys=(("ec-p256", "sign"),), days=days)
        return serial

    return make
