"""The 电子签章 page's jobs without Qt: certificates, seal spot, batch preparation, verification view."""

from __future__ import annotations

import io

import pytest
from corpus import blank_pdf, roster_pdf
from PIL import Image
from sigtools import options

from helper.signing import desk
from helper.signing.options import Placement


def test_signing_certificates_tell_rsa_and_ec_apart(signing):
    certs = [c for c in desk.signing_certificates(signing.service.keys) if c.serial == signing.serial]
    assert sorted(c.algorithm for c in certs) == ["EC", "RSA"]
    assert certs[0].algorithm == "RSA"  # RSA first, as choose_identity prefers it
    assert all(c.unit and c.holder and c.not_after.year >= 2026 for c in certs)
    assert len({c.cert_id for c in certs}) == 2


def test_seal_spot_is_where_the_engine_puts_the_default_seal(signing, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(roster_pdf(pages=2))
    spot = desk.seal_spot(src, Placement(), max_mb=200)
    signed = signing.one(src, tmp_path / "out.pdf", options(), seal_png)
    x1, y1, x2, y2 = signed.box
    assert (spot.page, spot.pages) == (signed.page, 2) == (2, 2)
    assert spot.x_mm == pytest.approx((x1 + x2) / 2 / 72 * 25.4, abs=0.1)
    assert spot.y_mm == pytest.approx((y1 + y2) / 2 / 72 * 25.4, abs=0.1)


def test_page_picture_renders_the_page(tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf(2))
    picture = desk.page_picture(src, 9, max_mb=200, width_px=300)
    assert (picture.page, picture.pages, round(picture.width_pt)) == (2, 2, 595)
    assert Image.open(io.BytesIO(picture.png)).width == 300


def test_prepare_refuses_before_the_pin_and_renames_clashing_outputs(signing, tmp_path):
    for folder in ("甲", "乙"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "名册.pdf").write_bytes(roster_pdf(pages=2))
    one_page = tmp_path / "一页.pdf"
    one_page.write_bytes(blank_pdf(1))
    out = tmp_path / "签好的"  # made when missing
    files = [tmp_path / "甲" / "名册.pdf", tmp_path / "乙" / "名册.pdf", one_page]
    prepared = desk.prepare(signing.service.keys, signing.serial, None, files, out,
                            options(mode="invisible", cross_page=True), max_mb=200)
    assert [i.output.name for i in prepared.items] == ["名册-signed.pdf", "名册-signed (2).pdf"]
    assert all(i.output.parent == out for i in prepared.items) and out.is_dir()
    (refused,) = prepared.refused
    assert refused.item.source == one_page and refused.code == "CROSS_PAGE_ONE_PAGE"


def test_verification_view_has_the_seal_as_it_appears(signing, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(roster_pdf(pages=2))
    signing.one(src, tmp_path / "seal.pdf", options(), seal_png)
    signing.one(src, tmp_path / "none.pdf", options(mode="invisible"), seal_png)
    view = desk.verify_for_view(tmp_path / "seal.pdf", max_mb=200)
    (sig,) = view.report.signatures
    assert sig.page == 2 and sig.box is not None
    assert sig.cert_not_before < sig.signing_time < sig.cert_not_after
    image = Image.open(io.BytesIO(view.seal_images[0])).convert("RGB")
    red = sum(1 for r, g, b in image.get_flattened_data() if r > 150 and g < 110 and b < 110)
    assert red > image.width * image.height // 20  # the red seal, not a blank crop
    invisible = desk.verify_for_view(tmp_path / "none.pdf", max_mb=200)
    assert invisible.report.signatures[0].page is None and invisible.seal_images == (None,)


def test_verification_view_of_an_sm2_seal(tmp_path, seal_png):
    from sm2kit import seal, sm2_signer

    from tests.interop.sm2world import make_pki

    pki = make_pki(tmp_path / "pki")
    out = tmp_path / "sm2.pdf"
    out.write_bytes(seal(blank_pdf(), sm2_signer(pki), seal_png))
    (sig,) = desk.verify_pdf(out, (pki.root.der,)).signatures
    assert (sig.page, sig.box) == (1, (400.0, 100.0, 520.0, 220.0))
    assert sig.cert_not_before is not None and sig.cert_not_before < sig.cert_not_after
    assert desk.seal_image(out.read_bytes(), sig) is not None
