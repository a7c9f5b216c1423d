"""Signing real-world-like PDFs on a SoftHSM key; every output checked by pyHanko, pdfsig and qpdf."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import pytest
from corpus import (
    ROSTER_ANCHOR,
    Text,
    blank_pdf,
    damaged_xref_pdf,
    encrypted,
    minimal_pdf,
    qpdf,
    roster_pdf,
    text_pdf,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields
from sigtools import options, red_pixels, render

from helper.messages import HelperError
from helper.signing.verify import verify_pdf


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _with_field(data: bytes, name: str) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    fields.append_signature_field(w, fields.SigFieldSpec(name, on_page=0, box=(300, 100, 450, 250)))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


CORPUS = {
    "pyhanko-roster": lambda tmp: roster_pdf(),
    "pyhanko-xref-stream": lambda tmp: text_pdf([[Text(72, 700, "扫描件 第1页")]], stream_xrefs=True),
    "hand-written-1.4": lambda tmp: minimal_pdf("1.4"),
    "qpdf-object-streams": lambda tmp: qpdf(roster_pdf(), tmp, "--object-streams=generate"),
    "qpdf-pdf-2.0": lambda tmp: qpdf(minimal_pdf(), tmp, "--force-version=2.0"),
    "qpdf-encrypted-empty-password": lambda tmp: encrypted(roster_pdf(), tmp),
    "qpdf-encrypted-rc4-40": lambda tmp: qpdf(blank_pdf(), tmp, "--allow-weak-crypto", "--encrypt", "", "o",
                                              "40", "--"),
    "acroform-empty-field": lambda tmp: _with_field(blank_pdf(), "Other"),
}


@pytest.mark.parametrize("kind", sorted(CORPUS))
def test_corpus_signs_and_validates_everywhere(kind, signing, check_signed, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(CORPUS[kind](tmp_path))
    before = _sha(src)
    signed = signing.one(src, tmp_path / "out.pdf", options(), seal_png)
    check_signed(signed.output)
    assert _sha(src) == before == signed.sha256_before
    assert signed.sha256_after == _sha(signed.output)


def test_damaged_xref_is_repaired_then_signed(signing, check_signed, seal_png, tmp_path):
    src = tmp_path / "damaged.pdf"
    src.write_bytes(damaged_xref_pdf())
    signed = signing.one(src, tmp_path / "out.pdf", options(), seal_png)
    assert signed.repaired
    check_signed(signed.output)


def test_already_signed_gets_an_incremental_update_keeping_the_first(signing, check_signed, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(roster_pdf(pages=2))
    first = signing.one(src, tmp_path / "first.pdf", options(page=1, cross_page=True), seal_png)
    with pytest.raises(HelperError) as err:
        signing.one(first.output, tmp_path / "x.pdf", options(page=2, cross_page=True), seal_png)
    assert err.value.code == "CROSS_PAGE_ALREADY_SIGNED"
    second = signing.one(first.output, tmp_path / "second.pdf", options(page=2), seal_png)
    assert second.output.read_bytes().startswith(first.output.read_bytes())
    statuses = check_signed(second.output, signatures=2)
    assert statuses[0].modification_level.name == "FORM_FILLING"
    assert verify_pdf(second.output).ok


def test_chinese_text_extracts_and_seal_is_red_in_its_box(signing, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf())
    signed = signing.one(src, tmp_path / "out.pdf", options(page=1, x_mm=100, y_mm=100), seal_png)
    text = subprocess.run(["pdftotext", str(signed.output), "-"], capture_output=True, text=True).stdout
    assert "张三" in text  # the holder in the appearance, through the embedded subset font
    x1, y1, x2, y2 = signed.box
    assert abs((x1 + x2) / 2 - 100 * 72 / 25.4) < 0.01 and abs(x2 - x1 - 42 * 72 / 25.4) < 0.01
    img = render(signed.output, 1)
    assert red_pixels(img, signed.box, 842) > 0.1 * (x2 - x1) * (y2 - y1)
    assert red_pixels(img, (0, 0, 595, y1 - 5), 842) == 0  # nothing red outside the seal


def test_anchor_lands_on_the_anchor_text(signing, check_signed, seal_png, tmp_path):
    src = tmp_path / "roster.pdf"
    src.write_bytes(roster_pdf(pages=2))
    signed = signing.one(src, tmp_path / "out.pdf", options(mode="anchor", anchor=ROSTER_ANCHOR), seal_png)
    check_signed(signed.output)
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", "2", str(src), "-"], capture_output=True,
                          text=True).stdout
    line = next(ln for ln in bbox.splitlines() if ROSTER_ANCHOR in ln)
    attrs = dict(part.split("=") for part in line.split(">")[0].split()[1:])
    xmin, xmax = (float(attrs[k].strip('"')) for k in ("xMin", "xMax"))
    ymin, ymax = (842 - float(attrs[k].strip('"')) for k in ("yMax", "yMin"))  # to PDF space
    cx, cy = (signed.box[0] + signed.box[2]) / 2, (signed.box[1] + signed.box[3]) / 2
    assert signed.page == 2
    assert xmin <= cx <= xmax and ymin - 2 <= cy <= ymax + 2
    assert red_pixels(render(signed.output, 2), signed.box, 842) > 1000


def test_anchor_missing_is_a_coded_refusal(signing, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf())
    with pytest.raises(HelperError) as err:
        signing.one(src, tmp_path / "out.pdf", options(mode="anchor", anchor="（公章）"), seal_png)
    assert err.value.code == "ANCHOR_NOT_FOUND"
    assert not (tmp_path / "out.pdf").exists()


def test_cross_page_seal_strips_on_every_page(signing, check_signed, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf(pages=3))
    signed = signing.one(src, tmp_path / "out.pdf", options(mode="invisible", cross_page=True), seal_png)
    check_signed(signed.output)
    strip = 42 * 72 / 25.4 / 3
    for page in (1, 2, 3):
        img = render(signed.output, page)
        assert red_pixels(img, (595 - strip, 421 - 60, 595, 421 + 60), 842) > 100
        assert red_pixels(img, (0, 0, 595 - strip - 2, 842), 842) == 0


def test_existing_empty_field_is_used(signing, check_signed, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(_with_field(blank_pdf(), "甲方签章"))
    signed = signing.one(src, tmp_path / "out.pdf", options(mode="field", field="甲方签章"), seal_png)
    check_signed(signed.output)
    assert signed.field_name == "甲方签章"
    with pytest.raises(HelperError) as err:
        signing.one(signed.output, tmp_path / "again.pdf", options(mode="field", field="甲方签章"), seal_png)
    assert err.value.code == "SIGN_FIELD_SIGNED"
    with pytest.raises(HelperError) as err:
        signing.one(src, tmp_path / "x.pdf", options(mode="field", field="乙方"), seal_png)
    assert err.value.code == "SIGN_FIELD_NOT_FOUND" and "甲方签章" in err.value.params["fields"]


def test_ec_key_signs(signing, check_signed, seal_png, tmp_path, sign_token):
    from helper.certs import parse

    ec_id = parse(sign_token.cert(1)).id
    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf())
    signed = signing.one(src, tmp_path / "out.pdf", options(), seal_png, cert_id=ec_id)
    status = check_signed(signed.output)[0]
    assert status.signing_cert.public_key.algorithm == "ec"


def test_certify_then_locked_and_refusals(signing, check_signed, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf())
    certified = signing.one(src, tmp_path / "certified.pdf", options(certify=True), seal_png)
    check_signed(certified.output)
    assert verify_pdf(certified.output).signatures[0].certified
    # FILL_FORMS lets another (approval) signature in; certifying a signed file is refused
    signing.one(certified.output, tmp_path / "approved.pdf", options(mode="invisible"))
    with pytest.raises(HelperError) as err:
        signing.one(certified.output, tmp_path / "x.pdf", options(certify=True))
    assert err.value.code == "PDF_CERTIFY_NOT_FIRST"


def test_docmdp_no_changes_is_refused(signing, tmp_path):
    from pyhanko.sign import signers
    from pyhanko.sign.fields import MDPPerm

    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf())
    # certify with "no changes" through the engine's own signer, then try to sign again
    import helper.signing.engine as engine

    original = signers.PdfSignatureMetadata
    try:
        engine.signers.PdfSignatureMetadata = lambda **kw: original(**{**kw, "docmdp_permissions": MDPPerm.NO_CHANGES})
        locked = signing.one(src, tmp_path / "locked.pdf", options(certify=True, mode="invisible"))
    finally:
        engine.signers.PdfSignatureMetadata = original
    with pytest.raises(HelperError) as err:
        signing.one(locked.output, tmp_path / "x.pdf", options(mode="invisible"))
    assert err.value.code == "PDF_CERTIFIED_NO_CHANGES"


@pytest.mark.parametrize(("content", "code"), [
    (b"PK\x03\x04 this is a docx", "PDF_NOT_PDF"),
    (b"%PDF-1.7\n%garbage with no objects at all\n", "PDF_MALFORMED"),
])
def test_bad_inputs_are_refused_with_codes(content, code, signing, tmp_path):
    src = tmp_path / "bad.pdf"
    src.write_bytes(content)
    with pytest.raises(HelperError) as err:
        signing.one(src, tmp_path / "out.pdf", options())
    assert err.value.code == code
    assert src.read_bytes() == content and not (tmp_path / "out.pdf").exists()


def test_password_protected_pdf(signing, check_signed, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(encrypted(roster_pdf(), tmp_path, user="abc123"))
    for password, code in ((None, "PDF_PASSWORD_REQUIRED"), (b"wrong", "PDF_PASSWORD_WRONG")):
        with pytest.raises(HelperError) as err:
            signing.one(src, tmp_path / "out.pdf", options(), seal_png, password=password)
        assert err.value.code == code
    signed = signing.one(src, tmp_path / "out.pdf", options(), seal_png, password=b"abc123")
    check_signed(signed.output, password=b"abc123")


def test_output_rules(signing, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf())
    with pytest.raises(HelperError) as err:
        signing.one(src, src, options(), seal_png)
    assert err.value.code == "SIGN_OUT_IS_INPUT"
    out = tmp_path / "out.pdf"
    out.write_bytes(b"keep me")
    with pytest.raises(HelperError) as err:
        signing.one(src, out, options(), seal_png)
    assert err.value.code == "OUTPUT_EXISTS" and out.read_bytes() == b"keep me"
    signing.one(src, out, options(overwrite=True), seal_png)
    assert out.read_bytes().startswith(b"%PDF")


def test_too_large_and_page_out_of_range(signing, seal_png, tmp_path, monkeypatch):
    from helper import settings

    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf(2))
    with pytest.raises(HelperError) as err:
        signing.one(src, tmp_path / "out.pdf", options(page=3), seal_png)
    assert err.value.code == "PAGE_OUT_OF_RANGE" and err.value.params["pages"] == 2
    big = tmp_path / "big.pdf"
    big.write_bytes(blank_pdf() + b"%" + b"x" * (1024 * 1024 + 10) + b"\n")
    monkeypatch.setattr(settings, "load", lambda: settings.Settings(max_pdf_mb=1))
    with pytest.raises(HelperError) as err:
        signing.one(big, tmp_path / "big-out.pdf", options(), seal_png)
    assert err.value.code == "PDF_TOO_LARGE"


def test_modified_after_signing_is_reported(signing, seal_png, tmp_path):
    from pyhanko.pdf_utils import generic

    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf())
    signed = signing.one(src, tmp_path / "out.pdf", options(), seal_png)
    assert verify_pdf(signed.output).ok
    w = IncrementalPdfFileWriter(io.BytesIO(signed.output.read_bytes()))
    stream = w.add_object(generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 400 Td (PAID) Tj ET"))
    w.add_stream_to_page(0, stream)
    tampered = tmp_path / "tampered.pdf"
    with tampered.open("wb") as f:
        w.write(f)
    report = verify_pdf(tampered)
    assert not report.ok and report.modified_after_last
    assert report.signatures[0].intact and report.signatures[0].changes_after == "OTHER"


def test_seal_use_log_records_each_signature(signing, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf())
    signed = signing.one(src, tmp_path / "out.pdf", options(page=1), seal_png)
    entry = signing.audit.entries()[-1]
    assert entry["sha256_before"] == _sha(src) and entry["sha256_after"] == _sha(signed.output)
    assert entry["unit"] == "石家庄示例科技有限公司" and entry["page"] == 1 and entry["file"] == str(src)
    assert signing.audit.verify() >= 1


def test_seal_without_text_line(signing, seal_png, tmp_path, check_signed):
    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf())
    signed = signing.one(src, tmp_path / "out.pdf", options(page=1, x_mm=100, y_mm=100, show_text=False), seal_png)
    check_signed(signed.output)
    text = subprocess.run(["pdftotext", str(signed.output), "-"], capture_output=True, text=True).stdout
    assert "张三" not in text
    assert red_pixels(render(signed.output, 1), signed.box, 842) > 1000


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_page_gets_an_upright_seal_at_the_lower_right_as_shown(signing, seal_png, tmp_path, check_signed,
                                                                          rotation):
    """Scans are often stored turned (/Rotate): the seal goes where and how the clerk sees the page."""
    src = tmp_path / "in.pdf"
    src.write_bytes(qpdf(blank_pdf(), tmp_path, f"--rotate=+{rotation}"))
    signed = signing.one(src, tmp_path / "out.pdf", options(), seal_png)
    check_signed(signed.output)
    img = render(signed.output, 1)  # poppler shows the page turned, as a viewer does
    red = [(x, y) for y in range(img.height) for x in range(img.width) if _is_red(img.getpixel((x, y)))]
    assert len(red) > 1000
    cx, cy = sum(x for x, _ in red) / len(red), sum(y for _, y in red) / len(red)
    assert cx > img.width * 0.6 and cy > img.height * 0.6  # lower right of the shown page
    # upright: the seal is symmetric left to right, while the seal name and DEMO mark make its lower half
    # heavier (a seal on its side shows the imbalance across, one upside down shows it at the top)
    top = sum(1 for _, y in red if y < cy)
    left = sum(1 for x, _ in red if x < cx)
    assert (len(red) - top) - top > abs(left - (len(red) - left))


def _is_red(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return r > 150 and g < 110 and b < 110
