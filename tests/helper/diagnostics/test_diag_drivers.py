"""Driver checks against real module files: a missing path, 32-bit ELF and PE headers, duplicated drivers."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from helper.diagnostics import Status
from tests.helper.diagnostics.kit import run_check
from tests.support import SOFTHSM
from tokenio.worker import TokenService


@pytest.fixture()
def service_for():
    made: list[TokenService] = []

    def make(*paths: str) -> TokenService:
        made.append(TokenService(tuple(paths), use_registry=False))
        return made[-1]

    yield make
    for s in made:
        s.shutdown()


def elf32(path: Path) -> Path:
    """A minimal 32-bit x86 ELF shared-object header."""
    header = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9) + struct.pack("<HHI", 3, 3, 1) + bytes(36)
    path.write_bytes(header)
    return path


def pe32(path: Path) -> Path:
    """A minimal PE32 (i386) DLL header: MZ stub, e_lfanew, PE signature, COFF machine 0x14c."""
    dos = bytearray(64)
    dos[:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 64)
    coff = b"PE\0\0" + struct.pack("<HHIIIHH", 0x14C, 0, 0, 0, 0, 0xE0, 0x2102)
    path.write_bytes(bytes(dos) + coff + bytes(0xE0))
    return path


def test_working_driver_is_found_and_matches(env, token_service, demo_token):
    e = env(serial=demo_token.serial)
    driver = run_check("driver", e)
    assert driver.status is Status.OK and driver.code == "DIAG_DRIVER_OK"
    assert "SoftHSM" in driver.message("en").title
    arch = run_check("driver-arch", e)
    assert arch.status is Status.OK and arch.params["bits"] == 64
    assert run_check("driver-conflict", e).code == "DIAG_DRIVER_NO_CONFLICT"


def test_missing_module_path(env, service_for, tmp_path):
    missing = str(tmp_path / "vendor" / "gone-p11.so")
    e = env(tokens=service_for(missing))
    driver = run_check("driver", e)
    assert driver.status is Status.ERROR and driver.code == "DIAG_DRIVER_NONE_LOADED"
    arch = run_check("driver-arch", e)
    assert arch.status is Status.ERROR and arch.code == "MODULE_NOT_FOUND"
    assert missing in arch.message("zh").explanation
    key = run_check("key", e)  # the key check explains the same driver failure instead of crashing
    assert key.status is Status.ERROR and key.code == "MODULE_NOT_FOUND"


@pytest.mark.parametrize("craft", [elf32, pe32], ids=["elf32", "pe32"])
def test_32_bit_module_is_explained(env, service_for, tmp_path, craft):
    module = craft(tmp_path / ("vendor32.dll" if craft is pe32 else "libvendor32.so"))
    result = run_check("driver-arch", env(tokens=service_for(str(module))))
    assert result.status is Status.ERROR and result.code == "MODULE_WRONG_ARCH"
    assert result.params["module_bits"] == 32 and result.params["helper_bits"] == 64
    assert "32位驱动，64位助手" in result.message("zh").title
    assert any("32-bit x86" in d for d in result.details)


def test_broken_user_named_driver_is_an_error_even_next_to_a_working_one(env, service_for, tmp_path, demo_token):
    module = elf32(tmp_path / "libsofthsm2.so")
    result = run_check("driver-arch", env(tokens=service_for(SOFTHSM, str(module))))
    assert result.status is Status.ERROR and result.code == "MODULE_WRONG_ARCH"


def test_two_drivers_claiming_the_same_key(env, service_for, tmp_path, demo_token):
    copy = tmp_path / "other-vendor" / "libsofthsm2.so"
    copy.parent.mkdir()
    shutil.copy(SOFTHSM, copy)
    result = run_check("driver-conflict", env(tokens=service_for(SOFTHSM, str(copy))))
    assert result.status is Status.WARNING and result.code == "DIAG_DRIVER_SAME_KEY"
    assert result.params["serial"] and str(copy) in result.params["paths"] and SOFTHSM in result.params["paths"]


def test_same_driver_file_in_two_versions(env, service_for, tmp_path):
    old = tmp_path / "old" / "libsofthsm2.so"
    old.parent.mkdir()
    old.write_bytes(Path(SOFTHSM).read_bytes() + b"\0" * 64)  # same file name, different contents (another build)
    result = run_check("driver-conflict", env(tokens=service_for(SOFTHSM, str(old))))
    assert result.status is Status.WARNING and result.code == "DIAG_DRIVER_TWO_VERSIONS"
    assert result.params["file"] == "libsofthsm2.so" and str(old) in result.params["paths"]
