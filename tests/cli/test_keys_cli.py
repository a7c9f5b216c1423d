"""`cahelper tokens|certs|cert|pin` as a clerk or a script runs them: real process, real SoftHSM key."""

import json
import subprocess
from pathlib import Path

import pytest

from helper.demo import softhsm
from tests.support import SOFTHSM


def test_tokens_json_lists_the_demo_key(run_cli, demo_token):
    result = run_cli("tokens", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    token = next(t for t in data["tokens"] if t["serial"] == demo_token.serial)
    assert token["label"] == demo_token.label and token["pin_state"] == "ok"


def test_certs_shows_unit_name_holder_and_days_left(run_cli, demo_token):
    result = run_cli("certs", "--token", demo_token.serial)
    assert result.returncode == 0, result.stderr
    assert "石家庄示例科技有限公司" in result.stdout and "张三" in result.stdout
    assert "签名证书" in result.stdout and "加密证书" in result.stdout and "剩余" in result.stdout
    data = json.loads(run_cli("certs", "--token", demo_token.serial, "--json").stdout)["certificates"]
    assert [c["usage"] for c in data] == ["signing", "signing", "encryption"]
    assert all(c["has_private_key"] and 360 <= c["days_left"] <= 365 for c in data)


def test_english_output(run_cli, demo_token):
    result = run_cli("--lang", "en", "certs", "--token", demo_token.serial)
    assert "Holder" in result.stdout and "持有人" not in result.stdout


def test_cert_show_and_export_der_and_pem(run_cli, demo_token, tmp_path: Path):
    certs = json.loads(run_cli("certs", "--token", demo_token.serial, "--json").stdout)["certificates"]
    cert_id = certs[0]["id"]
    shown = run_cli("cert", "show", cert_id)
    assert shown.returncode == 0 and "SHA-256" in shown.stdout and "示例根CA（演示）" in shown.stdout
    details = json.loads(run_cli("cert", "show", cert_id, "--json").stdout)["certificate"]
    assert details["chain_complete"] is True and len(details["chain"]) == 3
    der, pem = tmp_path / "c.cer", tmp_path / "c.pem"
    assert run_cli("cert", "export", cert_id, "--out", str(der)).returncode == 0
    assert run_cli("cert", "export", cert_id, "--out", str(pem)).returncode == 0
    assert pem.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    fp = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", str(der), "-noout", "-fingerprint", "-sha256"],
                        capture_output=True, text=True).stdout
    assert fp.split("=")[1].strip().replace(":", "").lower() == certs[0]["sha256"]
    again = run_cli("cert", "export", cert_id, "--out", str(der))
    assert again.returncode == 5 and "已经存在" in again.stderr


def test_unknown_certificate_id(run_cli, demo_token):
    result = run_cli("cert", "show", "ffffffffffff")
    assert result.returncode == 2 and "提示" in result.stderr and "解决方案" in result.stderr


def test_pin_change_via_stdin_then_pkcs11_tool_agrees(run_cli, make_token):
    token = make_token(keys=())
    result = run_cli("pin", "change", "--token", token.serial, "--pin-stdin", stdin=f"{token.pin}\nQw73np\n")
    assert result.returncode == 0, result.stderr
    ok = subprocess.run(["pkcs11-tool", "--module", SOFTHSM, "--token-label", token.label, "--login", "--pin",
                         "Qw73np", "--list-objects"], capture_output=True)
    old = subprocess.run(["pkcs11-tool", "--module", SOFTHSM, "--token-label", token.label, "--login", "--pin",
                          token.pin, "--list-objects"], capture_output=True)
    assert ok.returncode == 0 and old.returncode != 0


@pytest.mark.parametrize(("new", "code"), [("123456", "PIN_POLICY_WEAK"), ("12", "PIN_POLICY_LENGTH"),
                                           ("111111", "PIN_POLICY_WEAK")])
