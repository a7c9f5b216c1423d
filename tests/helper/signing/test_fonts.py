"""The CJK stamp font: coverage, caching, fallback, and Chinese text that survives signing and extraction."""

from __future__ import annotations

import datetime
import io
import re
import statistics
import subprocess
import time
from pathlib import Path

import pytest
from asn1crypto import keys, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from helper.messages import HelperError
from helper.signing import fonts

STAMP_TEXT = "石家庄示例科技有限公司 张三 2026-11-23"
UNIT_NAME_CHARS = (
    "北京上海天津重庆河北山西辽宁吉林黑龙江苏浙安徽福建江西山东河南湖北湖南广东西海南四川贵州云南陕甘肃青"
    "内蒙古自治区新疆维吾尔宁夏回族藏壮省市县镇乡村街道路号楼室有限责任公司股份集团总分支机构厂店部"
    "科技信息网络软件电子通讯智能数据发展贸易实业投资控股管理咨询服务中心物流运输建筑工程装饰设计广告"
    "文化传媒教育培训医药医疗器械卫生院食品餐饮酒商务房地产开发物业环保能源电力机械设备制造加工汽车"
    "农业林牧渔生态旅游金融银行保险证券担保租赁财务会计师事务所律人力资源劳务派遣社保局委员会办公室"
    "合同专用章财务发票业务人民政府学校协会基金民办非企业个体工商户〇（）·—"
)
WQY_MICROHEI = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
SYSTEM_ONLY_CHAR = "喆"  # in WenQuanYi Micro Hei, not in GB2312
NOWHERE_CHAR = "\U00020000"  # CJK Extension B: in neither the base font nor the Linux system font


def _cmap(font: bytes) -> set[str]:
    return {chr(cp) for cp in TTFont(io.BytesIO(font)).getBestCmap()}


def test_base_font_is_one_glyf_face_with_gb2312():
    font = TTFont(fonts.base_font_path())
    assert "glyf" in font and "CFF " not in font
    cmap = font.getBestCmap()
    assert sum(0x4E00 <= cp <= 0x9FFF for cp in cmap) >= 6763
    assert fonts.base_font_path().stat().st_size < 3_000_000


def test_fonts_have_pdf_units_per_em():
    assert TTFont(fonts.base_font_path())["head"].unitsPerEm == 1000
    assert TTFont(io.BytesIO(fonts.cjk_font_bytes("张三")))["head"].unitsPerEm == 1000


def test_subset_covers_text_and_ascii_only():
    font = fonts.cjk_font_bytes(UNIT_NAME_CHARS)
    chars = _cmap(font)
    assert set(UNIT_NAME_CHARS) <= chars
    assert set("0123456789-:./ ") <= chars
    assert "盖" not in chars  # only what was asked for
    assert len(font) < 500_000


def test_controls_are_ignored_and_ideographic_space_kept():
    assert "\u3000" in _cmap(fonts.cjk_font_bytes("张三\u3000李四\n"))


def test_same_characters_return_the_cached_font():
    text = "保定示例贸易有限公司 李四"
    first = fonts.cjk_font_bytes(text)
    second = fonts.cjk_font_bytes("李四 " + "".join(reversed(text)))  # same set of characters
    assert second is first  # served from the cache, not subset again


def test_character_outside_base_font_comes_from_system_font():
    # ./dev installs fonts-wqy-microhei, the system font this fallback is tested with
    assert any(f.covers(SYSTEM_ONLY_CHAR) for f in fonts._system_faces())
    assert SYSTEM_ONLY_CHAR in _cmap(fonts.cjk_font_bytes(f"王{SYSTEM_ONLY_CHAR}"))


def test_character_in_no_font_is_refused(monkeypatch):
    monkeypatch.setattr(fonts, "_system_faces", lambda: ())
    with pytest.raises(HelperError) as raised:
        fonts.cjk_font_bytes(f"张{NOWHERE_CHAR}{SYSTEM_ONLY_CHAR}")
    assert raised.value.code == "FONT_GLYPH_MISSING"
    assert raised.value.params["chars"] == "".join(sorted(NOWHERE_CHAR + SYSTEM_ONLY_CHAR))
    assert NOWHERE_CHAR in raised.value.message("zh").explanation


