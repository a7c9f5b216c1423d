"""helper.crypto.sm2 and helper.crypto.chain against the standard's example, OpenSSL and Bouncy Castle."""

# ruff: noqa: F401, F811 - the session fixtures sm2_pki / bouncy_castle are imported from tests.interop.sm2world
from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import x509

from helper.crypto import chain, sm2
from tests.interop.sm2world import DISTID, bouncy_castle, sm2_pki
from tokenio import sm2 as token_sm2

# GB/T 32918.5-2017 (GM/T 0003.5) A.2: key, message, ID 1234567812345678 and the signature r || s.
STD_KEY = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
STD_SIG = ("F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
           "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA")


def _cert(c) -> x509.Certificate:
    return x509.Certificate.load(c.der)


def test_sm3_and_the_standard_signature_example():
    assert sm2.sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    point = sm2.SoftwareKey(bytes.fromhex(STD_KEY)).public_point
    sig = bytes.fromhex(STD_SIG)
    assert sm2.verify(point, b"message digest", sig)
    assert not sm2.verify(point, b"message digesT", sig)
    assert not sm2.verify(point, b"message digest", sig, uid=b"1234567812345679")  # Z covers the ID
    assert not sm2.verify(point, b"message digest", sig[:32] + bytes(32))
    assert not sm2.verify(point, b"message digest", sig[:-1])


def test_signature_encodings_and_points():
    key = sm2.SoftwareKey.generate()
    rs = key.sign(b"data")
    assert sm2.der_to_rs(sm2.rs_to_der(rs)) == rs
    assert sm2.to_rs(sm2.rs_to_der(rs)) == rs and sm2.to_rs(rs) == rs
    with pytest.raises(sm2.SM2Error):
        sm2.der_to_rs(b"\x30\x03\x02\x01\x00")
    assert sm2.check_point(key.public_point[1:]) == key.public_point
    with pytest.raises(sm2.SM2Error):
        sm2.check_point(b"\x04" + bytes(64))  # not on the curve
    # A prepared digest e = SM3(Z || M) as tokenio computes it (hashlib's SM3), signed raw, verifies as a
    # signature of M with gmalglib's own Z.
    assert sm2.verify(key.public_point, b"data", key.sign_digest(token_sm2.message_digest(key.public_point, b"data")))


def test_openssl_signature_verifies_here_and_ours_in_bouncy_castle(sm2_pki, bouncy_castle, tmp_path):
    data = tmp_path / "data.bin"
    data.write_bytes("统一社会信用代码".encode() * 50)
    key_file = sm2_pki.folder / "signing.key"
    subprocess.run(["openssl", "dgst", "-sm3", "-sign", str(key_file), "-sigopt", DISTID, "-out",
                    str(tmp_path / "ossl.sig"), str(data)], check=True, capture_output=True)
    point = sm2.point_of(_cert(sm2_pki.signing).public_key)
    assert sm2.verify_der(point, data.read_bytes(), (tmp_path / "ossl.sig").read_bytes())

    ours = sm2.SoftwareKey.from_der(sm2_pki.signing.key_pem)
    assert ours.public_point == point
    (tmp_path / "ours.sig").write_bytes(sm2.rs_to_der(ours.sign(data.read_bytes())))
    ok, lines = bouncy_castle.signature(sm2_pki.signing.path, data, tmp_path / "ours.sig")
    assert ok, lines
    data.write_bytes(data.read_bytes() + b"!")
    ok, lines = bouncy_castle.signature(sm2_pki.signing.path, data, tmp_path / "ours.sig")
    assert not ok and lines[0].startswith("FAIL")


def test_certificate_signatures_and_paths(sm2_pki):
    root, ca, leaf = _cert(sm2_pki.root), _cert(sm2_pki.ca), _cert(sm2_pki.signing)
    assert sm2.check_certificate_signature(leaf, ca) and sm2.check_certificate_signature(ca, root)
    assert not sm2.check_certificate_signature(leaf, root)
    assert chain.validate_path(leaf, [root], [ca]) == (leaf, ca, root)
    assert chain.involves_sm2(leaf)
    for roots, others, reason in (([], [ca], "no_issuer"), ([root], [], "no_issuer")):
        with pytest.raises(chain.ChainError) as err:
            chain.validate_path(leaf, roots, others)
        assert err.value.reason == reason
    with pytest.raises(chain.ChainError) as err:
        chain.validate_path(leaf, [root], [ca], datetime.now(UTC) + timedelta(days=400))
    assert err.value.reason == "expired"
    # A leaf cannot act as a CA, even when its signature is right.
    fake = sm2_pki.issue("under-leaf", "/CN=下级", "digitalSignature", issuer=sm2_pki.signing)
    with pytest.raises(chain.ChainError) as err:
        chain.validate_path(_cert(fake), [root], [ca, leaf])
    assert err.value.reason == "not_ca"


def test_forged_issuer_with_the_same_name_is_refused(sm2_pki, tmp_path):
    """An attacker's CA with the issuing CA's exact name is never taken for it."""
    from tests.interop.sm2world import _ca, _leaf

    forged_root = _ca(tmp_path, "froot", "/C=CN/O=测试国密CA/CN=测试国密根CA", None)
    forged_ca = _ca(tmp_path, "fca", "/C=CN/O=测试国密CA/CN=测试国密签发CA", forged_root)
    victim = _leaf(tmp_path, "victim", "/O=某单位/CN=李四", "digitalSignature", forged_ca)
    with pytest.raises(chain.ChainError):
        chain.validate_path(_cert(victim), [_cert(sm2_pki.root)], [_cert(forged_ca), _cert(sm2_pki.ca)])
    with pytest.raises(chain.ChainError) as err:
        chain.validate_path(_cert(forged_ca), [_cert(sm2_pki.root)], [])
    assert err.value.reason in ("no_issuer", "bad_signature")


def test_path_length_and_name_constraints_of_sm2_cas(sm2_pki, tmp_path):
    """A CA allowed no CA below it (pathlen:0) cannot be bridged by a sub-CA; a CA that restricts names is
    refused rather than accepted unchecked."""
    from tests.interop.sm2world import _ca, _leaf

    root = _cert(sm2_pki.root)
    last = _ca(tmp_path, "last", "/C=CN/O=测试国密CA/CN=末级CA", sm2_pki.root, constraints=",pathlen:0")
    direct = _leaf(tmp_path, "direct", "/O=某单位/CN=张三", "digitalSignature", last)
    assert chain.validate_path(_cert(direct), [root], [_cert(last)])[1].dump() == last.der
    sub = _ca(tmp_path, "sub", "/C=CN/O=某单位/CN=自建下级CA", last)
    bridged = _leaf(tmp_path, "bridged", "/O=某单位/CN=李四", "digitalSignature", sub)
    with pytest.raises(chain.ChainError) as err:
        chain.validate_path(_cert(bridged), [root], [_cert(last), _cert(sub)])
    assert err.value.reason == "path_length"
    limited = _ca(tmp_path, "limited", "/C=CN/O=测试国密CA/CN=限名CA", sm2_pki.root,
                  constraints="\nnameConstraints=critical,permitted;dirName:limited_dn\n[limited_dn]\nO=某单位")
    inside = _leaf(tmp_path, "inside", "/O=某单位/CN=王五", "digitalSignature", limited)
    with pytest.raises(chain.ChainError) as err:
        chain.validate_path(_cert(inside), [root], [_cert(limited)])
    assert err.value.reason == "name_constraints"
