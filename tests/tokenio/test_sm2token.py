"""The SM2 test key (sm2token/) as a PKCS#11 driver, and tokenio's SM2 path on it.

Signatures are checked by Debian's openssl (dgst -sm3 with distid), never by the module's own code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pkcs11
import pytest
from asn1crypto import algos, pem

from helper.demo import sm2token
from tokenio import sm2
from tokenio.errors import PinIncorrect, PinLocked, Sm2Unsupported
from tokenio.session import TokenSession
from tokenio.worker import TokenService

PIN, SO_PIN = "123456", "12345678"


@pytest.fixture
def sm2_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A token folder of its own, with a PIN that locks after 3 wrong tries."""
    conf = sm2token.configure(tmp_path / "sm2", max_tries=3)
    monkeypatch.setenv(sm2token.ENV_CONF, str(conf))
    return conf


@pytest.fixture
def sm2_serial(sm2_conf: Path) -> str:
    return sm2token.init_token(sm2_conf, "国密测试U盾", PIN, SO_PIN)


@pytest.fixture
def service(sm2_serial: str):
    svc = TokenService((str(sm2token.build()),), use_registry=False)
    yield svc
    svc.shutdown()


def openssl_verifies(tmp_path: Path, spki: bytes, data: bytes, signature: bytes,
                     user_id: bytes = sm2.DEFAULT_ID) -> bool:
    (tmp_path / "pub.pem").write_bytes(pem.armor("PUBLIC KEY", spki))
    (tmp_path / "data").write_bytes(data)
    (tmp_path / "sig").write_bytes(algos.DSASignature.from_p1363(signature).dump())
    run = subprocess.run(
        ["openssl", "dgst", "-sm3", "-verify", str(tmp_path / "pub.pem"), "-signature", str(tmp_path / "sig"),
         "-sigopt", f"distid:{user_id.decode()}", str(tmp_path / "data")],
        capture_output=True, text=True)
    return run.returncode == 0 and "Verified OK" in run.stdout


def test_loads_through_python_pkcs11_like_any_driver(sm2_serial: str):
    lib = pkcs11.lib(str(sm2token.build()))
    lib.initialize()
    try:
        token = lib.get_token(token_serial=sm2_serial.encode())
        assert token.label == "国密测试U盾"
        flags = int(token.flags)
        assert flags & pkcs11.TokenFlag.LOGIN_REQUIRED and flags & pkcs11.TokenFlag.USER_PIN_INITIALIZED
        mechanisms = {int(m) for m in token.slot.get_mechanisms()}
        assert {0x80008001, 0x80008100, 0x80008101, 0x80008104, 0x80008105} <= mechanisms
        with token.open(user_pin=PIN) as session:
            assert session.generate_random(64) != session.generate_random(64)
    finally:
        lib.finalize()  # the next test's TokenService initialises it again, on its own token folder


