"""Module discovery and the bitness check, on real module files and crafted headers."""

import struct
from pathlib import Path

import pytest

from tests.support import OPENCRYPTOKI, SOFTHSM
from tokenio import drivers
from tokenio.errors import ModuleInvalid, ModuleNotFound, ModuleWrongArch


def elf_header(bits: int, machine: int) -> bytes:
    head = bytearray(64)
    head[:4] = b"\x7fELF"
    head[4] = 1 if bits == 32 else 2
    head[5] = 1
    struct.pack_into("<H", head, 18, machine)
    return bytes(head)


def pe_header(machine: int) -> bytes:
    head = bytearray(256)
    head[:2] = b"MZ"
    struct.pack_into("<I", head, 0x3C, 0x80)
    head[0x80:0x84] = b"PE\0\0"
    struct.pack_into("<H", head, 0x84, machine)
    return bytes(head)


def test_real_modules_match_this_process():
    for path in (SOFTHSM, OPENCRYPTOKI):
        arch = drivers.check_loadable(path)
        assert arch.format == "ELF" and arch.bits == 64 and arch.machine == "x86_64"


@pytest.mark.parametrize(("name", "data", "bits", "machine"), [
    ("vendor32.so", elf_header(32, 3), 32, "x86"),
    ("WDPKCS.dll", pe_header(0x14C), 32, "x86"),
    ("arm64.dll", pe_header(0xAA64), 64, "arm64"),
])
def test_foreign_architecture_is_explained(tmp_path: Path, name, data, bits, machine):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ModuleWrongArch) as err:
        drivers.check_loadable(str(path))
    assert err.value.params["module_bits"] == bits
    assert err.value.params["module_machine"] == machine
    assert err.value.params["helper_bits"] == 64


def test_pe64_header(tmp_path: Path):
    path = tmp_path / "eps2003csp11.dll"
    path.write_bytes(pe_header(0x8664))
    assert drivers.read_arch(str(path)) == drivers.BinaryArch("PE", 64, "x86_64")


def test_missing_and_non_module_files(tmp_path: Path):
    with pytest.raises(ModuleNotFound):
        drivers.check_loadable(str(tmp_path / "nope.so"))
    text = tmp_path / "readme.so"
    text.write_text("not a library")
    with pytest.raises(ModuleInvalid):
        drivers.check_loadable(str(text))
    with pytest.raises(ModuleInvalid):
        drivers.check_loadable(str(tmp_path))


def test_discovery_orders_user_then_environment_then_registry(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(drivers.ENV_MODULE, OPENCRYPTOKI)
    found = drivers.discover(("/custom/vendor.so",))
    assert [c.source for c in found[:2]] == ["user", "environment"]
    assert found[0].path == "/custom/vendor.so"
    registry_paths = {c.path for c in found if c.source == "registry"}
    assert SOFTHSM in registry_paths
    assert OPENCRYPTOKI not in registry_paths  # already named: not listed twice


def test_registry_entries_are_well_formed():
    entries = drivers.registry()
    assert any(e.verified for e in entries) and any(not e.verified for e in entries)
    softhsm = drivers.entry_for(SOFTHSM)
    assert softhsm is not None and softhsm.rescan_by_reinitialize


def test_token_ids_stay_put_when_a_twin_comes_and_when_a_key_moves_port():
    from tokenio.info import PinState, TokenInfo, assign_ids

    def token(serial: str, slot: int) -> TokenInfo:
        return TokenInfo("/usr/lib/vendor/gm3000.so", "GM3000", slot, "USB reader", "财务U盾", "Longmai", "GM3000",
                         serial, PinState(), True, False, False)

    (alone,) = assign_ids([token("", 1)])
    first, twin = assign_ids([token("", 1), token("", 2)])
    assert first.id == alone.id and twin.id != first.id  # a blank serial: the slot tells them apart
    (zeros,) = assign_ids([token("0000000000000000", 1)])
    assert zeros.id == assign_ids([token("0000000000000000", 1), token("0000000000000000", 2)])[0].id
    (here,), (there,) = assign_ids([token("A1B2C3", 1)]), assign_ids([token("A1B2C3", 7)])
    assert here.id == there.id  # a key with a serial keeps its id in another USB port


def test_a_stale_driver_in_settings_does_not_hide_the_other_keys(tmp_path):
    """A driver the clerk once added in Settings and later uninstalled: the keys of the other drivers are still
    listed, and the missing one is reported with its code (as diagnostics shows it)."""
    from tokenio.worker import TokenService

    service = TokenService((str(tmp_path / "uninstalled-vendor.so"),), use_registry=True)
    try:
        assert isinstance(service.tokens(), list)
        (status,) = [m for m in service.modules() if m.candidate.path.endswith("uninstalled-vendor.so")]
        assert not status.loaded and status.error.code == "MODULE_NOT_FOUND"
    finally:
        service.shutdown()
