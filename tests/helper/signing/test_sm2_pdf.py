"""SM2 e-seals: CMS SignedData with SM3 and SM3withSM2 in a PAdES ByteRange signature with the visible
seal, checked by Bouncy Castle (independent), by `cahelper verify`'s verifier and by qpdf.

The SM2 key here is a software key behind the same small interface the key's SM2 signing uses
(helper.crypto.sm2.SM2SigningKey); the certificates are issued by OpenSSL.
"""

# ruff: noqa: F401, F811 - the session fixtures sm2_pki / bouncy_castle are imported from tests.interop.sm2world
from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import cms
from corpus import blank_pdf
from sm2kit import seal, sm2_signer

from helper.crypto import sm2
from helper.seals import make_demo_seal
from helper.signing.sm2signer import SM2Signer
from helper.signing.verify import verify_pdf
from tests.interop.sm2world import bouncy_castle, sm2_pki


@pytest.fixture(scope="module")
def seal_png() -> bytes:
    return make_demo_seal("石家庄示例科技有限公司", "公章").png


def test_sm2_seal_is_accepted_by_bouncy_castle_and_verify(sm2_pki, bouncy_castle, tmp_path, seal_png):
    out = tmp_path / "sealed.pdf"
    out.write_bytes(seal(blank_pdf(), sm2_signer(sm2_pki), seal_png))

    ok, lines = bouncy_castle.pdf(out, sm2_pki.root.path)
    assert ok, lines
    assert "OK digest algorithm 1.2.156.10197.1.401" in lines
    assert "OK signature algorithm 1.2.156.10197.1.501" in lines
    assert "OK content type 1.2.840.113549.1.7.2" in lines
    assert "OK chain 1" in lines

    report = verify_pdf(out, (sm2_pki.root.der,))
    assert report.ok, report.problems()
    (sig,) = report.signatures
    assert (sig.unit, sig.holder, sig.level, sig.covers_whole_file) == ("石家庄示例科技有限公司", "张三", "B-B", True)
    assert sig.page == 1 and sig.box is not None and sig.cert_not_after is not None  # where the seal is shown
    assert sig.signing_time is not None  # the signature dictionary's /M, as for RSA seals
    subprocess.run(["qpdf", "--check", str(out)], check=True, capture_output=True)