def test_c_initialize_with_os_locking_and_with_null_args(sm2_serial: str):
    script = f"""
import ctypes
class Args(ctypes.Structure):
    _fields_ = [("create", ctypes.c_void_p), ("destroy", ctypes.c_void_p), ("lock", ctypes.c_void_p),
                ("unlock", ctypes.c_void_p), ("flags", ctypes.c_ulong), ("reserved", ctypes.c_void_p)]
lib = ctypes.CDLL({str(sm2token.build())!r})
args = Args(None, None, None, None, 2, None)  # CKF_OS_LOCKING_OK
print(lib.C_Initialize(ctypes.byref(args)), lib.C_Initialize(None), lib.C_Finalize(None), lib.C_Initialize(None))
bad = Args(None, None, None, None, 2, 1)
lib.C_Finalize(None)
print(lib.C_Initialize(ctypes.byref(bad)))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    # OK, CKR_CRYPTOKI_ALREADY_INITIALIZED, OK, OK; then a reserved pointer: CKR_ARGUMENTS_BAD
    assert out == ["0", str(0x191), "0", "0", "7"]


def test_keygen_and_every_signing_profile_verify_in_openssl(service: TokenService, sm2_serial: str,
                                                            tmp_path: Path):
    data = "国密签名测试".encode() * 50
    with service.session(sm2_serial, bytearray(PIN.encode()), rw=True) as s:
        key = s.run(sm2.generate_keypair, b"\x01", "签名证书")
        plan = s.run(sm2.plan)
        signatures = {m: s.run(sm2.sign_using, m, b"\x01", data) for m in plan.sign}
    assert plan.profile == "sm2token"
    assert {m.input for m in plan.sign} == {"message", "digest"}
    assert {m.signature for m in plan.sign} == {"der", "raw"}
    for method, signature in signatures.items():
        assert len(signature) == 64, method
        assert openssl_verifies(tmp_path, key.public_key_info, data, signature), method
    assert not openssl_verifies(tmp_path, key.public_key_info, data + b"x", signatures[plan.sign[0]])


def test_signer_id_goes_to_the_token_or_into_z(service: TokenService, sm2_serial: str, tmp_path: Path):
    other_id = b"ALICE123@YAHOO.COM"
    with service.session(sm2_serial, bytearray(PIN.encode()), rw=True) as s:
        key = s.run(sm2.generate_keypair, b"\x07", "k")
        plan = s.run(sm2.plan)
        by_token = s.run(sm2.sign_using, plan.sign[0], b"\x07", b"abc", other_id)
        by_helper = s.run(sm2.sign_using, plan.sign[-1], b"\x07", b"abc", other_id)
    assert plan.sign[0].input == "message" and plan.sign[-1].input == "digest"
    for signature in (by_token, by_helper):
        assert openssl_verifies(tmp_path, key.public_key_info, b"abc", signature, other_id)
        assert not openssl_verifies(tmp_path, key.public_key_info, b"abc", signature)


def test_keys_pair_with_certificates_and_public_keys_read_back(service: TokenService, sm2_serial: str):
    with service.session(sm2_serial, bytearray(PIN.encode()), rw=True) as s:
        made = s.run(sm2.generate_keypair, b"\x02", "加密证书")
        privates = s.run(TokenSession.private_keys)
        publics = s.run(sm2.public_keys)
    assert [(k.cka_id, k.key_type, k.public_key_info) for k in privates] == [(b"\x02", "sm2", made.public_key_info)]
    assert [(k.cka_id, k.label, k.public_key_info) for k in publics] == [(b"\x02", "加密证书", made.public_key_info)]


def test_wrong_pins_walk_to_locked_and_the_administrator_unblocks(service: TokenService, sm2_serial: str):
    states = []
    for _ in range(2):
        with pytest.raises(PinIncorrect) as wrong:
            service.open_session(sm2_serial, bytearray(b"000000"))
        states.append(wrong.value.code)
    with pytest.raises(PinLocked):
        service.open_session(sm2_serial, bytearray(b"000000"))
    assert states == ["PIN_INCORRECT_COUNT_LOW", "PIN_INCORRECT_FINAL_TRY"]
    assert service.find(sm2_serial).pin.locked
    with pytest.raises(PinLocked):  # the right PIN no longer opens it
        service.open_session(sm2_serial, bytearray(PIN.encode()))
    info = service.unblock_pin(sm2_serial, bytearray(SO_PIN.encode()), bytearray(b"654321"))
    assert info.pin.summary == "ok"
    with service.session(sm2_serial, bytearray(b"654321")) as s:
        assert s.logged_in


def test_pin_change_and_a_wrong_pin_counts(service: TokenService, sm2_serial: str):
    with pytest.raises(PinIncorrect):
        service.change_pin(sm2_serial, bytearray(b"999999"), bytearray(b"246810"))
    assert service.find(sm2_serial).pin.count_low
    info = service.change_pin(sm2_serial, bytearray(PIN.encode()), bytearray(b"246810"))
    assert info.pin.summary == "ok"  # a right PIN resets the counter
    with pytest.raises(PinIncorrect):
        service.open_session(sm2_serial, bytearray(PIN.encode()))
    with service.session(sm2_serial, bytearray(b"246810")) as s:
        assert s.logged_in


_OTHER_PROCESS = """
import sys
from tokenio import sm2
from tokenio.session import TokenSession
from tokenio.worker import TokenService
svc = TokenService((sys.argv[1],), use_registry=False)
with svc.session(sys.argv[2], bytearray(b"123456"), rw=True) as s:
    print(s.run(TokenSession.read_data, "cahelper", "备注").decode())
    print(",".join(sorted(c.label for c in s.run(TokenSession.certificates))))
    print(s.run(sm2.sign, b"\\x01", b"from another process").hex())
    s.run(TokenSession.write_data, "cahelper", "备注", "第二个进程".encode())
