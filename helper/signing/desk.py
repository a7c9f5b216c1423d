"""The jobs behind the 电子签章 page, without Qt: which certificates can sign, where the seal would go,
a page picture for the preview, the batch to sign (checked before the PIN), and signatures to show.

Each function is one blocking call the page runs off the GUI thread; the page only collects input and
shows what comes back.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from helper.keys import KeyService
from helper.messages import HelperError
from helper.signing import appearance, batch
from helper.signing.identity import SigningIdentity, choose_identity
from helper.signing.options import MM, Placement, SignOptions
from helper.signing.pdfinput import read_pdf
from helper.signing.verify import SignatureReport, VerifyReport, verify_pdf

PREVIEW_WIDTH_PX = 900
SEAL_VIEW_DPI = 150


# --- certificates -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningCert:
    """A signing certificate on an inserted key, as the certificate list shows it."""

    serial: str  # the key's
    cert_id: str
    unit: str
    holder: str
    algorithm: str  # RSA, EC, SM2
    not_after: datetime
    key_label: str


def signing_certificates(keys: KeyService) -> list[SigningCert]:
    """Every signing certificate with its private key on the inserted keys, by key, then RSA first."""
    out = []
    for entry in keys.certificates():
        info = entry.info
        if info is None or not entry.has_key or not info.is_signing or info.is_ca:
            continue
        out.append(SigningCert(entry.token.serial, entry.id, info.unit, info.subject_cn,
                               algorithm_name(info.key_algorithm), info.not_after, entry.token.label))
    return sorted(out, key=lambda c: (c.serial, c.algorithm != "RSA", c.unit, c.holder))


def algorithm_name(key_algorithm: str) -> str:
    """The short name a clerk can compare: RSA, EC or SM2."""
    return {"ECC": "EC", "EC": "EC"}.get(key_algorithm.upper(), key_algorithm.upper())


# --- where the seal goes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealSpot:
    """Where a placement puts the seal in one file: 1-based page, centre in mm from the page's lower left."""

    page: int
    x_mm: float
    y_mm: float
    pages: int


def seal_spot(path: Path, placement: Placement, *, max_mb: int, password: bytes | None = None) -> SealSpot:
    """Where the engine would put the seal of ``placement`` (``coords`` without a position: its default,
    the lower right of the last page; ``anchor``: on the text). Raises the placement's HelperError."""
    source = read_pdf(path, max_mb=max_mb, password=password)
    page_ix, (x1, y1, x2, y2) = appearance.seal_box(source, placement)
    px1, py1, _, _ = appearance.page_box(source, page_ix)
    return SealSpot(page_ix + 1, round(((x1 + x2) / 2 - px1) / MM, 1), round(((y1 + y2) / 2 - py1) / MM, 1),
                    source.pages)


@dataclass(frozen=True)
class PagePicture:
    """One page as PNG, with its size in points and the file's page count."""

    png: bytes
    width_pt: float
    height_pt: float
    page: int
    pages: int


def page_picture(path: Path, page: int, *, max_mb: int, width_px: int = PREVIEW_WIDTH_PX,
                 password: bytes | None = None) -> PagePicture:
    """Page ``page`` (1-based; past the end: the last page) of ``path`` rendered for the preview."""
    import pypdfium2 as pdfium

    source = read_pdf(path, max_mb=max_mb, password=password)
    doc = pdfium.PdfDocument(source.data, password=password.decode("utf-8", "replace") if password else None)
    try:
        doc.init_forms()
        pages = len(doc)
        page = min(max(page, 1), pages)
        pdf_page = doc[page - 1]
        width, height = pdf_page.get_size()
        image = pdf_page.render(scale=width_px / width, may_draw_forms=True).to_pil()
    finally:
        doc.close()
    out = io.BytesIO()
    image.save(out, "PNG")
    return PagePicture(out.getvalue(), width, height, page, pages)


# --- the batch ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedBatch:
    """What signing will do, found out before the PIN is asked for."""

    identity: SigningIdentity
    items: tuple[batch.BatchItem, ...]  # to sign
    refused: tuple[batch.FileResult, ...]  # cannot be signed as asked (seal off the page, 骑缝章 on one page …)


def plan_items(files: Sequence[Path], out_dir: Path | None) -> list[batch.BatchItem]:
    """``batch.plan`` for the page's files into ``out_dir`` (made when missing), or next to each file."""
    if out_dir is not None:
        if out_dir.exists() and not out_dir.is_dir():
            raise HelperError("SIGN_OUT_NOT_DIR", path=str(out_dir))
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HelperError("OUTPUT_NOT_WRITABLE", path=str(out_dir),
                              detail=exc.strerror or type(exc).__name__) from exc
    return batch.plan(list(files), out_dir)


def prepare(keys: KeyService, serial: str | None, cert_id: str | None, files: Sequence[Path],
            out_dir: Path | None, options: SignOptions, *, max_mb: int) -> PreparedBatch:
    """Choose the certificate, plan the outputs and check every file's placement, all without the PIN."""
    identity = choose_identity(keys, serial, cert_id)
    items, refused = [], []
    for item in plan_items(files, out_dir):
        try:
            if item.output.exists() and not options.overwrite:
                raise HelperError("OUTPUT_EXISTS", path=str(item.output))
            appearance.check_placement(read_pdf(item.source, max_mb=max_mb), options.placement)
        except HelperError as exc:
            refused.append(batch.FileResult(item, "refused", exc.code, dict(exc.params)))
        else:
            items.append(item)
    return PreparedBatch(identity, tuple(items), tuple(refused))


# --- verification ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedFile:
    """A verification report with, for each signature, its seal as it appears on the page (PNG, or None
    for a signature with no visible seal)."""

    report: VerifyReport
    seal_images: tuple[bytes | None, ...]


def verify_for_view(path: Path, *, max_mb: int) -> VerifiedFile:
    report = verify_pdf(path, max_mb=max_mb)
    data = read_pdf(path, max_mb=max_mb).data if report.signatures else b""
    return VerifiedFile(report, tuple(seal_image(data, s) for s in report.signatures))


def seal_image(data: bytes, signature: SignatureReport, dpi: int = SEAL_VIEW_DPI) -> bytes | None:
    """The signature's widget area of the final document rendered as PNG, or None when it has none."""
    import pypdfium2 as pdfium

    if signature.page is None or signature.box is None:
        return None
    doc = pdfium.PdfDocument(data)
    try:
        doc.init_forms()  # signature widgets are form fields: drawn only with the form environment
        page = doc[signature.page - 1]
        left, bottom, right, top = page.get_cropbox()
        x1, y1, x2, y2 = signature.box
        crop = (max(x1 - left, 0), max(y1 - bottom, 0), max(right - x2, 0), max(top - y2, 0))
        image = page.render(scale=dpi / 72, crop=crop, may_draw_forms=True).to_pil()
    except (pdfium.PdfiumError, IndexError, ValueError):
        return None
    finally:
        doc.close()
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
