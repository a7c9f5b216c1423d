"""Key and PIN checks: key present or not, a PIN really locked on opencryptoki and unblocked again."""

from __future__ import annotations

import pytest

from helper.diagnostics import Status
from tests.helper.diagnostics.kit import run_check
from tests.support import OCK_SO_PIN, OCK_USER_PIN, pin
from tokenio.errors import PinError


def test_inserted_key_is_found(env, demo_token):
    result = run_check("key", env(serial=demo_token.serial))
    assert result.status is Status.OK and result.params["count"] == 1
    assert demo_token.label in result.message("zh").title


def test_key_not_inserted(env, demo_token):
    result = run_check("key", env(serial="0000feedface0000"))
    assert result.status is Status.ERROR and result.code == "DIAG_KEY_NOT_FOUND"
    for check_id in ("pin", "key-space", "certificates", "cert-validity", "cert-chain"):
        skipped = run_check(check_id, env(serial="0000feedface0000"))
        assert skipped.status is Status.SKIPPED and skipped.code == "DIAG_SKIPPED_NO_KEY", check_id


def test_pin_ok_on_demo_key(env, demo_token):
    assert run_check("pin", env(serial=demo_token.serial)).code == "DIAG_PIN_OK"


def test_softhsm_reports_no_free_memory_so_space_is_skipped_with_reason(env, demo_token):
    result = run_check("key-space", env(serial=demo_token.serial))
    assert result.status is Status.SKIPPED and result.code == "DIAG_SKIPPED_NO_SPACE_INFO"
    assert "剩余空间" in result.message("zh").title


def test_locked_pin_then_unblocked(env, ock_service, opencryptoki_token):
    e = env(tokens=ock_service)
    serial = ock_service.tokens()[0].serial
    try:
        assert run_check("pin", e).code == "DIAG_PIN_OK"
        for _ in range(2):
            with pytest.raises(PinError):
                ock_service.open_session(serial, bytearray(b"000000"))
        final = run_check("pin", e)
        assert final.status is Status.WARNING and final.code == "DIAG_PIN_FINAL_TRY"
        with pytest.raises(PinError):
            ock_service.open_session(serial, bytearray(b"000000"))
        locked = run_check("pin", e)
        assert locked.status is Status.ERROR and locked.code == "DIAG_PIN_LOCKED"
        message = locked.message("zh")
        assert "已被锁定" in message.title and any("管理员口令" in step for step in message.remedy)
        assert not locked.fixable  # unblocking needs the administrator PIN: guidance only
    finally:
        ock_service.unblock_pin(serial, pin(OCK_SO_PIN), pin(OCK_USER_PIN))
    assert run_check("pin", e).code == "DIAG_PIN_OK"
    with ock_service.session(serial, pin(OCK_USER_PIN)) as s:
        assert s.logged_in
