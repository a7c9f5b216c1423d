"""NSS softokn through p11-kit-proxy alongside SoftHSM: two NSS slots share the serial 0000000000000000, and the
proxy also re-exports SoftHSM, which the run names directly as well. Listing, certificates, details and signing
all work, each token once, and `--token` takes the id `tokens` shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from helper.demo.pki import unit_name
from tests.acceptance.p11kit import P11KIT_PROXY, nss_database, proxied

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "signing"))
from corpus import blank_pdf  # noqa: E402

NSS_PASSWORD = "nss-口令-1"
NSS_UNIT = "张家口示例物流有限公司"


@pytest.fixture(scope="module")
def nss(tmp_path_factory, demo_pki, demo_token):
    """An NSS database holding a unit's signing key and certificate from the demo CA, offered by p11-kit."""
    folder = tmp_path_factory.mktemp("nss")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    cert = demo_pki.issue(spki, unit_name(NSS_UNIT, "赵六", "91130700MA07X8T36K"))
    (folder / "cert.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\n" + _b64(cert) + b"-----END CERTIFICATE-----\n")
    db = nss_database(folder, NSS_PASSWORD, folder / "key.pem", folder / "cert.pem")
    (folder / "key.pem").unlink()
    with proxied(db, f"cahelper-test-{os.getpid()}"):
        yield db


def _b64(der: bytes) -> bytes:
    import base64
    import textwrap

    return "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64)).encode() + b"\n"


def cli(run_cli, *args: str, stdin: str | None = None):
    """`cahelper --module p11-kit-proxy ARGS` with $CAHELPER_PKCS11_MODULE naming SoftHSM too."""
    return run_cli("--module", P11KIT_PROXY, *args, stdin=stdin)


def listing(run_cli, *args: str) -> list[dict]:
    result = cli(run_cli, "tokens", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["tokens"]


def test_tokens_lists_each_token_once_with_unique_ids(run_cli, nss, demo_token):
    keys = listing(run_cli)
    labels = [t["label"] for t in keys]
    assert "NSS Certificate DB" in labels and "NSS Generic Crypto Services" not in labels
    assert labels.count(demo_token.label) == 1  # SoftHSM reached through the proxy and directly: once
    everything = listing(run_cli, "--all")
    services = [t for t in everything if t["label"] == "NSS Generic Crypto Services"]
    assert len(services) == 1 and not services[0]["usb_key"]
    assert len({t["id"] for t in everything}) == len(everything)
    nss_slots = [t for t in everything if t["manufacturer"] == "Mozilla Foundation"]
    assert {t["serial"] for t in nss_slots} == {"0000000000000000"} and len(nss_slots) == 2


def test_certs_cert_show_and_token_selection(run_cli, nss, demo_token):
    result = cli(run_cli, "certs", "--json")
    assert result.returncode == 0, result.stderr
    certs = json.loads(result.stdout)["certificates"]
    ours = [c for c in certs if c.get("unit") == NSS_UNIT]
    assert len(ours) == 1 and ours[0]["has_private_key"] and ours[0]["unit_code"] == "91130700MA07X8T36K"
    token_id = ours[0]["token_id"]
    for ref in (token_id, "0000000000000000", "NSS Certificate DB"):  # id, serial (one of them is a key), label
        by_ref = cli(run_cli, "certs", "--token", ref, "--json")
        assert by_ref.returncode == 0, by_ref.stderr
        assert [c["id"] for c in json.loads(by_ref.stdout)["certificates"]] == [ours[0]["id"]]
    shown = cli(run_cli, "cert", "show", ours[0]["id"], "--token", token_id, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["certificate"]["unit"] == NSS_UNIT
    text = cli(run_cli, "--lang", "zh", "tokens")
    assert f"[{token_id}]" in text.stdout


def test_sign_with_the_nss_token_by_id(run_cli, nss, tmp_path):
    token_id = next(t["id"] for t in listing(run_cli) if t["label"] == "NSS Certificate DB")
    src = tmp_path / "通知.pdf"
    src.write_bytes(blank_pdf(1))
    out = tmp_path / "通知-signed.pdf"
    result = cli(run_cli, "sign", str(src), "--out", str(out), "--invisible", "--token", token_id, "--pin-stdin",
                 "--json", stdin=NSS_PASSWORD + "\n")
    assert result.returncode == 0, result.stderr + result.stdout
    assert json.loads(result.stdout)["signed"] == 1
    checked = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    verified = cli(run_cli, "verify", str(out), "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert NSS_UNIT in verified.stdout


def test_an_ambiguous_reference_lists_the_candidates(run_cli, nss, make_token):
    first = make_token("同名U盾", keys=())
    second = make_token("同名U盾", keys=())
    result = cli(run_cli, "certs", "--token", "同名U盾")
    assert result.returncode != 0
    assert first.serial in result.stderr and second.serial in result.stderr
    assert cli(run_cli, "certs", "--token", first.serial).returncode == 0