def test_the_cms_names_sm3_and_sm2_and_embeds_the_chain(sm2_pki, tmp_path):
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = seal(blank_pdf(), sm2_signer(sm2_pki), None)
    (embedded,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    signed = embedded.signed_data
    assert [a["algorithm"].dotted for a in signed["digest_algorithms"]] == [sm2.SM3_OID]
    assert signed["encap_content_info"]["content_type"].dotted == "1.2.840.113549.1.7.1"
    certs = {c.chosen.dump() for c in signed["certificates"]}
    assert {sm2_pki.signing.der, sm2_pki.ca.der, sm2_pki.root.der} <= certs
    assert isinstance(embedded.signer_info, cms.SignerInfo)


def test_changed_bytes_fail_in_bouncy_castle_and_verify(sm2_pki, bouncy_castle, tmp_path):
    data = bytearray(seal(blank_pdf(), sm2_signer(sm2_pki), None))
    at = data.find(b"/MediaBox")
    data[at + 1] = ord("m")  # inside the signed range
    bad = tmp_path / "changed.pdf"
    bad.write_bytes(bytes(data))
    ok, lines = bouncy_castle.pdf(bad, sm2_pki.root.path)
    assert not ok and any(line.startswith("FAIL cms signature") for line in lines)
    (sig,) = verify_pdf(bad, (sm2_pki.root.der,)).signatures
    assert not sig.intact and not sig.valid and not sig.ok


def test_bytes_appended_after_an_sm2_seal_are_a_change(sm2_pki, tmp_path):
    out = tmp_path / "appended.pdf"
    out.write_bytes(seal(blank_pdf(), sm2_signer(sm2_pki), None) + b"\n% appended\n")
    report = verify_pdf(out, (sm2_pki.root.der,))
    (sig,) = report.signatures
    assert sig.valid and sig.changes_after == "APPENDED" and not report.ok


def test_a_key_that_is_not_the_certificates_fails(sm2_pki, bouncy_castle, tmp_path):
    out = tmp_path / "wrong-key.pdf"
    out.write_bytes(seal(blank_pdf(), sm2_signer(sm2_pki, key=sm2.SoftwareKey.generate()), None))
    ok, lines = bouncy_castle.pdf(out, sm2_pki.root.path)
    assert not ok and any(line.startswith("FAIL cms signature") for line in lines)
    (sig,) = verify_pdf(out, (sm2_pki.root.der,)).signatures
    assert sig.intact and not sig.valid


def test_sm2_chain_needs_a_trusted_root(sm2_pki, tmp_path):
    out = tmp_path / "sealed.pdf"
    out.write_bytes(seal(blank_pdf(), sm2_signer(sm2_pki), None))
    report = verify_pdf(out)  # the SM2 root is not among the trusted CAs
    (sig,) = report.signatures
    assert sig.valid and not sig.trusted and not report.ok
    assert "chain_untrusted" in sig.problem


def test_second_sm2_seal_keeps_the_first_valid(sm2_pki, bouncy_castle, tmp_path):
    first = seal(blank_pdf(), sm2_signer(sm2_pki), None, "Seal1")
    out = tmp_path / "twice.pdf"
    out.write_bytes(seal(first, sm2_signer(sm2_pki), None, "Seal2"))
    ok, lines = bouncy_castle.pdf(out, sm2_pki.root.path)
    assert ok and "OK 2 signatures" in lines, lines
    report = verify_pdf(out, (sm2_pki.root.der,))
    assert report.ok and len(report.signatures) == 2, report.problems()


def test_the_encryption_certificate_never_signs(sm2_pki):
    with pytest.raises(sm2.SM2Error, match="encryption"):
        SM2Signer(sm2.SoftwareKey.from_der(sm2_pki.encryption.key_pem), sm2_pki.encryption.der)
    from helper import certs

    info = certs.parse(sm2_pki.encryption.der)
    assert not info.is_signing  # what choose_identity filters on: it is never offered for sealing
    assert certs.parse(sm2_pki.signing.der).is_signing


def _gm_t_0010_sealed(sm2_pki) -> bytes:
    """A seal whose CMS uses GM/T 0010's content types (signedData 1.2.156.10197.6.1.4.2.2, data .1), as some
    Chinese signing tools write it; built by hand around pyHanko's ByteRange digest."""
    from asn1crypto import algos, x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
    from pyhanko.sign.signers.pdf_signer import PdfTBSDocument

    key = sm2.SoftwareKey.from_der(sm2_pki.signing.key_pem)
    signer = sm2_signer(sm2_pki)
    meta = signers.PdfSignatureMetadata(field_name="GM", md_algorithm="sm3", subfilter=SigSeedSubFilter.PADES)
    pdf_signer = signers.PdfSigner(meta, signer=signer, new_field_spec=SigFieldSpec("GM", on_page=0))
    prepared, _tbs, output = asyncio.run(pdf_signer.async_digest_doc_for_signing(
        IncrementalPdfFileWriter(io.BytesIO(blank_pdf())), bytes_reserved=8192))
    gm_data = "1.2.156.10197.6.1.4.2.1"
    attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": [gm_data]}),
        cms.CMSAttribute({"type": "message_digest", "values": [prepared.document_digest]}),
    ])
    cert = x509.Certificate.load(sm2_pki.signing.der)
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
            {"issuer": cert.issuer, "serial_number": cert.serial_number})}),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": sm2.SM3_OID}),
        "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": sm2.SM3_WITH_SM2_OID}),
        "signed_attrs": attrs,
        "signature": sm2.rs_to_der(key.sign(attrs.dump())),
    })
    signed = cms.SignedData({
        "version": "v1", "digest_algorithms": [algos.DigestAlgorithm({"algorithm": sm2.SM3_OID})],
        "encap_content_info": {"content_type": gm_data},
        "certificates": [cert, x509.Certificate.load(sm2_pki.ca.der)], "signer_infos": [signer_info],
    })
    content = cms.ContentInfo({"content_type": "1.2.156.10197.6.1.4.2.2", "content": signed})
    assert cms.ContentInfo.load(content.dump())["content_type"].dotted == "1.2.156.10197.6.1.4.2.2"
    PdfTBSDocument.finish_signing(output, prepared, content.dump())
    return output.getvalue()


def test_a_seal_by_an_encryption_certificate_is_not_accepted(sm2_pki, tmp_path):
    """A file made elsewhere with the encryption half of a dual pair: the signature is right, the purpose not."""
    from asn1crypto import x509

    signer = sm2_signer(sm2_pki, key=sm2.SoftwareKey.from_der(sm2_pki.encryption.key_pem))
    signer._signing_cert = x509.Certificate.load(sm2_pki.encryption.der)
    out = tmp_path / "enc.pdf"
    out.write_bytes(seal(blank_pdf(), signer, None))
    report = verify_pdf(out, (sm2_pki.root.der,))
    (sig,) = report.signatures
    assert sig.valid and sig.problem == "key_usage" and not report.ok


def test_gm_t_0010_content_types_are_accepted_when_reading(sm2_pki, tmp_path):
    from helper.signing import sm2verify

    sm2verify.prepare()
    out = tmp_path / "gm.pdf"
    out.write_bytes(_gm_t_0010_sealed(sm2_pki))
    report = verify_pdf(out, (sm2_pki.root.der,))
    assert report.ok, report.problems()
    # What the helper writes keeps RFC 5652's OIDs.
    assert cms.ContentType("signed_data").dotted == "1.2.840.113549.1.7.2"
    assert cms.ContentType("data").dotted == "1.2.840.113549.1.7.1"


def test_cahelper_verify_reports_an_sm2_seal(sm2_pki, tmp_path):
    out = tmp_path / "sealed.pdf"
    out.write_bytes(seal(blank_pdf(), sm2_signer(sm2_pki), None))
    run = [sys.executable, "-m", "helper.cli.main", "verify", str(out), "--json"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    trusted = subprocess.run([*run, "--trust", str(sm2_pki.root.path)], capture_output=True, text=True, env=env)
    assert trusted.returncode == 0, trusted.stderr
    (sig,) = json.loads(trusted.stdout)["files"][0]["signatures"]
    assert sig["ok"] and sig["valid"] and sig["trusted"] and sig["holder"] == "张三"
    untrusted = subprocess.run(run, capture_output=True, text=True, env=env)
    assert untrusted.returncode != 0
