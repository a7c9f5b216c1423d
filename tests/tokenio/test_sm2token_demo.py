"""The demo's second key, 国密演示U盾: an SM2 signing + encryption pair from the SM2 demo CA, PIN change,
lock and unblock through the existing `cahelper pin` commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import algos, pem, x509

from helper.demo import environment, sm2token
from tokenio import sm2
from tokenio.errors import PinIncorrect, PinLocked
from tokenio.session import TokenSession
from tokenio.worker import TokenService


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> environment.DemoEnvironment:
    """The demo made as `./dev demo` makes it, in a process of its own (this one's SoftHSM serves the tests)."""
    folder = tmp_path_factory.mktemp("demo") / "demo"
    made = subprocess.run([sys.executable, "-c", _MAKE_DEMO, str(folder)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert made.returncode == 0, made.stderr
    env, created = environment.ensure(folder)
    assert not created
    return env


@pytest.fixture
def sm2_service(demo, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(sm2token.ENV_CONF, str(demo.sm2_conf))
    service = TokenService((str(sm2token.MODULE),), use_registry=False)
    yield service
    service.shutdown()


_MAKE_DEMO = """
import sys
from pathlib import Path
from helper.demo import environment
assert environment.ensure(Path(sys.argv[1]))[1]
"""


def _openssl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *args], capture_output=True, text=True)


def test_the_sm2_demo_key_holds_a_signing_and_an_encryption_pair(demo, sm2_service, tmp_path: Path):
    info = sm2_service.find(demo.sm2_serial)
    assert info.label == environment.SM2_DEMO_LABEL
    with sm2_service.session(demo.sm2_serial, bytearray(environment.DEMO_USER_PIN.encode())) as s:
        certs = s.run(TokenSession.certificates)
        signing = next(c for c in certs if "digital_signature" in x509.Certificate.load(c.der).key_usage_value.native)
        signature = s.run(sm2.sign, signing.key.cka_id, "盖章的文件".encode())
    assert len(certs) == 2 and all(c.key and c.key.key_type == "sm2" for c in certs)
    usages = sorted(sorted(x509.Certificate.load(c.der).key_usage_value.native) for c in certs)
    assert usages == [["data_encipherment", "key_agreement", "key_encipherment"],
                      ["digital_signature", "non_repudiation"]]
    for c in certs:
        cert = x509.Certificate.load(c.der)
        assert cert["signature_algorithm"]["algorithm"].dotted == "1.2.156.10197.1.501"  # SM3withSM2
        assert cert.public_key["algorithm"]["parameters"].chosen.dotted == sm2.CURVE_OID
        assert c.key.public_key_info == cert.public_key.dump()
        (tmp_path / "c.pem").write_bytes(pem.armor("CERTIFICATE", c.der))
        checked = _openssl("verify", "-vfyopt", "distid:1234567812345678", "-CAfile",
                           str(demo.sm2_ca_dir / "root.pem"), str(tmp_path / "c.pem"))
        assert checked.returncode == 0, checked.stderr
    (tmp_path / "pub.pem").write_bytes(pem.armor("PUBLIC KEY", x509.Certificate.load(signing.der).public_key.dump()))
    (tmp_path / "doc").write_bytes("盖章的文件".encode())
    (tmp_path / "sig").write_bytes(algos.DSASignature.from_p1363(signature).dump())
    verified = _openssl("dgst", "-sm3", "-verify", str(tmp_path / "pub.pem"), "-signature", str(tmp_path / "sig"),
                        "-sigopt", "distid:1234567812345678", str(tmp_path / "doc"))
    assert verified.stdout.strip() == "Verified OK"


def test_cli_pin_change_lock_and_unblock_on_the_sm2_demo_key(demo, run_cli, sm2_service):
    token = ["--token", demo.sm2_serial, "--pin-stdin"]
    changed = run_cli("pin", "change", *token, stdin=f"{environment.DEMO_USER_PIN}\nQw73np\n", env=demo.env)
    assert changed.returncode == 0, changed.stderr
    with sm2_service.session(demo.sm2_serial, bytearray(b"Qw73np")) as s:
        assert s.logged_in
    with pytest.raises(PinIncorrect):
        sm2_service.open_session(demo.sm2_serial, bytearray(environment.DEMO_USER_PIN.encode()))
    tries = 1
    while not sm2_service.find(demo.sm2_serial).pin.locked:
        with pytest.raises((PinIncorrect, PinLocked)):
            sm2_service.open_session(demo.sm2_serial, bytearray(b"000000"))
        tries += 1
    assert tries == 6  # the demo key's retry counter
    locked = run_cli("pin", "change", *token, stdin="Qw73np\nRt58kq\n", env=demo.env)
    assert locked.returncode == 4 and "已被锁定" in locked.stderr
    unblocked = run_cli("pin", "unblock", *token, stdin=f"{environment.DEMO_SO_PIN}\nRt58kq\n", env=demo.env)
    assert unblocked.returncode == 0, unblocked.stderr
    assert sm2_service.find(demo.sm2_serial).pin.summary == "ok"
    with sm2_service.session(demo.sm2_serial, bytearray(b"Rt58kq")) as s:
        assert s.logged_in
