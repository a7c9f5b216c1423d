"""Interrupting a certificate installation at every step boundary: process killed, or key pulled out.

After recovery the key holds exactly one current certificate per key pair, nothing marked as
half-installed, and signing and login work with the certificate that is current.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, pkcs7
from renewal_kit import MAC_SERVER, IssuingCmpServer, renewals, store, token_objects, verify_signature

from helper.demo import softhsm
from helper.demo.pki import unit_name
from helper.messages import HelperError
from helper.renewal.install import NEW_LABEL_MARK
from helper.renewal.journal import Journal
from tokenio.errors import TokenError
from tokenio.session import TokenSession

CHILD = Path(__file__).with_name("crash_child.py")
INSTALL_BOUNDARIES = [("prepared", "after")] + [
    (step, when) for step in ("written", "verified", "old_removed", "relabelled") for when in ("before", "after")
]


@pytest.fixture
def key(make_token):
    return make_token(keys=(("rsa2048", "sign"), ("rsa2048", "enc")), days=15)


def _renewal_file(demo_pki, token, folder: Path) -> tuple[bytes, Path]:
    old = x509.load_der_x509_certificate(token.cert(0))
    spki = old.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    renewed = demo_pki.issue(spki, unit_name(), days=730)
    path = folder / "renewed.p7b"
    path.write_bytes(pkcs7.serialize_certificates(
        [x509.load_der_x509_certificate(d) for d in (renewed, *demo_pki.chain_der)], Encoding.DER))
    return renewed, path


def _kill_child(token, kind: str, step: str, when: str, target: str) -> None:
    proc = subprocess.run([sys.executable, str(CHILD), kind, token.serial, step, when, target],
                          input=(token.pin + "\n").encode(), capture_output=True, timeout=60, env=dict(os.environ))
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]


def _current(token_service, token) -> dict[bytes, list[tuple[bytes, str]]]:
    out: dict[bytes, list[tuple[bytes, str]]] = {}
    for o in token_service.certificates(token.serial):
        out.setdefault(o.cka_id, []).append((o.der, o.label))
    return out


def _recover(token_service, token) -> list:
    return renewals(token_service).recover(token.serial, bytearray(token.pin.encode()))


def _assert_consistent(token_service, token, expected: dict[bytes, bytes]) -> None:
    """One readable certificate per key pair, as expected; final labels; signing and login work."""
    current = _current(token_service, token)
    assert {k: [d for d, _ in v] for k, v in current.items()} == {k: [d] for k, d in expected.items()}
    assert not any(NEW_LABEL_MARK in label for v in current.values() for _, label in v)
    assert not store().pending(token.serial)
    with token_service.session(token.serial, bytearray(token.pin.encode())) as s:  # login
        keys = {k.cka_id: k for k in s.run(TokenSession.private_keys)}
        assert set(keys) == set(expected)
        for cka_id, der in expected.items():
            usage = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(x509.KeyUsage).value
            if usage.digital_signature:
                signature = s.run(TokenSession.sign, cka_id, b"after recovery", "rsa-pkcs1-sha256")
                verify_signature(der, b"after recovery", signature)


def _has_working_certificate(token_service, token, candidates: set[bytes]) -> bool:
    return any(d in candidates for d, _ in _current(token_service, token).get(token.keys[0].cka_id, []))


@pytest.mark.parametrize(("step", "when"), INSTALL_BOUNDARIES, ids=[f"{s}-{w}" for s, w in INSTALL_BOUNDARIES])
def test_killed_during_install_is_finished_on_recovery(token_service, key, demo_pki, tmp_path: Path,
                                                       step: str, when: str) -> None:
    renewed, path = _renewal_file(demo_pki, key, tmp_path)
    _kill_child(key, "import", step, when, str(path))
    assert store().pending(key.serial)
    assert _has_working_certificate(token_service, key, {key.cert(0), renewed})
    (result,) = _recover(token_service, key)
    assert result.outcome == "completed"
    _assert_consistent(token_service, key, {key.keys[0].cka_id: renewed, key.keys[1].cka_id: key.cert(1)})
    labels = {k: v[0][1] for k, v in _current(token_service, key).items()}
    assert labels[key.keys[0].cka_id] == "签名证书1"


NEW_KEY_BOUNDARIES = [("keygen", "after"), ("prepared", "before"), ("prepared", "after"), ("verified", "after")]


@pytest.mark.parametrize(("step", "when"), NEW_KEY_BOUNDARIES, ids=[f"{s}-{w}" for s, w in NEW_KEY_BOUNDARIES])
def test_killed_during_new_key_renewal(token_service, key, demo_pki, tmp_path: Path, step: str, when: str) -> None:
    before = token_objects(token_service, key.serial, key.pin)
    server = IssuingCmpServer(demo_pki, tmp_path, MAC_SERVER)
    try:
        _kill_child(key, "new-key", step, when, server.url)
    finally:
        server.stop()
    assert _has_working_certificate(token_service, key, {key.cert(0)})
    _recover(token_service, key)
    old = {key.keys[0].cka_id: key.cert(0), key.keys[1].cka_id: key.cert(1)}
    if step == "keygen" or (step, when) == ("prepared", "before"):
        # No certificate was recorded: the generated key pair (only it) is deleted again.
        assert token_objects(token_service, key.serial, key.pin) == before
        _assert_consistent(token_service, key, old)
    else:
        new_ids = set(_current(token_service, key)) - set(old)
        assert len(new_ids) == 1
        (new_id,) = new_ids
        _assert_consistent(token_service, key, {**old, new_id: server.issued})


UNPLUG_BOUNDARIES = ["prepared", "written", "verified", "old_removed"]


@pytest.mark.parametrize("step", UNPLUG_BOUNDARIES)
def test_key_pulled_out_during_install_is_finished_on_recovery(token_service, key, demo_pki, softhsm_conf,
                                                               tmp_path: Path, monkeypatch, step: str) -> None:
    renewed, path = _renewal_file(demo_pki, key, tmp_path)
    stash = tmp_path / "stash"
    stash.mkdir()
    pulled: list[Path] = []
    original = Journal._save

    def save_then_pull(self: Journal) -> None:
        original(self)
        if self.step == step and not pulled:
            pulled.append(softhsm.unplug(softhsm_conf, key.serial, stash))

    monkeypatch.setattr(Journal, "_save", save_then_pull)
    try:
        with pytest.raises((TokenError, HelperError)):
            renewals(token_service).import_file(key.serial, bytearray(key.pin.encode()), path.read_bytes(), str(path))
    finally:
        softhsm.plug_back(softhsm_conf, pulled[0])
    token_service.rescan()  # the key came back: the watcher's rescan sees it again
    monkeypatch.setattr(Journal, "_save", original)
    assert store().pending(key.serial)
    assert _has_working_certificate(token_service, key, {key.cert(0), renewed})
    _recover(token_service, key)
    _assert_consistent(token_service, key, {key.keys[0].cka_id: renewed, key.keys[1].cka_id: key.cert(1)})