svc.shutdown()
"""


def test_objects_persist_across_processes(service: TokenService, sm2_serial: str, tmp_path: Path):
    der = _self_signed_sm2_der(tmp_path)
    with service.session(sm2_serial, bytearray(PIN.encode()), rw=True) as s:
        key = s.run(sm2.generate_keypair, b"\x01", "签名证书")
        s.run(TokenSession.import_certificate, der, b"\x01", "签名证书")
        s.run(TokenSession.relabel_certificate, der, "改名的证书")
        s.run(TokenSession.write_data, "cahelper", "备注", "第一个进程".encode())
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", _OTHER_PROCESS, str(sm2token.build()), sm2_serial],
                         capture_output=True, text=True, env=env, check=True).stdout.splitlines()
    assert out[:2] == ["第一个进程", "改名的证书"]
    assert openssl_verifies(tmp_path, key.public_key_info, b"from another process", bytes.fromhex(out[2]))
    with service.session(sm2_serial, bytearray(PIN.encode()), rw=True) as s:
        assert s.run(TokenSession.read_data, "cahelper", "备注").decode() == "第二个进程"
        assert s.run(TokenSession.delete_certificate, der) == 1
        assert s.run(TokenSession.certificates) == []


def _self_signed_sm2_der(folder: Path) -> bytes:
    key, cert = folder / "ca.key", folder / "ca.der"
    subprocess.run(["openssl", "genpkey", "-algorithm", "SM2", "-out", str(key)], check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-new", "-x509", "-key", str(key), "-sm3", "-sigopt",
                    "distid:1234567812345678", "-subj", "/CN=SM2 test", "-days", "30", "-outform", "DER",
                    "-out", str(cert)], check=True, capture_output=True)
    return cert.read_bytes()


def test_profiles_follow_what_the_token_lists():
    ibm = sm2.choose({0x8005000A, 0x8005000C}, "openCryptoki EP11")
    assert (ibm.profile, ibm.key_type, ibm.keygen) == ("opencryptoki-ibm", 0x80050002, 0x8005000A)
    digest_only = sm2.choose({0x80008105}, "某厂商U盾")
    assert digest_only.profile == "gm-sansec-koal" and digest_only.keygen is None
    assert [(m.input, m.signature) for m in digest_only.sign] == [("digest", "raw")]
    with pytest.raises(Sm2Unsupported) as unknown:
        sm2.choose({0x1041, 0x1}, "SoftHSM 2")
    assert unknown.value.code == "SM2_UNSUPPORTED" and unknown.value.params["driver"] == "SoftHSM 2"
    with pytest.raises(Sm2Unsupported):  # a driver pinned to a profile gets only that one
        sm2.choose({0x80008103}, "openCryptoki", "opencryptoki-ibm")


def test_a_driver_without_sm2_gets_the_coded_message(token_service, make_token):
    token = make_token()
    with token_service.session(token.serial, bytearray(token.pin.encode())) as s:
        with pytest.raises(Sm2Unsupported) as exc:
            s.run(sm2.sign, token.keys[0].cka_id, b"x")
    assert exc.value.params["driver"].startswith("SoftHSM")


def test_it_keeps_the_rules_a_vendor_key_keeps(service: TokenService, sm2_serial: str):
    import pkcs11.exceptions as p11e
    from pkcs11 import Attribute, ObjectClass

    with service.session(sm2_serial, bytearray(PIN.encode()), rw=True) as s:
        s.run(sm2.generate_keypair, b"\x01", "签名证书")

        def private_value(ts: TokenSession) -> bytes:
            return ts.find_key(b"\x01")[Attribute.VALUE]

        with pytest.raises(p11e.AttributeSensitive):
            s.run(private_value)
    with service.session(sm2_serial) as s:  # before login: the private key is not even visible
        assert s.run(lambda ts: list(ts.session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))) == []
        assert [k.cka_id for k in s.run(sm2.public_keys)] == [b"\x01"]
        with pytest.raises(p11e.SessionReadOnly):
            s.run(lambda ts: ts.session.create_object({Attribute.CLASS: ObjectClass.DATA, Attribute.TOKEN: True,
                                                       Attribute.LABEL: "x", Attribute.VALUE: b"x"}))
        with pytest.raises(p11e.UserNotLoggedIn):
            s.run(lambda ts: ts.session.create_object({Attribute.CLASS: ObjectClass.DATA, Attribute.PRIVATE: True,
                                                       Attribute.LABEL: "x", Attribute.VALUE: b"x"}))


def test_wrong_administrator_pins_lock_the_administrator_pin(service: TokenService, sm2_serial: str):
    from tokenio.errors import SoPinIncorrect, SoPinLocked

    codes = []
    for _ in range(3):
        with pytest.raises((SoPinIncorrect, SoPinLocked)) as wrong:
            service.unblock_pin(sm2_serial, bytearray(b"00000000"), bytearray(b"654321"))
        codes.append(wrong.value.code)
    assert codes == ["SO_PIN_INCORRECT", "SO_PIN_INCORRECT_FINAL_TRY", "SO_PIN_LOCKED"]
    assert service.find(sm2_serial).pin.so_locked
    with pytest.raises(SoPinLocked):
        service.unblock_pin(sm2_serial, bytearray(SO_PIN.encode()), bytearray(b"654321"))
    with service.session(sm2_serial, bytearray(PIN.encode())) as s:  # the user PIN is not affected
        assert s.logged_in


def test_pulling_the_key_out_and_back_is_seen_without_reinitialising(service: TokenService, sm2_serial: str,
                                                                     sm2_conf: Path, tmp_path: Path):
    folder = sm2_conf.parent / "tokens" / sm2_serial
    assert [t.serial for t in service.rescan()] == [sm2_serial]
    folder.rename(tmp_path / "away")
    assert service.rescan() == []
    (tmp_path / "away").rename(folder)
    assert [t.serial for t in service.rescan()] == [sm2_serial]
    second = sm2token.init_token(sm2_conf, "第二个U盾", PIN, SO_PIN)  # made by another process
    assert sorted(t.serial for t in service.rescan()) == sorted([sm2_serial, second])


def test_signatures_are_normalised_by_the_profile_not_by_their_first_byte():
    raw_like_der = bytes([0x30]) + bytes(range(1, 64))  # r||s may begin with 0x30
    assert sm2.raw_signature(raw_like_der, "raw") == raw_like_der
    small_r = algos.DSASignature({"r": 5, "s": 2**255 + 7}).dump()  # DER drops leading zeros
    assert sm2.raw_signature(small_r, "der") == (5).to_bytes(32, "big") + (2**255 + 7).to_bytes(32, "big")
    assert sm2.raw_signature(raw_like_der, "der") == raw_like_der  # promised DER, got r||s


_WRONG_PINS = """
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
assert lib.C_Initialize(None) == 0
slot, session = ctypes.c_ulong(int(sys.argv[2])), ctypes.c_ulong()
assert lib.C_OpenSession(slot, 4, None, None, ctypes.byref(session)) == 0  # CKF_SERIAL_SESSION
for _ in range(int(sys.argv[3])):
    lib.C_Login(session, 1, b"000000", 6)
