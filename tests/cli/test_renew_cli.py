"""`cahelper renew check|cmp|import|recover` as a clerk or a script runs them: real process, SoftHSM key."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

KIT = Path(__file__).resolve().parents[1] / "helper" / "renewal"
sys.path.insert(0, str(KIT))

import pytest  # noqa: E402
from cmp_pki import start_server  # noqa: E402
from renewal_kit import MAC_SERVER, REF, SECRET, pem_file, renewed_for  # noqa: E402

from helper.renewal import journal  # noqa: E402


@pytest.fixture
def cmp_server(tmp_path: Path):
    servers = []

    def start(*args: str):
        servers.append(start_server(tmp_path, *args))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


KEYRING_ENV = {"PYTHON_KEYRING_BACKEND": "renewal_kit.MemoryKeyring", "PYTHONPATH": str(KIT)}


def test_check_json_reports_days_left_and_state(run_cli, make_token):
    key = make_token(keys=(("rsa2048", "sign"),), days=20)
    result = run_cli("renew", "check", "--json")
    assert result.returncode == 0, result.stderr
    (item,) = [c for c in json.loads(result.stdout)["certificates"] if c["token_serial"] == key.serial]
    assert item["state"] == "expiring" and 18 <= item["days_left"] <= 20 and not item["expired"]
    text = run_cli("renew", "check").stdout
    assert "即将到期" in text and "剩余" in text


def test_cmp_kur_with_mac_secret_and_pin_on_stdin(run_cli, make_token, demo_pki, cmp_server, tmp_path: Path):
    key = make_token(keys=(("ec-p256", "sign"),), days=20)
    renewed = renewed_for(demo_pki, key.cert())
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pem_file(tmp_path, "renewed", renewed))
    result = run_cli("renew", "cmp", "--server", srv.url, "--ref", REF, "--secret-stdin", "--pin-stdin",
                     "--token", key.serial, "--json", stdin=f"{SECRET}\n{key.pin}\n", env=KEYRING_ENV)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] and data["outcome"] == "completed" and data["cka_id"] == key.keys[0].cka_id.hex()
    certs = json.loads(run_cli("certs", "--token", key.serial, "--json").stdout)["certificates"]
    assert [c["id"] for c in certs] == [data["id"]] and certs[0]["days_left"] >= 700


def test_cmp_wrong_secret_exits_6_with_code(run_cli, make_token, demo_pki, cmp_server, tmp_path: Path):
    key = make_token(keys=(("rsa2048", "sign"),), days=20)
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pem_file(tmp_path, "r", renewed_for(demo_pki, key.cert())))
    result = run_cli("renew", "cmp", "--server", srv.url, "--ref", REF, "--secret-stdin", "--pin-stdin",
                     "--token", key.serial, "--json", stdin=f"wrong\n{key.pin}\n", env=KEYRING_ENV)
    assert result.returncode == 6
    assert json.loads(result.stdout)["error"]["code"] == "CMP_BAD_MAC"
    certs = json.loads(run_cli("certs", "--token", key.serial, "--json").stdout)["certificates"]
    assert [c["sha256"] for c in certs] == [hashlib.sha256(key.cert()).hexdigest()]


def test_import_garbage_file_exits_5(run_cli, make_token, tmp_path: Path):
    key = make_token(keys=(("rsa2048", "sign"),))
    bad = tmp_path / "renewed.cer"
    bad.write_bytes(b"garbage")
    result = run_cli("renew", "import", str(bad), "--pin-stdin", "--token", key.serial, stdin=key.pin + "\n")
    assert result.returncode == 5 and result.stderr.startswith("提示：")
    as_json = run_cli("renew", "import", str(bad), "--pin-stdin", "--token", key.serial, "--json",
                      stdin=key.pin + "\n")
    assert json.loads(as_json.stdout)["error"]["code"] == "CERT_UNREADABLE"


def test_import_then_recover_has_nothing_left(run_cli, make_token, demo_pki, tmp_path: Path):
    key = make_token(keys=(("rsa2048", "sign"),), days=10)
    renewed = renewed_for(demo_pki, key.cert())
    result = run_cli("renew", "import", pem_file(tmp_path, "renewed", renewed), "--pin-stdin",
                     "--token", key.serial, stdin=key.pin + "\n")
    assert result.returncode == 0, result.stderr
    assert "证书已安装到U盾" in result.stdout
    assert not journal.JournalStore.default().pending(key.serial)
    recovered = run_cli("renew", "recover", "--json")
    assert recovered.returncode == 0 and json.loads(recovered.stdout)["recovered"] == []


def _p7b_file(folder: Path, name: str, *ders: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    path = folder / f"{name}.p7b"
    path.write_bytes(pkcs7.serialize_certificates([x509.load_der_x509_certificate(d) for d in ders], Encoding.DER))
    return str(path)


def _objects(run_cli, key) -> list:
    return json.loads(run_cli("certs", "--token", key.serial, "--json").stdout)["certificates"]


def test_import_of_a_forged_or_foreign_certificate_exits_7_and_changes_nothing(run_cli, make_token, demo_pki,
                                                                              tmp_path: Path):
    from renewal_kit import Forger, spki_of

    from helper.demo.pki import unit_name

    key = make_token(keys=(("rsa2048", "sign"),), days=20)
    before = _objects(run_cli, key)
    forger = Forger(demo_pki)
    forged = _p7b_file(tmp_path, "forged", forger.issue(spki_of(key.cert()), unit_name()), *forger.chain)
    foreign = _p7b_file(tmp_path, "foreign", demo_pki.issue(spki_of(key.cert()), unit_name("另一家单位有限公司", "王五", "91130100MA0OTHER9Y")),
                        *demo_pki.chain_der)
    for path, code in ((forged, "RENEW_CHAIN_INVALID"), (foreign, "RENEW_SUBJECT_MISMATCH")):
        result = run_cli("renew", "import", path, "--pin-stdin", "--token", key.serial, "--json", stdin=key.pin + "\n")
        assert result.returncode == 7, result.stderr
        assert json.loads(result.stdout)["error"]["code"] == code
        text = run_cli("renew", "import", path, "--pin-stdin", "--token", key.serial, stdin=key.pin + "\n")
        assert text.returncode == 7 and text.stderr.startswith("提示：") and "解决方案" in text.stderr
    assert _objects(run_cli, key) == before


def test_dual_certificate_key_renews_the_signing_certificate_and_supersedes_nothing(run_cli, make_token, demo_pki,
                                                                                   tmp_path: Path, token_service):
    """Signing certificate expiring in 20 days, encryption certificate valid for two years, on one key."""
    from renewal_kit import add_encryption_pair, spki_of

    from helper.demo.pki import unit_name

    key = make_token(keys=(("rsa2048", "sign"),), days=20)
    enc = add_encryption_pair(token_service, key, demo_pki, days=730)

    def check() -> dict[str, dict]:
        data = json.loads(run_cli("renew", "check", "--json").stdout)["certificates"]
        return {c["usage"]: c for c in data if c["token_serial"] == key.serial}

    before = check()
    assert before["signing"]["state"] == "expiring" and not before["signing"]["superseded"]
    assert before["encryption"]["id"] == hashlib.sha256(enc).hexdigest()[:16] and not before["encryption"]["superseded"]
    renewed = demo_pki.issue(spki_of(key.cert()), unit_name(), days=730)
    result = run_cli("renew", "import", pem_file(tmp_path, "renewed", renewed), "--pin-stdin", "--token", key.serial,
                     "--cert", before["signing"]["id"], stdin=key.pin + "\n")
    assert result.returncode == 0, result.stderr
    after = check()
    assert after["signing"]["id"] == hashlib.sha256(renewed).hexdigest()[:16] and after["signing"]["state"] == "valid"
    assert not after["signing"]["superseded"] and not after["encryption"]["superseded"]


def test_cancel_removes_the_key_pair_waiting_for_the_ca(run_cli, make_token, token_service):
    from renewal_kit import renewals, token_objects

    from helper.keys import KeyService

    key = make_token(keys=(("rsa2048", "sign"),), days=20)
    before = token_objects(token_service, key.serial, key.pin)
    entry = KeyService(token_service).find_certificate(hashlib.sha256(key.cert()).hexdigest()[:16], key.serial)
    with token_service.session(key.serial, bytearray(key.pin.encode()), rw=True) as handle:
        renewals(token_service).request_in_session(handle, entry, new_key=True)
    assert json.loads(run_cli("renew", "check", "--json").stdout)["pending_renewals"][0]["step"] == "awaiting"
    assert "renew cancel" in run_cli("renew", "check").stdout
    result = run_cli("renew", "cancel", "--token", key.serial, "--pin-stdin", "--json", stdin=key.pin + "\n")
    assert result.returncode == 0, result.stderr
    assert [r["state"] for r in json.loads(result.stdout)["recovered"]] == ["cancelled"]
    assert token_objects(token_service, key.serial, key.pin) == before
    assert not journal.JournalStore.default().pending(key.serial)
