"""Objects, key generation, CSRs and signatures on a real SoftHSM key, checked independently with openssl."""

import hashlib
import subprocess
from pathlib import Path

import pkcs11
import pytest
from asn1crypto import keys, x509
from pkcs11 import Attribute, ObjectClass

from tests.support import pin
from tokenio.errors import ObjectNotFound
from tokenio.session import TokenSession

SUBJECT = x509.Name.build({"common_name": "张三", "organization_name": "石家庄示例科技有限公司"})


def openssl(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *args], input=data, capture_output=True)


def public_pem(spki_der: bytes, folder: Path) -> Path:
    path = folder / "pub.der"
    path.write_bytes(spki_der)
    out = folder / "pub.pem"
    subprocess.run(["openssl", "pkey", "-pubin", "-inform", "DER", "-in", path, "-out", out], check=True)
    return out


@pytest.fixture(scope="module")
def token(make_token):
    return make_token(keys=(("rsa2048", "sign"), ("ec-p256", "sign")))


@pytest.mark.parametrize(("cka_id", "scheme", "extra"), [
    (b"\x01", "rsa-pkcs1-sha256", []),
    (b"\x01", "rsa-pss-sha256", ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"]),
    (b"\x02", "ecdsa-sha256", []),
])
def test_signature_verifies_with_openssl(token_service, token, tmp_path, cka_id, scheme, extra):
    data = "参保登记名册".encode() * 100
    with token_service.session(token.serial, pin(token.pin)) as s:
        key = next(k for k in s.run(TokenSession.private_keys) if k.cka_id == cka_id)
        signature = s.run(TokenSession.sign, cka_id, data, scheme)
    (tmp_path / "data").write_bytes(data)
    (tmp_path / "sig").write_bytes(signature)
    pub = public_pem(key.public_key_info, tmp_path)
    result = openssl("dgst", "-sha256", "-verify", str(pub), "-signature", str(tmp_path / "sig"), *extra,
                     str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert b"Verified OK" in result.stdout
    (tmp_path / "data").write_bytes(data + b"x")
    assert openssl("dgst", "-sha256", "-verify", str(pub), "-signature", str(tmp_path / "sig"), *extra,
                   str(tmp_path / "data")).returncode != 0


def test_digest_signature_uses_raw_mechanism_and_verifies(token_service, token, tmp_path):
    digest = hashlib.sha256(b"hello").digest()
    with token_service.session(token.serial, pin(token.pin)) as s:
        key = next(k for k in s.run(TokenSession.private_keys) if k.key_type == "rsa")
        signature = s.run(TokenSession.sign_digest, key.cka_id, digest, "rsa-pkcs1-sha256")
    (tmp_path / "data").write_bytes(b"hello")
    (tmp_path / "sig").write_bytes(signature)
    pub = public_pem(key.public_key_info, tmp_path)
    assert openssl("dgst", "-sha256", "-verify", str(pub), "-signature", str(tmp_path / "sig"),
                   str(tmp_path / "data")).returncode == 0


@pytest.mark.parametrize("spec", ["rsa2048", "ec-p256"])
def test_generated_key_and_csr_verify_with_openssl(token_service, make_token, tmp_path, spec):
    fresh = make_token(keys=())
    with token_service.session(fresh.serial, pin(fresh.pin), rw=True) as s:
        key = s.run(TokenSession.generate_keypair, spec, b"\x42", "new key")
        csr = s.run(TokenSession.make_csr, key, SUBJECT)
        private = s.run(TokenSession.private_keys)
    assert [(k.cka_id, k.key_type) for k in private] == [(b"\x42", "rsa" if spec == "rsa2048" else "ec")]
    (tmp_path / "req.der").write_bytes(csr)
    result = openssl("req", "-inform", "DER", "-in", str(tmp_path / "req.der"), "-verify", "-noout", "-subject",
                     "-nameopt", "utf8")
    assert result.returncode == 0, result.stderr
    assert "石家庄示例科技有限公司" in result.stdout.decode()
    assert keys.PublicKeyInfo.load(key.public_key_info).algorithm == ("rsa" if spec == "rsa2048" else "ec")


def test_private_key_is_not_extractable(token_service, token):
    def attributes(ts: TokenSession):
        k = ts.find_key(b"\x01")
        return k[Attribute.SENSITIVE], k[Attribute.EXTRACTABLE]

    with token_service.session(token.serial, pin(token.pin)) as s:
        assert s.run(attributes) == (True, False)


def test_certificates_pair_by_id_then_by_public_key(token_service, make_token, demo_pki):
    fresh = make_token(keys=(("rsa2048", "sign"),))
    # a second copy of the certificate stored under another CKA_ID pairs by public key
    with token_service.session(fresh.serial, pin(fresh.pin), rw=True) as s:
        s.run(TokenSession.import_certificate, fresh.cert(), b"\x99", "copy without matching id")
    objs = token_service.certificates(fresh.serial)
    assert len(objs) == 2
    assert all(o.key is not None and o.key.cka_id == b"\x01" for o in objs)


def test_garbage_certificate_object_is_listed_not_raised(token_service, make_token):
    fresh = make_token(keys=(("rsa2048", "sign"),))

    def add_garbage(ts: TokenSession):
        ts.session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
            Attribute.TOKEN: True, Attribute.VALUE: b"\x30\x82\x01\x00garbage", Attribute.LABEL: "坏证书",
            Attribute.ID: b"\x07", Attribute.SUBJECT: b"\x30\x00",
        })

    with token_service.session(fresh.serial, pin(fresh.pin), rw=True) as s:
        s.run(add_garbage)
    objs = token_service.certificates(fresh.serial)
    bad = [o for o in objs if o.der is None]
    assert len(objs) == 2 and len(bad) == 1
    assert bad[0].label == "坏证书" and "unparseable" in bad[0].problem


