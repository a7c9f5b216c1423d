"""SoftHSM folders for the demo and the tests: a config file, a token directory, token creation."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def configure(folder: Path) -> Path:
    """Create ``folder``/softhsm2.conf with its own token directory; returns the config path."""
    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    return conf


def use(conf: Path) -> None:
    """Point this process (and its children) at a SoftHSM config."""
    os.environ["SOFTHSM2_CONF"] = str(conf)


def init_token(conf: Path, label: str, user_pin: str, so_pin: str) -> str:
    """Initialise a new SoftHSM token (softhsm2-util); returns its serial.

    Demo and test tokens only: their PINs are well-known fixtures, so passing them to softhsm2-util
    is acceptable here, unlike anything the helper does with a user's PIN.
    """
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    out = subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", user_pin, "--so-pin", so_pin],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    # "The token has been initialized and is reassigned to slot 123456789"
    slot = out.strip().split()[-1]
    return _serial_in_slot(conf, slot)


def _serial_in_slot(conf: Path, slot: str) -> str:
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    listing = subprocess.run(["softhsm2-util", "--show-slots"], env=env, check=True, capture_output=True,
                             text=True).stdout
    current = None
    for line in listing.splitlines():
        if line.startswith("Slot "):
            current = line.split()[1]
        elif current == slot and "Serial number:" in line:
            return line.split(":", 1)[1].strip()
    raise RuntimeError(f"no token in slot {slot}")


def delete_token(conf: Path, serial: str) -> None:
    """Remove a token's directory: SoftHSM's equivalent of pulling the key out."""
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(["softhsm2-util", "--delete-token", "--serial", serial], env=env, check=True,
                   capture_output=True)


def token_dirs(conf: Path) -> list[Path]:
    tokens = conf.parent / "tokens"
    return [p for p in tokens.iterdir() if p.is_dir()] if tokens.is_dir() else []


def unplug(conf: Path, serial: str, stash: Path) -> Path:
    """Move a token's folder away (like pulling the key); ``plug_back`` restores it."""
    for d in token_dirs(conf):
        if serial in _serial_of(d):
            target = stash / d.name
            shutil.move(str(d), target)
            return target
    raise FileNotFoundError(serial)


def plug_back(conf: Path, stashed: Path) -> None:
    shutil.move(str(stashed), conf.parent / "tokens" / stashed.name)


def _serial_of(token_dir: Path) -> str:
    # SoftHSM names a token folder after a UUID and keeps the serial as plain text in token.object.
    obj = token_dir / "token.object"
    return obj.read_bytes().decode("latin-1") if obj.exists() else ""
