"""Certificates real Chinese CAs issued (tests/acceptance/realcerts, sources in its README), stored on a
SoftHSM key as certificate objects with pkcs11-tool, as a CA's installer would: unit, unit code, algorithm,
usage and the SM2 chain as `cahelper` shows them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from asn1crypto import pem

from helper.demo import softhsm
from tests.support import SOFTHSM

FOLDER = Path(__file__).with_name("realcerts")
PIN = "135790"

# file -> (unit, unit code, key_algorithm, usage)
EXPECTED = {
    "sheca-sm2-ca.pem": ("UniTrust", "", "sm2-256", "encryption"),
    "cfca-test-sm2-oca1.pem": ("China Financial Certification Authority", "", "sm2-256", "encryption"),
    "cfca-test-sm2-merchant.pem": ("邮储线上收单商户", "", "sm2-256", "signing"),
    "cfca-test-oca11-rsa.pem": ("China Financial Certification Authority", "", "rsa-2048", "encryption"),
}


def der(name: str) -> bytes:
    return pem.unarmor((FOLDER / name).read_bytes())[2]


@pytest.fixture(scope="module")
def real_key(softhsm_conf, tmp_path_factory, token_service):
    label = "真实证书U盾"
    serial = softhsm.init_token(softhsm_conf, label, PIN, "24681357")
    folder = tmp_path_factory.mktemp("real")
    for n, name in enumerate(sorted(EXPECTED), 1):
        (folder / f"{n}.der").write_bytes(der(name))
        subprocess.run(["pkcs11-tool", "--module", SOFTHSM, "--token-label", label, "--login", "--pin", PIN,
                        "--write-object", str(folder / f"{n}.der"), "--type", "cert", "--id", f"{n:02x}",
                        "--label", name], check=True, capture_output=True)
    return serial


def listed(run_cli, serial: str) -> dict[str, dict]:
    result = run_cli("certs", "--token", serial, "--json")
    assert result.returncode == 0, result.stderr
    return {c["label"]: c for c in json.loads(result.stdout)["certificates"]}


def test_unit_code_algorithm_and_usage_of_each(run_cli, real_key):
    certs = listed(run_cli, real_key)
    assert set(certs) == set(EXPECTED)
    for name, (unit, code, algorithm, usage) in EXPECTED.items():
        c = certs[name]
        assert (c["unit"], c["unit_code"], c["key_algorithm"], c["usage"]) == (unit, code, algorithm, usage), name
        assert not c["has_private_key"]
        if algorithm.startswith("sm2"):
            assert c["signature_algorithm"] == "SM3withSM2"


def test_sm2_chain_is_built_by_key_identifiers_and_shown(run_cli, real_key):
    merchant = listed(run_cli, real_key)["cfca-test-sm2-merchant.pem"]
    shown = run_cli("cert", "show", merchant["id"], "--token", real_key, "--json")
    assert shown.returncode == 0, shown.stderr
    chain = json.loads(shown.stdout)["certificate"]["chain"]
    assert [c["subject"].split("CN=")[-1] for c in chain] == ["051@邮储线上收单商户@N51011300018878@1", "CFCA TEST SM2 OCA1"]
    text = run_cli("--lang", "zh", "cert", "show", merchant["id"], "--token", real_key)
    assert text.returncode == 0, text.stderr
    for expected in ("签名算法", "SM3withSM2", "SM2 256", "客户端身份验证", "安全电子邮件", "数字签名、不可否认",
                     "证书策略", "2.16.156.112554.1.1", "邮储线上收单商户"):
        assert expected in text.stdout, expected
    english = run_cli("--lang", "en", "cert", "show", merchant["id"], "--token", real_key)
    assert "Client authentication" in english.stdout and "Signature algorithm" in english.stdout
    assert "organizationIdentifier=" not in english.stdout and "client_auth" not in english.stdout
