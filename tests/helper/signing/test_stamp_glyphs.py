"""The signer's name under the seal is drawn with real glyphs of the embedded font, whatever the name."""

from __future__ import annotations

import io
import re

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from sigtools import options

from helper.audit import AuditLog
from helper.keys import KeyService
from helper.signing.batch import BatchItem
from helper.signing.service import SealChoice, SigningService
from tests.support import pin

# 张三: GB2312 (the shipped font); 諸葛亮 and 喆: outside GB2312 (system font); 㛃: CJK extension A
NAMES = ("张三", "諸葛亮", "王喆", "李㛃")
ACTUAL_TEXT = re.compile(rb"/ActualText\s*(\(.*?\)|<[0-9A-Fa-f\s]*>)\s*>>\s*BDC(.*?)EMC", re.S)


def _text_string(token: bytes) -> str:
    if token.startswith(b"<"):
        raw = bytes.fromhex(token[1:-1].decode())
    else:  # a literal string: octal and single-character escapes
        escape = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
        raw = escape.sub(lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else m[1], token[1:-1])
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def _drawn_texts(form: generic.StreamObject, found: list[tuple[str, list[int], TTFont]]) -> None:
    """Every marked text run of ``form`` and its nested forms: the text, the glyph ids drawn, the font."""
    resources = form.get("/Resources", generic.DictionaryObject())
    fonts = resources.get("/Font", generic.DictionaryObject())
    for text, ops in ACTUAL_TEXT.findall(form.data):
        (font_name,) = set(re.findall(rb"/(\w+)\s+[\d.]+\s+Tf", form.data))
        cid_font = fonts["/" + font_name.decode()]["/DescendantFonts"][0]
        assert cid_font.get("/CIDToGIDMap", "/Identity") == "/Identity"
        program = TTFont(io.BytesIO(cid_font["/FontDescriptor"]["/FontFile2"].data))
        gids = [int(h[i:i + 4], 16) for h in re.findall(rb"<([0-9A-Fa-f]+)>", ops) for i in range(0, len(h), 4)]
        found.append((_text_string(text), gids, program))
    for xobject in resources.get("/XObject", generic.DictionaryObject()).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            _drawn_texts(xobject, found)


def _is_real_glyph(font: TTFont, gid: int) -> bool:
    if gid == 0 or gid >= font["maxp"].numGlyphs:
        return False
    glyph = font["glyf"][font.getGlyphOrder()[gid]]
    return glyph.numberOfContours != 0


@pytest.fixture(scope="module")
def name_tokens(make_token):
    subject = lambda cn: x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),  # noqa: E731
                                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "石家庄示例科技有限公司")])
    return {cn: make_token(f"签名{cn}", keys=(("ec-p256", "sign"),), subject=subject(cn)) for cn in NAMES}


@pytest.mark.parametrize("holder", NAMES)
def test_signer_name_under_seal_uses_real_glyphs(holder, name_tokens, token_service, seal_png, tmp_path):
    from corpus import blank_pdf

    token = name_tokens[holder]
    service = SigningService(KeyService(token_service), AuditLog(tmp_path / "audit.jsonl"))
    src, dst = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(blank_pdf())
    report = service.sign(service.identity(token.serial), pin(token.pin), [BatchItem(src, dst)], options(),
                          SealChoice(png=seal_png)).report
    assert report.results[0].status == "signed", report.results[0].error

    reader = PdfFileReader(io.BytesIO(dst.read_bytes()))
    (widget,) = [a.get_object() for a in reader.root["/AcroForm"]["/Fields"]]
    runs: list[tuple[str, list[int], TTFont]] = []
    _drawn_texts(widget["/AP"]["/N"].get_object(), runs)
    (name_run,) = [r for r in runs if r[0] == holder]
    _, gids, font = name_run
    assert len(gids) == len(holder)
    assert all(_is_real_glyph(font, gid) for gid in gids), (holder, gids)
    assert len(set(gids)) == len(set(holder))  # one distinct glyph per distinct character
