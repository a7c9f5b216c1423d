"""After a renewal is installed, e-seals are made with the NEW certificate: checked by pyHanko and pdfsig."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyhanko.pdf_utils.reader import PdfFileReader
from renewal_kit import renewals

from helper import certs
from helper.demo.pki import unit_name
from helper.signing.verify import verify_pdf
from tests.helper.signing.corpus import blank_pdf, nss_db


def test_signature_after_renewal_carries_the_new_certificate(make_token, token_service, demo_pki, run_cli,
                                                             session_dir: Path, tmp_path: Path):
    key = make_token(keys=(("rsa2048", "sign"),), days=12)
    old = key.cert(0)
    spki = x509.load_der_x509_certificate(old).public_key().public_bytes(Encoding.DER,
                                                                         PublicFormat.SubjectPublicKeyInfo)
    renewed = demo_pki.issue(spki, unit_name(), days=730)
    result = renewals(token_service).import_file(key.serial, bytearray(key.pin.encode()), renewed)
    assert result.outcome == "completed"

    src, out = tmp_path / "材料.pdf", tmp_path / "材料-签章.pdf"
    src.write_bytes(blank_pdf(1))
    result = run_cli("sign", str(src), "--out", str(out), "--invisible", "--token", key.serial, "--pin-stdin",
                     stdin=key.pin + "\n")
    assert result.returncode == 0, result.stdout + result.stderr

    signer = PdfFileReader(io.BytesIO(out.read_bytes())).embedded_signatures[0].signer_cert.dump()
    assert signer == renewed and signer != old
    report = verify_pdf(out)
    assert [s.ok for s in report.signatures] == [True], report.problems()
    assert report.signatures[0].cert_serial == certs.parse(renewed).serial_hex

    nss = nss_db(session_dir / "nssdb-renewal", session_dir / "pki" / "root.pem")
    pdfsig = subprocess.run(["pdfsig", "-nssdir", nss, str(out)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in pdfsig and "Certificate is Trusted." in pdfsig, pdfsig