def test_data_objects_round_trip_and_replace(token_service, make_token):
    fresh = make_token(keys=())
    with token_service.session(fresh.serial, pin(fresh.pin), rw=True) as s:
        s.run(TokenSession.write_data, "cahelper-seal", "公章", b"one")
        s.run(TokenSession.write_data, "cahelper-seal", "公章", b"two")
        assert s.run(TokenSession.read_data, "cahelper-seal", "公章") == b"two"
        assert [d.label for d in s.run(TokenSession.data_objects, "cahelper-seal")] == ["公章"]
        assert s.run(TokenSession.delete_data, "cahelper-seal", "公章") == 1
        with pytest.raises(ObjectNotFound):
            s.run(TokenSession.read_data, "cahelper-seal", "公章")


def test_certificate_delete_and_relabel(token_service, make_token):
    fresh = make_token(keys=(("rsa2048", "sign"),))
    with token_service.session(fresh.serial, pin(fresh.pin), rw=True) as s:
        s.run(TokenSession.relabel_certificate, fresh.cert(), "历史证书")
        assert [c.label for c in s.run(TokenSession.certificates)] == ["历史证书"]
        assert s.run(TokenSession.delete_certificate, fresh.cert()) == 1
        assert s.run(TokenSession.certificates) == []


def test_a_wrong_pin_on_one_key_leaves_no_session_behind_while_another_key_is_open(token_service, make_token):
    """python-pkcs11 leaves a failed login's session open; it is closed even while a session on another key
    of the same driver is in use, so the administrator PIN can unblock the first key right after."""
    from tokenio.errors import PinIncorrect

    busy, mistyped = make_token("正在签章的U盾"), make_token("输错口令的U盾")
    with token_service.session(busy.serial, pin(busy.pin)):
        with pytest.raises(PinIncorrect):
            with token_service.session(mistyped.serial, pin("000000")):
                pass
        token_service.unblock_pin(mistyped.serial, pin(mistyped.so_pin), pin("246810"))
    with token_service.session(mistyped.serial, pin("246810")) as handle:
        assert handle.logged_in


def test_a_second_login_while_a_batch_holds_the_key_is_busy_and_leaves_the_batch_logged_in(token_service,
                                                                                         make_token):
    """PKCS#11 keeps one login per program and key: a website's login while the window signs a batch is told
    'busy' (TOKEN_BUSY), and the batch's session stays logged in and keeps signing."""
    import hashlib

    from tokenio.errors import TokenBusy

    key = make_token("批量签章中的U盾", keys=(("rsa2048", "sign"),))
    digest = hashlib.sha256(b"batch").digest()
    with token_service.session(key.serial, pin(key.pin)) as batch:
        with pytest.raises(TokenBusy):
            with token_service.session(key.serial, pin(key.pin)):
                pass
        assert batch.logged_in
        assert batch.run(TokenSession.sign_digest, key.keys[0].cka_id, digest, "rsa-pkcs1-sha256")


def test_a_call_after_shutdown_fails_at_once_instead_of_waiting_forever():
    """A window job that reaches the token service while the application quits gets an error, not a hang."""
    import threading

    from tests.support import SOFTHSM
    from tokenio.errors import TokenError
    from tokenio.worker import TokenService

    service = TokenService((SOFTHSM,), use_registry=False)
    service.tokens()
    service.shutdown()
    outcome: list[BaseException | object] = []
    late = threading.Thread(target=lambda: outcome.append(_run_or_error(service.tokens)), daemon=True)
    late.start()
    late.join(10)
    assert outcome and isinstance(outcome[0], TokenError)


def _run_or_error(fn):
    try:
        return fn()
    except BaseException as exc:  # noqa: BLE001 - the test looks at what came back
        return exc