lib.C_Finalize(None)
"""


def test_every_wrong_pin_counts_when_processes_try_at_once(sm2_conf: Path, sm2_serial: str):
    sm2_conf.write_text(sm2_conf.read_text().replace("pin.max_tries = 3", "pin.max_tries = 40"))
    serial = sm2token.init_token(sm2_conf, "并发", PIN, SO_PIN)  # 40 tries: set when the token is made
    lib = pkcs11.lib(str(sm2token.build()))
    lib.initialize()
    try:
        slot = lib.get_token(token_serial=serial.encode()).slot.slot_id
        workers = [subprocess.Popen([sys.executable, "-c", _WRONG_PINS, str(sm2token.build()), str(slot), "20"])
                   for _ in range(2)]
        assert [w.wait(timeout=120) for w in workers] == [0, 0]
        flags = int(lib.get_token(token_serial=serial.encode()).flags)
    finally:
        lib.finalize()
    assert flags & 0x00040000  # CKF_USER_PIN_LOCKED: all 40 wrong PINs were counted


def test_a_pin_is_never_tried_on_another_key_put_in_the_same_reader(sm2_conf: Path, sm2_serial: str, service,
                                                                   tmp_path: Path):
    """Key A is listed, pulled out, and key B goes into the same reader: a login meant for A is refused as
    'key removed' before C_Login, so B's wrong-PIN counter stays at zero."""
    from tokenio.errors import TokenAbsent, TokenRemoved

    (listed,) = service.tokens()
    other = sm2token.configure(tmp_path / "other")
    b_serial = sm2token.init_token(other, "另一个U盾", "654321", SO_PIN)
    tokens = sm2_conf.parent / "tokens"
    (tokens / sm2_serial).rename(tmp_path / "pulled-out")
    (other.parent / "tokens" / b_serial).rename(tokens / sm2_serial)  # B now answers in A's slot
    with pytest.raises((TokenRemoved, TokenAbsent)):
        with service.session(listed.id, bytearray(PIN.encode())):
            pass
    state = (tokens / sm2_serial / "token.conf").read_text()
    assert f"serial={b_serial}" in state and "user_fails=0" in state, state


