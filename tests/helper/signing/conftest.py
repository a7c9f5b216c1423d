"""Fixtures for the signing tests: a signing key, the signing service, and independent verifiers
(pyHanko's validator, poppler's pdfsig with the demo root in an NSS database, qpdf --check)."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import x509
from corpus import nss_db
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from helper.audit import AuditLog
from helper.keys import KeyService
from helper.seals import make_demo_seal
from helper.signing.batch import BatchItem
from helper.signing.options import SignOptions
from helper.signing.service import SealChoice, SigningService
from tests.support import pin


@pytest.fixture(scope="session")
def seal_png() -> bytes:
    return make_demo_seal("石家庄示例科技有限公司", "公章").png


@pytest.fixture(scope="session")
def sign_token(make_token):
    """A company key for the signing tests (RSA + EC signing keys, RSA encryption key)."""
    return make_token("签章测试U盾")


@pytest.fixture(scope="session")
def nssdir(session_dir: Path, demo_pki) -> str:
    return nss_db(session_dir / "nssdb", session_dir / "pki" / "root.pem")


@dataclass
class Signing:
    """Sign files with the test key through the real service (one login per call)."""

    service: SigningService
    serial: str
    pin: str
    audit: AuditLog

    def identity(self, cert_id: str | None = None):
        return self.service.identity(self.serial, cert_id)

    def batch(self, items, options: SignOptions | None = None, seal: bytes | None = None, cert_id=None, **kw):
        return self.service.sign(self.identity(cert_id), pin(self.pin), items, options or SignOptions(),
                                 SealChoice(png=seal), **kw)

    def one(self, src: Path, dst: Path, options: SignOptions | None = None, seal: bytes | None = None,
            password: bytes | None = None, cert_id=None):
        """Sign one file; returns the SignedFile, or raises the file's error."""
        report = self.batch([BatchItem(src, dst, password)], options, seal, cert_id).report
        result = report.results[0]
        if result.status != "signed":
            raise result.error
        return result.signed


@pytest.fixture
def signing(token_service, sign_token, tmp_path) -> Signing:
    audit = AuditLog(tmp_path / "audit" / "log.jsonl")
    return Signing(SigningService(KeyService(token_service), audit), sign_token.serial, sign_token.pin, audit)


@pytest.fixture
def check_signed(nssdir, demo_pki) -> Callable[..., list]:
    """Assert a signed PDF validates in pyHanko, in pdfsig (trusted root in NSS) and in qpdf --check;
    returns pyHanko's statuses."""
    root = x509.Certificate.load(demo_pki.root_cert.public_bytes(__import__("cryptography").hazmat.primitives.
                                                                     serialization.Encoding.DER))

    def check(path: Path, *, signatures: int = 1, password: bytes | None = None) -> list:
        reader = PdfFileReader(io.BytesIO(path.read_bytes()), strict=False)
        if reader.encrypted:
            reader.decrypt(password or b"")
        sigs = reader.embedded_signatures
        assert len(sigs) == signatures
        statuses = [validate_pdf_signature(s, ValidationContext(trust_roots=[root])) for s in sigs]
        for st in statuses:
            assert st.intact and st.valid and st.trusted, st.pretty_print_details()
        assert statuses[-1].coverage.name == "ENTIRE_FILE"
        args = ["pdfsig", "-nssdir", nssdir] + (["-upw", password.decode()] if password else []) + [str(path)]
        out = subprocess.run(args, capture_output=True, text=True).stdout
        assert out.count("Signature is Valid.") == signatures, out
        # poppler 22.12 + NSS: once a certificate was imported from one signature, validating it again from a
        # later signature may end in "Unknown issue with Certificate" (seen with three RSA/EC/RSA signatures
        # too). So pdfsig's trust verdict counts for the first signature of each certificate.
        verdicts = [ln.split(": ", 1)[1] for ln in out.splitlines() if "Certificate Validation" in ln]
        seen: set[bytes] = set()
        for sig, verdict in zip(sigs, verdicts, strict=True):
            der = sig.signer_cert.dump()
            if der not in seen:
                assert verdict == "Certificate is Trusted.", out
            seen.add(der)
        assert "Total document signed" in out, out
        qpdf = subprocess.run(["qpdf", "--check"] + ([f"--password={password.decode()}"] if password else [])
                              + [str(path)], capture_output=True, text=True)
        assert qpdf.returncode == 0, qpdf.stdout + qpdf.stderr
        return statuses

    return check