# --- signing with the font ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signer() -> signers.SimpleSigner:
    key = ec.generate_private_key(ec.SECP256R1())
    name = cx509.Name(
        [
            cx509.NameAttribute(NameOID.COMMON_NAME, "张三"),
            cx509.NameAttribute(NameOID.ORGANIZATION_NAME, "石家庄示例科技有限公司"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            cx509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    asn1_cert = x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=asn1_cert,
        signing_key=keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([asn1_cert]),
    )


@pytest.fixture(scope="module")
def blank_pdf() -> bytes:
    writer = PdfFileWriter()
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(map(generic.NumberObject, (0, 0, 595, 842))),
            generic.NameObject("/Resources"): generic.DictionaryObject(),
            generic.NameObject("/Contents"): writer.add_object(generic.StreamObject(stream_data=b"")),
        }
    )
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _sign(pdf: bytes, signer: signers.SimpleSigner, font: FontEngineFactory) -> bytes:
    style = TextStampStyle(stamp_text=STAMP_TEXT, text_box_style=TextBoxStyle(font=font, font_size=12))
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Seal"),
        signer=signer,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec("Seal", box=(50, 700, 400, 760)),
    )
    return pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf))).getvalue()


def _ms_per_document(pdf: bytes, signer: signers.SimpleSigner, font: FontEngineFactory, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        _sign(pdf, signer, font)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def test_signed_stamp_text_extracts_exactly(tmp_path, signer, blank_pdf):
    signed = _sign(blank_pdf, signer, fonts.CJKFontFactory(STAMP_TEXT))
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    text = _pdftotext(path)
    assert STAMP_TEXT in text

    # Characters sit one advance apart: the glyph widths in the PDF agree with the font's metrics.
    ((x_min, x_max),) = re.findall(
        r'<word xMin="([\d.]+)" [^>]*xMax="([\d.]+)"[^>]*>石', _pdftotext(path, "-bbox")
    )
    assert float(x_max) - float(x_min) == pytest.approx(_advance(STAMP_TEXT, size=12), rel=0.02)

    embedded = _embedded_font_names(path)
    assert len(embedded) == 1 and "+WenQuanYiMicroHei" in embedded[0]

    sig = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[signer.signing_cert]))
    assert status.intact and status.valid


def _pdftotext(path: Path, *options: str) -> str:
    command = ["pdftotext", "-enc", "UTF-8", *options, str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def _advance(text: str, size: float) -> float:
    font = TTFont(io.BytesIO(fonts.cjk_font_bytes(text)))
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    return sum(hmtx[cmap[ord(c)]][0] for c in text) * size / font["head"].unitsPerEm


def _embedded_font_names(path: Path) -> list[str]:
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    assert all(" yes yes " in line for line in lines)  # embedded and subset
    return [line.split()[0] for line in lines]


@pytest.mark.slow
def test_subset_font_signs_much_faster_than_full_face(tmp_path, signer, blank_pdf):
    full_face = tmp_path / "full-face.ttf"
    TTFont(WQY_MICROHEI, fontNumber=0).save(full_face)
    subset = fonts.CJKFontFactory(STAMP_TEXT)
    _sign(blank_pdf, signer, subset)  # warm the cache: the subset is made once per character set
    subset_ms = _ms_per_document(blank_pdf, signer, subset, runs=5)
    full_ms = _ms_per_document(blank_pdf, signer, GlyphAccumulatorFactory(str(full_face)), runs=2)
    print(f"\nstamp font: subset {subset_ms:.0f} ms/document, full face {full_ms:.0f} ms/document")
    assert subset_ms * 4 < full_ms


def test_text_the_font_lacks_is_refused_not_drawn_blank(blank_pdf):
    """A stamp whose font was built for other characters stops with a coded message (no blank glyphs)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(blank_pdf))
    engine = fonts.CJKFontFactory("%(holder)s").create_font_engine(writer)
    assert engine.shape("abc 12:30").graphics_ops
    with pytest.raises(HelperError) as raised:
        engine.shape("张三")
    assert raised.value.code == "FONT_GLYPH_MISSING"
    assert raised.value.params["chars"] == "三张"
