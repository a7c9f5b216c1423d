"""A key set up with other tools (OpenSC's pkcs11-tool) and a CA that is not ours (openssl on the
command line): the helper lists, pairs, signs and verifies as with its own keys."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helper.demo import softhsm
from helper.demo.portal.roster import ANCHOR, roster_pdf
from tests.support import SOFTHSM

PIN = "246810"


def tool(label: str, *args: str) -> None:
    subprocess.run(["pkcs11-tool", "--module", SOFTHSM, "--token-label", label, "--login", "--pin", PIN, *args],
                   check=True, capture_output=True)


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd)


@pytest.fixture(scope="module")
def foreign(softhsm_conf, tmp_path_factory):
    """Token 'Foreign': RSA key 0a with its certificate under the same id, and an EC key 0b whose
    certificate was written under another id (0c), both issued by an openssl-made CA."""
    folder = tmp_path_factory.mktemp("foreign")
    label = "外省CA-U盾"
    softhsm.init_token(softhsm_conf, label, PIN, "13579246")
    tool(label, "--keypairgen", "--key-type", "rsa:2048", "--id", "0a", "--label", "RSA key", "--usage-sign")
    tool(label, "--keypairgen", "--key-type", "EC:prime256v1", "--id", "0b", "--label", "EC key", "--usage-sign")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-utf8", "-subj",
            "/C=CN/O=外省电子认证服务有限公司/CN=Other Root CA", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "3650", cwd=folder)
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "dummy.key", "-utf8", "-subj",
            "/C=CN/O=保定示例贸易有限公司/CN=李四", "-out", "dummy.csr", cwd=folder)
    (folder / "ext.cnf").write_text("keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=CA:FALSE\n")
    for key_id, cert_id in (("0a", "0a"), ("0b", "0c")):
        subprocess.run(["pkcs11-tool", "--module", SOFTHSM, "--token-label", label, "--read-object", "--type",
                        "pubkey", "--id", key_id, "-o", folder / f"{key_id}.der"], check=True, capture_output=True)
        openssl("pkey", "-pubin", "-inform", "DER", "-in", f"{key_id}.der", "-out", f"{key_id}.pem", cwd=folder)
        openssl("x509", "-req", "-in", "dummy.csr", "-force_pubkey", f"{key_id}.pem", "-CA", "ca.pem", "-CAkey",
                "ca.key", "-CAcreateserial", "-days", "365", "-extfile", "ext.cnf", "-outform", "DER",
                "-out", f"cert-{key_id}.der", cwd=folder)
        tool(label, "--write-object", str(folder / f"cert-{key_id}.der"), "--type", "cert", "--id", cert_id,
             "--label", f"cert {cert_id}")
    _issue_through_intermediate(label, folder)
    return label, folder


def _ec_public_key(label: str, key_id: bytes) -> bytes:
    """The SubjectPublicKeyInfo of an EC public key object, read with plain python-pkcs11 in a fresh process
    (a module loaded in this one may not see a token made after it started)."""
    script = ("import sys, pkcs11\nfrom pkcs11.util.ec import encode_ec_public_key\n"
              f"token = pkcs11.lib({SOFTHSM!r}).get_token(token_label={label!r})\n"
              "with token.open() as s:\n"
              f"    sys.stdout.buffer.write(encode_ec_public_key(s.get_key(pkcs11.ObjectClass.PUBLIC_KEY, id={key_id!r})))\n")
    return subprocess.run([sys.executable, "-c", script], check=True, capture_output=True).stdout


def _issue_through_intermediate(label: str, folder: Path) -> None:
    """An EC P-384 key 0d whose certificate comes from an issuing CA under the root; the issuing CA's
    certificate is stored on the key too (as CAs ship it), the root is not."""
    tool(label, "--keypairgen", "--key-type", "EC:secp384r1", "--id", "0d", "--label", "P-384 key", "--usage-sign")
    (folder / "ca-ext.cnf").write_text("basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
                                       "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-utf8", "-subj",
            "/C=CN/O=外省电子认证服务有限公司/CN=Other Issuing CA", "-keyout", "issuing.key", "-out", "issuing.csr",
            cwd=folder)
    openssl("x509", "-req", "-in", "issuing.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "1800", "-extfile", "ca-ext.cnf", "-out", "issuing.pem", cwd=folder)
    (folder / "0d.der").write_bytes(_ec_public_key(label, b"\x0d"))  # pkcs11-tool 0.23 cannot export P-384
    openssl("pkey", "-pubin", "-inform", "DER", "-in", "0d.der", "-out", "0d.pem", cwd=folder)
    openssl("x509", "-req", "-in", "dummy.csr", "-force_pubkey", "0d.pem", "-CA", "issuing.pem", "-CAkey",
            "issuing.key", "-CAcreateserial", "-days", "365", "-extfile", "ext.cnf", "-outform", "DER",
            "-out", "cert-0d.der", cwd=folder)
    openssl("x509", "-in", "issuing.pem", "-outform", "DER", "-out", "issuing.der", cwd=folder)
    tool(label, "--write-object", str(folder / "cert-0d.der"), "--type", "cert", "--id", "0d", "--label", "cert 0d")
    tool(label, "--write-object", str(folder / "issuing.der"), "--type", "cert", "--id", "ca01", "--label", "CA")


def test_foreign_certificates_are_listed_and_paired(run_cli, foreign):
    label, _ = foreign
    listed = json.loads(run_cli("certs", "--json").stdout)["certificates"]
    certs = [c for c in listed if c["token_serial"] and c.get("issuer", "").endswith(("CN=Other Root CA", "CN=Other Issuing CA"))]
    users = [c for c in certs if c["unit"] == "保定示例贸易有限公司"]
    assert len(users) == 3
    assert all(c["has_private_key"] and c["holder"] == "李四" for c in users)
    assert {c["key_algorithm"] for c in users} == {"rsa-2048", "ec-256", "ec-384"}
    assert [c["has_private_key"] for c in certs if c not in users] == [False]  # the issuing CA, listed without a key


@pytest.mark.parametrize("algorithm", ["rsa-2048", "ec-256", "ec-384"])
def test_sign_with_a_foreign_key_and_verify_against_the_foreign_root(run_cli, foreign, tmp_path, algorithm):
    label, folder = foreign
    cert = next(c for c in json.loads(run_cli("certs", "--json").stdout)["certificates"]
                if c["unit"] == "保定示例贸易有限公司" and c["key_algorithm"] == algorithm)
    source = tmp_path / "名册.pdf"
    source.write_bytes(roster_pdf("保定示例贸易有限公司", "91130600MA0FOREIGN"))
    out = tmp_path / "signed.pdf"
    signed = run_cli("sign", str(source), "--out", str(out), "--anchor", ANCHOR, "--cert", cert["id"],
                     "--token", cert["token_serial"], "--pin-stdin", stdin=PIN + "\n")  # other keys may be in
    assert signed.returncode == 0, signed.stderr
    untrusted = run_cli("verify", str(out), "--json")
    assert untrusted.returncode == 7  # not our CA: untrusted until the user says so
    trusted = run_cli("verify", str(out), "--trust", str(folder / "ca.pem"), "--json")
    assert trusted.returncode == 0, trusted.stdout
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "other", "-t", "CT,C,C", "-i",
                    str(folder / "ca.pem")], check=True)
    report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(out)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in report and "Certificate is Trusted" in report, report
