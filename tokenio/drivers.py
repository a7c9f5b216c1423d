"""The vendor module registry (resources/drivers.toml), module discovery and the bitness check.

The bitness check reads the ELF or PE header before anything is loaded, so a 32-bit vendor DLL
next to the 64-bit helper is explained in words instead of failing inside the loader.
"""

from __future__ import annotations

import os
import struct
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import resources
from tokenio.errors import ModuleInvalid, ModuleNotFound, ModuleWrongArch

ENV_MODULE = "CAHELPER_PKCS11_MODULE"


@dataclass(frozen=True)
class DriverEntry:
    """One vendor module of the registry."""

    name: str
    vendor: str
    files: tuple[str, ...]
    paths: tuple[str, ...]
    verified: bool
    rescan_by_reinitialize: bool
    auto: bool
    sm2: str | None = None  # the [sm2.NAME] mechanism profile, when the driver's SM2 values are known


@dataclass(frozen=True)
class ModuleCandidate:
    """A module file found on this computer (or named by the user)."""

    path: str
    name: str
    vendor: str
    verified: bool
    rescan_by_reinitialize: bool
    source: str  # "registry", "user", "environment"


@dataclass(frozen=True)
class BinaryArch:
    """What a module file is built for."""

    format: str  # "ELF", "PE", "Mach-O"
    bits: int
    machine: str


def os_key() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return "linux"


@cache
def table() -> dict:
    """resources/drivers.toml as read, once per process: the drivers and the SM2 profiles."""
    return tomllib.loads(resources.path("drivers.toml").read_text("utf-8"))


@cache
def registry() -> tuple[DriverEntry, ...]:
    """All registry entries for this OS."""
    raw = table()
    key = os_key()
    return tuple(
        DriverEntry(
            name=d["name"],
            vendor=d["vendor"],
            files=tuple(d.get("files", {}).get(key, ())),
            paths=tuple(_expand(p) for p in d.get("paths", {}).get(key, ())),
            verified=bool(d.get("verified", False)),
            rescan_by_reinitialize=bool(d.get("rescan_by_reinitialize", False)),
            auto=bool(d.get("auto", True)),
            sm2=d.get("sm2"),
        )
        for d in raw["driver"]
    )


@cache
def sm2_key_types() -> frozenset[int]:
    """CKK_ values that mean an SM2 key on some vendor's token (the registry's SM2 profiles)."""
    return frozenset(int(p["key_type"]) for p in table().get("sm2", {}).values())


def _expand(path: str) -> str:
    return path.format(
        windir=os.environ.get("WINDIR", r"C:\Windows"),
        programfiles=os.environ.get("ProgramFiles", r"C:\Program Files"),
        programfiles_x86=os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)"),
    )


def entry_for(path: str) -> DriverEntry | None:
    """The registry entry whose file name matches ``path``, if any."""
    base = os.path.basename(path).lower()
    for entry in registry():
        if base in (f.lower() for f in entry.files):
            return entry
    return None


def candidate_for(path: str, source: str) -> ModuleCandidate:
    entry = entry_for(path)
    return ModuleCandidate(
        path=path,
        name=entry.name if entry else os.path.basename(path),
        vendor=entry.vendor if entry else "",
        verified=entry.verified if entry else False,
        rescan_by_reinitialize=entry.rescan_by_reinitialize if entry else False,
        source=source,
    )


def discover(extra: tuple[str, ...] = (), *, use_registry: bool = True) -> list[ModuleCandidate]:
    """Modules to load: user-named ones first (``extra``, then $CAHELPER_PKCS11_MODULE, a path list),
    then the registry's."""
    found: list[ModuleCandidate] = []
    seen: set[str] = set()

    def add(path: str, source: str) -> None:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            found.append(candidate_for(path, source))

    for path in extra:
        add(path, "user")
    for env in os.environ.get(ENV_MODULE, "").split(os.pathsep):
        if env:
            add(env, "environment")
    if use_registry:
        for entry in registry():
            if not entry.auto:
                continue
            for folder in entry.paths:
                for file in entry.files:
                    path = os.path.join(folder, file)
                    if os.path.isfile(path):
                        add(path, "registry")
    return found


def helper_arch() -> BinaryArch:
    """What this Python process is built for."""
    import platform  # compiles a dozen regexes on import: only when a module is checked

    bits = struct.calcsize("P") * 8
    return BinaryArch(format="", bits=bits, machine=_normalise_machine(platform.machine()))


def _normalise_machine(m: str) -> str:
    m = m.lower()
    return {"amd64": "x86_64", "x64": "x86_64", "i386": "x86", "i686": "x86", "aarch64": "arm64"}.get(m, m)


_ELF_MACHINES = {3: "x86", 62: "x86_64", 40: "arm", 183: "arm64", 243: "riscv"}
_PE_MACHINES = {0x14C: "x86", 0x8664: "x86_64", 0xAA64: "arm64", 0x1C4: "arm"}


def read_arch(path: str) -> BinaryArch:
    """Read the ELF/PE/Mach-O header of a module file; ModuleInvalid when it is none of those."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
            if head[:4] == b"\x7fELF":
                bits = {1: 32, 2: 64}.get(head[4], 0)
                endian = "<" if head[5] == 1 else ">"
                (machine,) = struct.unpack_from(endian + "H", head, 18)
                return BinaryArch("ELF", bits, _ELF_MACHINES.get(machine, f"elf-{machine}"))
            if head[:2] == b"MZ":
                (pe_offset,) = struct.unpack_from("<I", head, 0x3C)
                f.seek(pe_offset)
                pe = f.read(24)
                if pe[:4] != b"PE\0\0":
                    raise ModuleInvalid(path, path=path)
                (machine,) = struct.unpack_from("<H", pe, 4)
                name = _PE_MACHINES.get(machine, f"pe-{machine:#x}")
                return BinaryArch("PE", 32 if name in ("x86", "arm") else 64, name)
            if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
                bits = 64 if head[:4] == b"\xcf\xfa\xed\xfe" else 32
                return BinaryArch("Mach-O", bits, "universal" if head[0] == 0xCA else "mach-o")
    except FileNotFoundError:
        raise ModuleNotFound(path, path=path) from None
    except (OSError, struct.error) as exc:
        raise ModuleInvalid(str(exc), path=path) from exc
    raise ModuleInvalid("not an executable module", path=path)


def check_loadable(path: str) -> BinaryArch:
    """Raise a clear error when ``path`` is missing, not a module, or built for another architecture."""
    if not Path(path).exists():
        raise ModuleNotFound(path, path=path)
    if not Path(path).is_file():
        raise ModuleInvalid("not a file", path=path)
    arch = read_arch(path)
    mine = helper_arch()
    if arch.machine != "universal" and (arch.bits != mine.bits or arch.machine != mine.machine):
        raise ModuleWrongArch(
            f"{arch.bits}-bit {arch.machine} module, {mine.bits}-bit {mine.machine} helper",
            path=path,
            module_bits=arch.bits,
            helper_bits=mine.bits,
            module_machine=arch.machine,
            helper_machine=mine.machine,
        )
    return arch