_FOREIGN_OBJECTS = """
import sys
import pkcs11
from pkcs11 import Attribute
from pkcs11.attributes import AttributeMapper

raw = AttributeMapper()
raw.register_handler(Attribute.LABEL, lambda b: b, lambda b: b)  # labels written as the vendor's tool does
raw.register_handler(Attribute.CLASS, lambda v: int(v).to_bytes(8, sys.byteorder),
                     lambda b: int.from_bytes(b, sys.byteorder))  # CK_ULONG, vendor classes included
module, serial, der = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3])
token = pkcs11.lib(module).get_token(token_serial=serial.encode())
with token.open(rw=True, user_pin="123456", attribute_mapper=raw) as session:
    session.create_object({Attribute.CLASS: 0x80000001, Attribute.TOKEN: True, Attribute.LABEL: "容器".encode("gbk"),
                           Attribute.VALUE: b"vendor container"})
    session.create_object({Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE, Attribute.TOKEN: True,
                           Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509, Attribute.ID: b"\\x07",
                           Attribute.LABEL: "财务专用证书".encode("gbk"), Attribute.VALUE: der})
"""


def test_vendor_objects_and_gbk_labels_do_not_stop_the_listing(sm2_conf: Path, sm2_serial: str, service):
    """Objects a vendor's own tool left on the key: a CKO_VENDOR_DEFINED container and a certificate whose
    label is GBK. The certificate is listed with its Chinese label; the container is passed over."""
    der = pem.unarmor((Path(__file__).parents[1] / "acceptance" / "realcerts" / "sheca-sm2-ca.pem").read_bytes())[2]
    subprocess.run([sys.executable, "-c", _FOREIGN_OBJECTS, str(sm2token.build()), sm2_serial, der.hex()],
                   check=True, capture_output=True, env={**os.environ, sm2token.ENV_CONF: str(sm2_conf)})
    (token,) = service.tokens()
    (cert,) = service.certificates(token.id)
    assert cert.label == "财务专用证书" and cert.der == der and cert.problem is None


def test_a_gbk_token_label_is_read_as_chinese(sm2_conf: Path, sm2_serial: str):
    """A vendor's initialisation tool wrote the key's label in GBK: it is listed as written, not as U+FFFD."""
    state = sm2_conf.parent / "tokens" / sm2_serial / "token.conf"
    state.write_bytes(state.read_bytes().replace("国密测试U盾".encode(), "财务U盾".encode("gbk")))
    service = TokenService((str(sm2token.build()),), use_registry=False)
    try:
        (token,) = service.tokens()
        assert token.label == "财务U盾" and token.matches("财务U盾") == "label"
    finally:
        service.shutdown()


def test_ctrl_c_while_the_login_waits_uses_no_try(sm2_conf: Path, sm2_serial: str, service):
    """Ctrl+C arrives while the login is still queued behind other work on the token thread: the caller stops,
    and the login that then runs has the PIN as typed (not a wiped buffer that would count as wrong)."""
    import signal
    import threading
    import time

    (token,) = service.tokens()
    busy = threading.Event()
    service.submit(lambda: (busy.set(), time.sleep(0.6)))  # the token thread is busy with other work
    busy.wait(5)

    def ctrl_c(_sig, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, ctrl_c)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(KeyboardInterrupt):
            service.open_session(token.id, bytearray(PIN.encode()))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    service.call(lambda: None)  # the queued login has run by now
    state = (sm2_conf.parent / "tokens" / sm2_serial / "token.conf").read_text()
    assert "user_fails=0" in state, state


def test_an_expired_pin_can_be_changed(sm2_conf: Path, sm2_serial: str):
    """A key that forces a PIN change (C_Login answers CKR_PIN_EXPIRED) is changed as the message says, and
    the new PIN then logs in: no dead end between 'change the PIN first' and a change that needs a login."""
    from tokenio.errors import PinExpired

    state = sm2_conf.parent / "tokens" / sm2_serial / "token.conf"
    state.write_text(state.read_text() + "user_pin_expired=1\n")
    service = TokenService((str(sm2token.build()),), use_registry=False)
    try:
        (token,) = service.tokens()
        assert token.pin.to_be_changed
        with pytest.raises(PinExpired):
            with service.session(token.id, bytearray(PIN.encode())):
                pass
        changed = service.change_pin(token.id, bytearray(PIN.encode()), bytearray(b"864209"))
        assert not changed.pin.to_be_changed
        with service.session(token.id, bytearray(b"864209")) as handle:
            assert handle.logged_in
    finally:
        service.shutdown()
