"""PIN change and unblock on real modules: SoftHSM for change, opencryptoki for the lock walk."""

import subprocess

import pytest

from helper.demo import softhsm
from tests.support import OPENCRYPTOKI, SOFTHSM, pin
from tokenio.errors import PinIncorrect, PinLocked, SoPinIncorrect
from tokenio.watch import TokenWatcher


def pkcs11_tool_login(module: str, label: str, value: str) -> bool:
    """Independent check of a PIN with OpenSC's pkcs11-tool (test-side tool; the PIN is a fixture)."""
    result = subprocess.run(["pkcs11-tool", "--module", module, "--token-label", label, "--login", "--pin", value,
                             "--list-objects"], capture_output=True, text=True)
    return result.returncode == 0


def test_change_pin_then_only_new_pin_works(token_service, make_token):
    token = make_token(keys=())
    after = token_service.change_pin(token.serial, pin(token.pin), pin("Zx82kq"))
    assert after.pin.summary == "ok"
    assert pkcs11_tool_login(SOFTHSM, token.label, "Zx82kq")
    assert not pkcs11_tool_login(SOFTHSM, token.label, token.pin)


def test_pin_buffers_are_wiped(token_service, make_token):
    token = make_token(keys=())
    old, new = pin(token.pin), pin("Zx82kq")
    token_service.change_pin(token.serial, old, new)
    assert old == bytearray(len(old)) and new == bytearray(len(new))


def test_wrong_old_pin_changes_nothing(token_service, make_token):
    token = make_token(keys=())
    with pytest.raises(PinIncorrect) as err:
        token_service.change_pin(token.serial, pin("000000"), pin("Zx82kq"))
    assert err.value.code in ("PIN_INCORRECT", "PIN_INCORRECT_COUNT_LOW")
    assert pkcs11_tool_login(SOFTHSM, token.label, token.pin)


def test_opencryptoki_walks_count_low_final_try_locked_then_unblocks(ock_service, opencryptoki_token):
    serial = opencryptoki_token.serial
    codes = []
    for _ in range(3):
        with pytest.raises(PinIncorrect) as err:
            ock_service.open_session(serial, pin("999999"))
        codes.append(err.value.code)
    assert codes == ["PIN_INCORRECT_COUNT_LOW", "PIN_INCORRECT_FINAL_TRY", "PIN_LOCKED"]
    assert ock_service.find(serial).pin.locked
    with pytest.raises(PinLocked):
        ock_service.open_session(serial, pin(opencryptoki_token.pin))  # even the right PIN is refused now
    with pytest.raises(SoPinIncorrect):
        ock_service.unblock_pin(serial, pin("00000000"), pin(opencryptoki_token.pin))
    ock_service.unblock_pin(serial, pin(opencryptoki_token.so_pin), pin(opencryptoki_token.pin))
    assert ock_service.find(serial).pin.summary == "ok"
    with ock_service.session(serial, pin(opencryptoki_token.pin)) as s:
        assert s.logged_in
    assert pkcs11_tool_login(OPENCRYPTOKI, opencryptoki_token.label, opencryptoki_token.pin)


def test_hot_plug_is_seen_by_the_next_poll(token_service, make_token, softhsm_conf):
    """Each poll sees a change made before it, so detection takes at most one interval plus one scan;
    the default interval leaves room for the 1 s target (measured in bench/bench_tokens.py)."""
    watcher = TokenWatcher(token_service, lambda change: None)
    assert watcher.interval <= 0.5
    watcher.poll_once()
    token = make_token(keys=())
    change = watcher.poll_once()
    assert change is not None and [t.serial for t in change.inserted] == [token.serial]
    softhsm.delete_token(softhsm_conf, token.serial)
    change = watcher.poll_once()
    assert change is not None and [t.serial for t in change.removed] == [token.serial]
    assert watcher.poll_once() is None
