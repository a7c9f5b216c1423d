"""Reading the PDF to sign: refuse what cannot be signed safely, with a coded message, before the key is used."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.crypt import AuthStatus, PubKeySecurityHandler
from pyhanko.pdf_utils.misc import PdfError, PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import read_certification_data

from helper.messages import HelperError
from helper.signing.damage import structural_damage

_HEADER_WINDOW = 1024  # the PDF header may follow some junk, as readers accept


@dataclass(frozen=True)
class SourcePdf:
    """A PDF read into memory and checked; ``repaired`` when its structure was rebuilt by PDFium."""

    path: Path
    data: bytes = field(repr=False)
    sha256: str
    reader: PdfFileReader = field(repr=False)
    pages: int
    signatures: int
    password: bytes | None = field(default=None, repr=False)
    repaired: bool = False


def read_pdf(path: Path, *, max_mb: int, password: bytes | None = None) -> SourcePdf:
    """Read and check ``path``; the file itself is only read, never changed. A damaged file (unreadable,
    or objects and streams not where its tables say) that holds no signatures and no encryption is rebuilt
    in memory by PDFium first (``repaired``).

    Raises HelperError FILE_NOT_FOUND, PDF_EMPTY, PDF_TOO_LARGE, PDF_NOT_PDF, PDF_MALFORMED, PDF_SIGNED_DAMAGED,
    PDF_PASSWORD_REQUIRED, PDF_PASSWORD_WRONG, PDF_ENCRYPTED_CERT or PDF_CERTIFIED_NO_CHANGES.
    """
    try:
        size = path.stat().st_size
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise HelperError("FILE_NOT_FOUND", path=str(path)) from exc
    if size == 0:
        raise HelperError("PDF_EMPTY", path=str(path))
    if size > max_mb * 1024 * 1024:
        raise HelperError("PDF_TOO_LARGE", path=str(path), size_mb=round(size / 1048576), max_mb=max_mb)
    data = path.read_bytes()
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise HelperError("PDF_NOT_PDF", path=str(path))
    sha = hashlib.sha256(data).hexdigest()
    repaired = False
    try:
        reader = _open(data)
        if not reader.encrypted and not reader.embedded_signatures:  # only such a file may be rebuilt
            damage = structural_damage(data, reader)
            if damage:
                raise PdfReadError(damage)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        data = _repaired(path, data, exc, password)
        reader, repaired = _open(data), True
    _unlock(path, reader, password)
    try:
        pages = int(reader.root["/Pages"]["/Count"])
        signatures = len(reader.embedded_signatures)
        _check_certification(path, reader)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HelperError("PDF_MALFORMED", path=str(path), detail=type(exc).__name__) from exc
    if pages < 1:
        raise HelperError("PDF_MALFORMED", path=str(path), detail="no pages")
    return SourcePdf(path, data, sha, reader, pages, signatures, password if reader.encrypted else None, repaired)


def _open(data: bytes) -> PdfFileReader:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    reader.root  # noqa: B018 - forces the trailer and catalogue to be read
    return reader


def _unlock(path: Path, reader: PdfFileReader, password: bytes | None) -> None:
    if not reader.encrypted:
        return
    if isinstance(reader.security_handler, PubKeySecurityHandler):
        raise HelperError("PDF_ENCRYPTED_CERT", path=str(path))
    if reader.decrypt(b"").status != AuthStatus.FAILED:
        return  # an empty user password: readers open it without asking, so do we
    if password is None:
        raise HelperError("PDF_PASSWORD_REQUIRED", path=str(path))
    if reader.decrypt(password).status == AuthStatus.FAILED:
        raise HelperError("PDF_PASSWORD_WRONG", path=str(path))


def _check_certification(path: Path, reader: PdfFileReader) -> None:
    cert_data = read_certification_data(reader)
    if cert_data is not None and cert_data.permission == MDPPerm.NO_CHANGES:
        raise HelperError("PDF_CERTIFIED_NO_CHANGES", path=str(path), signer=_certifier(reader, cert_data.author_sig))


def _certifier(reader: PdfFileReader, author_sig: generic.DictionaryObject) -> str:
    """Who certified the file: the signature's /Name, else the unit or holder in its certificate."""
    name = str(author_sig.get("/Name", "") or "")
    for sig in () if name else reader.embedded_signatures:
        if sig.docmdp_level is not None:
            subject = sig.signer_cert.subject.native
            name = subject.get("organization_name") or subject.get("common_name") or ""
    return name or "?"


def _repaired(path: Path, data: bytes, exc: Exception, password: bytes | None) -> bytes:
    """A clean copy rebuilt by PDFium, for a damaged file that holds no signatures (repairing a signed
    file would break its signatures)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    detail = type(exc).__name__
    try:
        doc = pdfium.PdfDocument(data, password=password.decode("utf-8", "replace") if password else None)
    except pdfium.PdfiumError as err:
        if "password" in str(err).lower():
            raise HelperError("PDF_PASSWORD_REQUIRED" if password is None else "PDF_PASSWORD_WRONG",
                              path=str(path)) from err
        raise HelperError("PDF_MALFORMED", path=str(path), detail=detail) from exc
    try:
        if pdfium_c.FPDF_GetSignatureCount(doc.raw) > 0:
            raise HelperError("PDF_SIGNED_DAMAGED", path=str(path), detail=detail)
        if pdfium_c.FPDF_GetSecurityHandlerRevision(doc.raw) != -1:
            raise HelperError("PDF_MALFORMED", path=str(path), detail=detail)  # a rewrite would drop encryption
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()
    finally:
        doc.close()