def test_weak_new_pin_refused_before_the_key(run_cli, make_token, token_service, new, code):
    token = make_token(keys=())
    result = run_cli("pin", "change", "--token", token.serial, "--pin-stdin", "--json",
                     stdin=f"wrong-old\n{new}\n")
    assert result.returncode == 4
    assert json.loads(result.stdout)["error"]["code"] == code
    # the (wrong) old PIN never reached the key: no failed-login counter was touched
    assert token_service.find(token.serial).pin.summary == "ok"


def test_wrong_old_pin_is_reported_and_nothing_changes(run_cli, make_token):
    token = make_token(keys=())
    result = run_cli("pin", "change", "--token", token.serial, "--pin-stdin", stdin="654987\nQw73np\n")
    assert result.returncode == 4 and "口令" in result.stderr and "不正确" in result.stderr
    ok = subprocess.run(["pkcs11-tool", "--module", SOFTHSM, "--token-label", token.label, "--login", "--pin",
                         token.pin, "--list-objects"], capture_output=True)
    assert ok.returncode == 0


def test_pin_unblock_on_opencryptoki_after_lock(run_cli, opencryptoki_token, ock_service):
    from tests.support import OPENCRYPTOKI, pin
    from tokenio.errors import PinIncorrect

    for _ in range(3):
        with pytest.raises(PinIncorrect):
            ock_service.open_session(opencryptoki_token.serial, pin("999999"))
    env = {"CAHELPER_PKCS11_MODULE": OPENCRYPTOKI}
    locked = run_cli("pin", "change", "--token", "123", "--pin-stdin", stdin="123456\nQw73np\n", env=env)
    assert locked.returncode == 4 and "已被锁定" in locked.stderr
    result = run_cli("pin", "unblock", "--token", "123", "--pin-stdin",
                     stdin=f"{opencryptoki_token.so_pin}\nQw73np\n", env=env)
    assert result.returncode == 0, result.stderr
    ock_service.rescan()  # unblocked by another process: seen by the watcher's rescan, as in the app
    with ock_service.session(opencryptoki_token.serial, pin("Qw73np")) as s:
        assert s.logged_in
    ock_service.change_pin(opencryptoki_token.serial, pin("Qw73np"), pin(opencryptoki_token.pin))


def test_pin_is_never_taken_from_argv(run_cli, demo_token):
    result = run_cli("pin", "change", "--pin", "123456")
    assert result.returncode == 2 and "--pin" in result.stderr


def test_no_tty_and_no_pin_stdin_is_refused(run_cli, demo_token):
    result = run_cli("pin", "change", "--token", demo_token.serial, stdin="")
    assert result.returncode == 2 and "--pin-stdin" in result.stderr


def test_bad_modules_get_coded_messages(run_cli, tmp_path: Path):
    not_module = tmp_path / "libnot.so"
    not_module.write_text("hello")
    elf32 = tmp_path / "vendor32.so"
    elf32.write_bytes(b"\x7fELF\x01\x01" + bytes(12) + b"\x03\x00" + bytes(44))
    cases = [(str(tmp_path / "missing.so"), "MODULE_NOT_FOUND"), (str(not_module), "MODULE_INVALID"),
             (str(elf32), "MODULE_WRONG_ARCH")]
    for path, code in cases:
        result = run_cli("--module", path, "tokens", "--json")
        assert result.returncode == 3, (code, result.stderr)
        assert json.loads(result.stdout)["error"]["code"] == code
    text = run_cli("--module", str(elf32), "tokens").stderr
    assert "32位驱动，64位助手" in text


def test_no_key_inserted(run_cli, tmp_path: Path):
    empty = softhsm.configure(tmp_path / "empty")
    result = run_cli("pin", "change", "--pin-stdin", stdin="123456\nQw73np\n",
                     env={"SOFTHSM2_CONF": str(empty)})
    assert result.returncode == 3 and "没有检测到U盾" in result.stderr
    listing = run_cli("tokens", env={"SOFTHSM2_CONF": str(empty)})
    assert listing.returncode == 0 and "请插入" in listing.stdout
