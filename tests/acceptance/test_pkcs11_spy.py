"""Everything through OpenSC's pkcs11-spy wrapping SoftHSM (a driver the helper does not know, so SoftHSM's
re-initialisation rule does not apply), with the spy's log as the PKCS#11 call counter: one `sign` initialises
the driver once and reads the slots and the key's objects once."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.support import SOFTHSM

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "signing"))
from corpus import blank_pdf  # noqa: E402

SPY = "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so"


@pytest.fixture
def spy(tmp_path):
    """Environment running the helper on the spy alone; returns (env, the spy's call counts so far)."""
    log = tmp_path / "spy.log"
    env = {"CAHELPER_PKCS11_MODULE": SPY, "PKCS11SPY": SOFTHSM, "PKCS11SPY_OUTPUT": str(log)}

    def calls() -> Counter[str]:
        text = log.read_text("utf-8", "replace") if log.exists() else ""
        counts = Counter(re.findall(r"^\d+: (C_\w+)", text, re.M))
        counts["objects found"] = len(re.findall(r"^Object 0x[0-9a-f]+ matches", text, re.M))
        log.unlink(missing_ok=True)
        return counts

    return env, calls


@pytest.fixture(scope="module")
def spy_token(make_token):
    return make_token("监控U盾", keys=(("rsa2048", "sign"), ("rsa2048", "enc")))


def test_tokens_and_certs_through_the_spy(run_cli, spy, spy_token):
    env, calls = spy
    listed = run_cli("tokens", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert spy_token.serial in [t["serial"] for t in json.loads(listed.stdout)["tokens"]]
    assert calls()["C_Initialize"] == 1
    certs = run_cli("certs", "--token", spy_token.serial, "--json", env=env)
    assert certs.returncode == 0, certs.stderr
    assert len(json.loads(certs.stdout)["certificates"]) == 2
    counted = calls()
    assert counted["C_Initialize"] == 1 and counted["C_FindObjectsInit"] == 1
    # each object's attributes in one round (a size query, then the values), after python-pkcs11's own round
    # for its class: on a USB key every call is a trip to the chip
    assert counted["objects found"] >= 4  # two certificates and their public keys (private ones need the PIN)
    assert counted["C_GetAttributeValue"] <= 4 * counted["objects found"], counted


def test_one_sign_reads_the_key_once(run_cli, spy, spy_token, tmp_path):
    env, calls = spy
    src = tmp_path / "一页.pdf"
    src.write_bytes(blank_pdf(1))
    cert_id = next(c["id"] for c in json.loads(run_cli("certs", "--token", spy_token.serial, "--json").stdout)
                   ["certificates"] if c["usage"] == "signing")
    for extra in ((), ("--cert", cert_id)):
        calls()
        out = tmp_path / f"signed{len(extra)}.pdf"
        result = run_cli("sign", str(src), "--out", str(out), "--invisible", "--token", spy_token.serial, *extra,
                         "--pin-stdin", "--json", stdin=spy_token.pin + "\n", env=env)
        assert result.returncode == 0, result.stderr
        counted = calls()
        assert counted["C_Initialize"] == 1 and counted["C_Finalize"] <= 1
        assert counted["C_GetSlotList"] <= 2  # one scan: the size, then the list
        # one search of the key's objects for the listing, one for the private key after login
        assert counted["C_FindObjectsInit"] <= 2
        assert counted["C_Login"] == 1


def test_pin_change_through_the_spy(run_cli, spy, make_token):
    env, calls = spy
    token = make_token("监控改口令U盾", keys=())
    result = run_cli("pin", "change", "--token", token.serial, "--pin-stdin", "--json",
                     stdin=f"{token.pin}\n864209\n864209\n", env=env)
    assert result.returncode == 0, result.stderr
    assert calls()["C_SetPIN"] == 1
    again = run_cli("pin", "change", "--token", token.serial, "--pin-stdin", stdin="864209\n975310\n975310\n", env=env)
    assert again.returncode == 0, again.stderr


def test_the_same_library_through_two_modules_is_used_once(run_cli, spy, spy_token):
    env, calls = spy
    both = {**env, "CAHELPER_PKCS11_MODULE": SOFTHSM}
    listed = run_cli("--module", SPY, "tokens", "--json", env=both)
    assert listed.returncode == 0, listed.stderr
    serials = [t["serial"] for t in json.loads(listed.stdout)["tokens"]]
    assert serials.count(spy_token.serial) == 1
    assert calls()["C_GetTokenInfo"] >= 1  # listed through the spy
    report = run_cli("--module", SPY, "diagnose", "--json", env=both)
    checks = {c["id"]: c for c in json.loads(report.stdout)["checks"]}
    assert checks["driver-conflict"]["code"] == "DIAG_DRIVER_SAME_KEY"
    assert SOFTHSM in json.dumps(checks["driver-conflict"], ensure_ascii=False)
