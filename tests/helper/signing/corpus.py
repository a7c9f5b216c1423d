"""Test PDFs from several producers: pyHanko's writer (Chinese text in the CJK font), qpdf rewrites
(object streams, encryption, PDF versions), hand-written minimal files, and broken ones."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from helper.signing.fonts import CJKFontFactory

A4 = (595.0, 842.0)
ROSTER_TITLE = "企业养老保险人员参保登记名册"
ROSTER_ANCHOR = "单位（盖章）"


@dataclass(frozen=True)
class Text:
    """One line of text with its lower-left corner at (x, y) in points."""

    x: float
    y: float
    text: str
    size: int = 12


def text_pdf(pages: list[list[Text]], *, stream_xrefs: bool = False, size: tuple[float, float] = A4) -> bytes:
    """A PDF whose pages hold the given lines, drawn in one embedded CJK subset font."""
    writer = PdfFileWriter(stream_xrefs=stream_xrefs)
    all_text = "".join(t.text for page in pages for t in page) or " "
    engine = CJKFontFactory(all_text).create_font_engine(writer)
    resources = generic.DictionaryObject({
        pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): engine.as_resource()})})
    for page in pages:
        ops = []
        for item in page:
            engine.font_size = item.size
            shaped = engine.shape(item.text).graphics_ops
            ops.append(b"BT /F1 %d Tf 1 0 0 1 %g %g Tm %s ET" % (item.size, item.x, item.y, shaped))
        stream = writer.add_object(generic.StreamObject(stream_data=b"\n".join(ops) or b" "))
        writer.insert_page(PageObject(stream, (0, 0, *size), resources))
    engine.prepare_write()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def roster_pdf(rows: int = 12, pages: int = 1) -> bytes:
    """A 参保登记名册 like the social-insurance portal prints, with "单位（盖章）：" at the bottom of the last page."""
    out = []
    for p in range(pages):
        lines = [Text(150, 780, ROSTER_TITLE, 18), Text(60, 740, "单位名称：石家庄示例科技有限公司"),
                 Text(60, 715, "序号  姓名  身份证号码  参保险种  缴费基数")]
        lines += [Text(60, 690 - 22 * i, f"{p * rows + i + 1}  员工{i + 1}  1301021990010100{i:02d}  企业养老  4500")
                  for i in range(rows)]
        if p == pages - 1:
            lines += [Text(60, 120, ROSTER_ANCHOR + "："), Text(360, 120, "经办人：张三")]
        out.append(lines)
    return text_pdf(out)


def blank_pdf(pages: int = 1) -> bytes:
    return text_pdf([[Text(72, 760, f"第 {i + 1} 页")] for i in range(pages)])


def minimal_pdf(version: str = "1.4") -> bytes:
    """A hand-written one-page PDF with a classic xref table (Helvetica text, no font embedded)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    content = b"BT /F1 14 Tf 72 700 Td (Minimal hand-written PDF) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
    data = bytearray(b"%PDF-" + version.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(data)


def damaged_xref_pdf() -> bytes:
    """``minimal_pdf`` with every xref offset shifted: readers must rebuild the table."""
    data = minimal_pdf()
    head, tail = data.split(b"xref\n", 1)
    lines = tail.split(b"\n")
    fixed = [(b"%010d 00000 n " % (int(line[:10]) + 7)) if line.endswith(b" n ") else line for line in lines]
    return head + b"xref\n" + b"\n".join(fixed)


def qpdf(data: bytes, tmp: Path, *args: str) -> bytes:
    """``data`` rewritten by qpdf with ``args`` (e.g. --object-streams=generate, --encrypt ...)."""
    src, dst = tmp / "qpdf-in.pdf", tmp / "qpdf-out.pdf"
    src.write_bytes(data)
    subprocess.run(["qpdf", *args, str(src), str(dst)], check=True, capture_output=True)
    out = dst.read_bytes()
    src.unlink()
    dst.unlink()
    return out


def encrypted(data: bytes, tmp: Path, user: str = "", owner: str = "owner-pw") -> bytes:
    return qpdf(data, tmp, "--encrypt", user, owner, "256", "--")


def nss_db(folder: Path, root_pem: Path) -> str:
    """An NSS database trusting ``root_pem`` (for pdfsig -nssdir); created once per folder."""
    if not folder.exists():
        folder.mkdir(parents=True)
        subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{folder}"], check=True)
        subprocess.run(["certutil", "-A", "-d", f"sql:{folder}", "-n", "root", "-t", "CT,C,C", "-i", str(root_pem)],
                       check=True)
    return f"sql:{folder}"
