"""Fixtures for the CMP client tests: the test PKI and `openssl cmp` mock servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cmp_pki import CmpServer, Pki, build_pki, start_server


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return build_pki(tmp_path_factory.mktemp("cmp-pki"))


@pytest.fixture
def cmp_server(tmp_path: Path) -> Iterator[Callable[..., CmpServer]]:
    """Factory: start `openssl cmp -port N ARGS` on loopback; every server is killed afterwards."""
    servers: list[CmpServer] = []

    def start(*args: str) -> CmpServer:
        servers.append(start_server(tmp_path, *args))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()
