"""PDFs as other programs write them (Chromium, Ghostscript, cairo, MuPDF, qpdf, another party's certifying
signature), sealed by text anchor and checked by pyHanko, pdfsig and qpdf."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from corpus import ROSTER_ANCHOR, roster_pdf
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm
from sigtools import options, red_pixels, render

from helper.messages import HelperError
from helper.signing.appearance import find_anchor, loose_anchor_pattern
from helper.signing.pdfinput import read_pdf
from helper.signing.verify import verify_pdf

ROSTER_HTML = """<!doctype html><html><head><meta charset="utf-8"><style>
body{font-family:"WenQuanYi Micro Hei",sans-serif} td,th{border:1px solid #000;padding:4px}</style></head><body>
<h1>企业养老保险人员参保登记名册</h1><p>单位名称：石家庄示例科技有限公司</p>
<table><tr><th>序号</th><th>姓名</th><th>身份证号码</th></tr><tr><td>1</td><td>张三</td><td>130102199001010011</td></tr>
</table><p style="margin-top:360px;text-align:right">单位（盖章）：　　　　　　　　年　月　日</p></body></html>"""


def _run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def chromium_pdf(tmp_path_factory) -> Path:
    """The roster printed to PDF by Chromium, as a portal's "print" button makes it."""
    folder = tmp_path_factory.mktemp("chromium")
    (folder / "roster.html").write_text(ROSTER_HTML, encoding="utf-8")
    _run("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", f"--user-data-dir={folder / 'profile'}", "--no-pdf-header-footer",
         f"--print-to-pdf={folder / 'roster.pdf'}", (folder / "roster.html").as_uri())
    return folder / "roster.pdf"


def _ghostscript(src: Path, dst: Path, *extra: str) -> None:
    _run("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", *extra, f"-sOutputFile={dst}", src)


PRODUCERS = {
    "chromium": lambda src, dst: shutil.copy(src, dst),
    "ghostscript": lambda src, dst: _ghostscript(src, dst),
    "cairo": lambda src, dst: _run("pdftocairo", "-pdf", src, dst),
    "mupdf-clean": lambda src, dst: _run("mutool", "clean", "-gggz", src, dst),
    "mupdf-linearized": lambda src, dst: _run("mutool", "clean", "-l", src, dst),
    "qpdf-linearized": lambda src, dst: _run("qpdf", "--linearize", src, dst),
    "junk-before-header": lambda src, dst: dst.write_bytes(b"\r\nHTTP junk\r\n" + src.read_bytes()),
    "junk-after-eof": lambda src, dst: dst.write_bytes(src.read_bytes() + b"\n\0\0 trailing garbage\n"),
}


@pytest.mark.parametrize("producer", sorted(PRODUCERS))
def test_producer_output_is_sealed_on_the_anchor(producer, chromium_pdf, signing, check_signed, seal_png, tmp_path):
    src = tmp_path / f"{producer}.pdf"
    PRODUCERS[producer](chromium_pdf, src)
    before = src.read_bytes()
    signed = signing.one(src, tmp_path / "out.pdf", options(mode="anchor", anchor=ROSTER_ANCHOR, size_mm=30), seal_png)
    check_signed(signed.output)
    assert src.read_bytes() == before
    assert signed.repaired == (producer == "junk-before-header")  # sound files are signed as they are
    page, box = find_anchor(read_pdf(signed.output, max_mb=100), ROSTER_ANCHOR)
    height = read_pdf(signed.output, max_mb=100).reader.root["/Pages"]["/Kids"][page]["/MediaBox"][3]
    assert red_pixels(render(signed.output, page + 1), box, float(height)) > 20  # the seal sits on the words


def _shift_objects(data: bytes) -> bytes:
    """Bytes inserted after the header: every offset in the table now points 40 bytes early."""
    cut = data.index(b"\n", data.index(b"\n") + 1) + 1
    return data[:cut] + b"%" + b"x" * 38 + b"\n" + data[cut:]


def _wrong_stream_length(data: bytes) -> bytes:
    import re

    found = next(m for m in re.finditer(rb"/Length (\d+)", data) if int(m.group(1)) > 100)
    return data[:found.start(1)] + str(int(found.group(1)) + 7).encode() + data[found.end(1):]


DAMAGE = {
    "objects-moved": _shift_objects,
    "no-eof-marker": lambda data: data[:data.rindex(b"%%EOF")],
    "startxref-points-nowhere": lambda data: data[:data.rindex(b"startxref")] + b"startxref\n12345\n%%EOF\n",
    "wrong-stream-length": _wrong_stream_length,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_file_is_rebuilt_then_signed_cleanly(damage, chromium_pdf, signing, check_signed, seal_png, tmp_path):
    src = tmp_path / "damaged.pdf"
    src.write_bytes(DAMAGE[damage](chromium_pdf.read_bytes()))
    before = src.read_bytes()
    signed = signing.one(src, tmp_path / "out.pdf", options(mode="anchor", anchor=ROSTER_ANCHOR), seal_png)
    assert signed.repaired and src.read_bytes() == before
    check_signed(signed.output)  # qpdf --check included: the damage is not carried into the signed copy


def test_damage_check_passes_sound_files_untouched(chromium_pdf):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from helper.signing.damage import structural_damage

    data = chromium_pdf.read_bytes()
    assert structural_damage(data, PdfFileReader(io.BytesIO(data), strict=False)) is None
    writer = IncrementalPdfFileWriter(io.BytesIO(data))  # a later revision replacing objects (a saved form)
    fields.append_signature_field(writer, fields.SigFieldSpec("待签", on_page=0, box=(300, 100, 450, 250)))
    updated = io.BytesIO()
    writer.write(updated)
    assert structural_damage(updated.getvalue(), PdfFileReader(updated, strict=False)) is None
    broken = _wrong_stream_length(data)
    assert "/Length" in structural_damage(broken, PdfFileReader(io.BytesIO(broken), strict=False))


def test_anchor_is_found_whatever_the_brackets_and_spacing(tmp_path):
    src = tmp_path / "roster.pdf"
    src.write_bytes(roster_pdf())
    source = read_pdf(src, max_mb=100)
    page, exact = find_anchor(source, ROSTER_ANCHOR)
    for typed in ("单位(盖章)", " 单位 （ 盖章 ） ", "单位（盖章)"):
        found_page, box = find_anchor(source, typed)
        assert found_page == page and box == pytest.approx(exact, abs=1), typed
    _, with_colon = find_anchor(source, "单位(盖章):")  # the colon typed is part of the match
    assert with_colon[0] == pytest.approx(exact[0]) and with_colon[2] > exact[2] + 5
    with pytest.raises(HelperError) as err:
        find_anchor(source, "单位（签字）")
    assert err.value.code == "ANCHOR_NOT_FOUND"


def test_loose_pattern_needs_two_letters_in_order():
    assert loose_anchor_pattern("（章）") is None
    pattern = loose_anchor_pattern("单位（盖章）")
    assert pattern.search("单位ÿ盖章Ā：") and pattern.search("单位盖章") and not pattern.search("盖章单位")
    assert pattern.search("单位（盖章\r\n下一行").group() == "单位（盖章"  # never runs on into the next line


def test_text_turned_into_outlines_says_there_is_no_text(chromium_pdf, tmp_path):
    outlined = tmp_path / "outlined.pdf"
    _ghostscript(chromium_pdf, outlined, "-dNoOutputFonts")
    with pytest.raises(HelperError) as err:
        find_anchor(read_pdf(outlined, max_mb=100), ROSTER_ANCHOR)
    assert err.value.code == "ANCHOR_NO_TEXT"
    assert "扫描件" in err.value.message("zh").explanation


def _other_party() -> tuple[signers.SimpleSigner, bytes]:
    """Another company's signer: its own key and self-made certificate (not from our CA)."""
    from asn1crypto import keys, x509

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = cx509.Name([cx509.NameAttribute(NameOID.ORGANIZATION_NAME, "外单位有限公司"),
                       cx509.NameAttribute(NameOID.COMMON_NAME, "李四")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (cx509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(7).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(cx509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    pkcs8 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    return signers.SimpleSigner(x509.Certificate.load(der), keys.PrivateKeyInfo.load(pkcs8), None), der


def _certified_by_other_party(data: bytes, permission: MDPPerm) -> tuple[bytes, bytes]:
    signer, der = _other_party()
    out = io.BytesIO()
    meta = signers.PdfSignatureMetadata(field_name="认证", certify=True, docmdp_permissions=permission)
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), meta, signer=signer, output=out)
    return out.getvalue(), der


@pytest.mark.parametrize("permission", [MDPPerm.FILL_FORMS, MDPPerm.ANNOTATE])
def test_document_certified_by_another_party_is_sealed_and_stays_valid(permission, chromium_pdf, signing, nssdir,
                                                                       seal_png, tmp_path):
    data, other_root = _certified_by_other_party(chromium_pdf.read_bytes(), permission)
    src = tmp_path / "certified.pdf"
    src.write_bytes(data)
    signed = signing.one(src, tmp_path / "sealed.pdf", options(mode="anchor", anchor=ROSTER_ANCHOR), seal_png)
    report = verify_pdf(signed.output, (other_root,))
    assert report.ok, report.problems()
    first, ours = report.signatures
    assert first.certified and first.unit == "外单位有限公司" and first.changes_allowed
    assert first.changes_after == "FORM_FILLING" and ours.changes_after == "NONE"
    pdfsig = subprocess.run(["pdfsig", "-nssdir", nssdir, str(signed.output)], capture_output=True, text=True).stdout
    assert pdfsig.count("Signature is Valid.") == 2, pdfsig


def test_document_locked_by_another_party_names_the_certifier(chromium_pdf, signing, tmp_path):
    data, _ = _certified_by_other_party(chromium_pdf.read_bytes(), MDPPerm.NO_CHANGES)
    src = tmp_path / "locked.pdf"
    src.write_bytes(data)
    with pytest.raises(HelperError) as err:
        signing.one(src, tmp_path / "x.pdf", options(mode="invisible"))
    assert err.value.code == "PDF_CERTIFIED_NO_CHANGES" and err.value.params["signer"] == "外单位有限公司"
    assert not (tmp_path / "x.pdf").exists() and src.read_bytes() == data
