"""The SM2 test key (sm2token/, a PKCS#11 module in C on OpenSSL's SM2/SM3) for the demo and the tests:
building it, a config with its own token folder, token creation.

Like SoftHSM it keeps each token in a folder, named by ``SM2TOKEN_CONF``; tokens are created with
OpenSC's pkcs11-tool, as any PKCS#11 token would be.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ENV_CONF = "SM2TOKEN_CONF"
SOURCE = Path(__file__).resolve().parents[2] / "sm2token"
MODULE = SOURCE.parent / "build" / "sm2token" / "libsm2token.so"


def build() -> Path:
    """Compile the module when its source is newer than the build (make decides); returns its path."""
    subprocess.run(["make", "-s", "-C", str(SOURCE), f"OUT={MODULE.parent}"], check=True, capture_output=True)
    return MODULE


def configure(folder: Path, *, max_tries: int = 6) -> Path:
    """Create ``folder``/sm2token.conf with its own token folder; returns the config path."""
    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "sm2token.conf"
    conf.write_text(f"directories.tokendir = {tokens}\npin.max_tries = {max_tries}\n")
    return conf


def use(conf: Path) -> None:
    """Point this process (and its children) at an SM2 token config."""
    os.environ[ENV_CONF] = str(conf)


def init_token(conf: Path, label: str, user_pin: str, so_pin: str) -> str:
    """Create a token with both PINs set (pkcs11-tool); returns its serial.

    Demo and test tokens only: their PINs are well-known fixtures, so passing them to pkcs11-tool is
    acceptable here, unlike anything the helper does with a user's PIN.
    """
    env = {**os.environ, ENV_CONF: str(conf)}
    tool = ["pkcs11-tool", "--module", str(build())]

    def slots() -> str:
        return subprocess.run([*tool, "--list-slots"], env=env, check=True, capture_output=True, text=True).stdout

    empty = re.findall(r"^Slot \d+ \((0x[0-9a-f]+)\).*\n\s+token state:\s+uninitialized", slots(), re.M)
    before = set(os.listdir(conf.parent / "tokens"))
    subprocess.run([*tool, "--slot", str(int(empty[-1], 16)), "--init-token", "--label", label, "--so-pin", so_pin],
                   env=env, check=True, capture_output=True)
    (serial,) = set(os.listdir(conf.parent / "tokens")) - before
    # slot ids are per process (tokens are numbered in folder order): find the new token's slot again
    (slot,) = re.findall(rf"^Slot \d+ \((0x[0-9a-f]+)\)[^\n]*\n(?:\s+[^\n]*\n)*?\s+serial num\s+:\s+{serial}\s*$",
                         slots(), re.M)
    subprocess.run([*tool, "--slot", str(int(slot, 16)), "--init-pin", "--login", "--login-type", "so",
                    "--so-pin", so_pin, "--pin", user_pin], env=env, check=True, capture_output=True)
    return serial
