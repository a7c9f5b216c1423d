"""Sign one PDF: read and check it, place the seal, sign on the key, write the output safely, log the use.

A ``DocumentSigner`` is prepared once per batch (signer, seal image, appearance, timestamp client) and then
signs document after document in the same logged-in key session.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import ValidationContext

from helper.audit import AuditLog, SealUse
from helper.fileio import atomic_output
from helper.messages import HelperError
from helper.signing import appearance, sm2signer
from helper.signing.identity import SigningIdentity, trust_pool
from helper.signing.options import SignOptions
from helper.signing.pdfinput import SourcePdf, read_pdf
from helper.signing.signer import TokenSigner
from tokenio.errors import TokenError
from tokenio.worker import SessionHandle

log = logging.getLogger(__name__)
FIELD_PREFIX = "cahelper-seal"


@dataclass(frozen=True)
class SignedFile:
    """One document signed: where it went and what the seal-use log recorded."""

    source: Path
    output: Path
    sha256_before: str
    sha256_after: str
    page: int | None  # 1-based page of the visible seal
    box: tuple[float, float, float, float] | None
    field_name: str
    repaired: bool = False
    audit: dict = field(default_factory=dict, repr=False)


class DocumentSigner:
    """Signs documents with ``identity``'s key in an open, logged-in ``session``."""

    def __init__(self, session: SessionHandle, identity: SigningIdentity, options: SignOptions, *,
                 seal_png: bytes | None = None, max_mb: int = 200, origin: str = "",
                 audit: AuditLog | None = None) -> None:
        self.identity = identity
        self.options = options
        self.max_mb = max_mb
        self.origin = origin
        self.audit = audit or AuditLog()
        self.signer = sm2signer.for_identity(session, identity, options.level) or \
            TokenSigner(session, identity.entry.key_id, identity.info.der, identity.chain)
        placement = options.placement
        self.art = appearance.SealArt.from_png(seal_png, placement.size_pt) if seal_png else None
        if placement.cross_page and self.art is None:
            raise HelperError("SIGN_OPTION_INVALID", option="seal", value="--cross-page")
        self.text = self._stamp_text() if options.show_text else ""
        info = identity.info
        self.text_params = {"holder": info.subject_cn, "unit": info.unit}
        self.style = appearance.stamp_style(self.art, self.text, self.text_params)
        self.timestamper = None
        if options.level != "B-B":
            from pyhanko.sign.timestamps import HTTPTimeStamper

            self.timestamper = HTTPTimeStamper(options.tsa_url, timeout=15)

    def _stamp_text(self) -> str:
        return "%(holder)s\n%(ts)s" if self.identity.info.subject_cn else "%(ts)s"

    def _validation_context(self) -> ValidationContext | None:
        if self.options.level != "B-LT":
            return None
        pool = trust_pool()
        roots = [x509.Certificate.load(c) for c in (*pool, *self.identity.chain)
                 if x509.Certificate.load(c).self_signed != "no"]
        others = [x509.Certificate.load(c) for c in (*pool, *self.identity.chain)]
        return ValidationContext(trust_roots=roots, other_certs=others, allow_fetching=True,
                                 revocation_mode="hard-fail")

    def sign(self, src: Path, dst: Path, *, password: bytes | None = None, overwrite: bool | None = None) -> SignedFile:
        """Sign ``src`` into ``dst`` (never ``src`` itself). Nothing is written unless signing succeeds."""
        overwrite = self.options.overwrite if overwrite is None else overwrite
        if dst.resolve() == src.resolve():
            raise HelperError("SIGN_OUT_IS_INPUT", path=str(src))
        if dst.exists() and not overwrite:
            raise HelperError("OUTPUT_EXISTS", path=str(dst))
        source = read_pdf(src, max_mb=self.max_mb, password=password)
        if self.options.certify and source.signatures:
            raise HelperError("PDF_CERTIFY_NOT_FIRST", path=str(src))
        try:
            signed, page, box, name = self._sign_bytes(source)
        except (HelperError, TokenError):
            raise
        except TimestampRequestError as exc:
            raise HelperError("TSA_FAILED", url=self.options.tsa_url, detail=str(exc) or type(exc).__name__) from exc
        except Exception as exc:  # noqa: BLE001 - pyHanko failures become one coded message
            raise self._translate(exc, src) from exc
        after = hashlib.sha256(signed).hexdigest()
        with atomic_output(dst, overwrite=overwrite) as f:
            f.write(signed)
        info = self.identity.info
        entry = self.audit.append(SealUse(
            file=str(src), output=str(dst), sha256_before=source.sha256, sha256_after=after,
            cert_serial=info.serial_hex, unit=info.unit, holder=info.subject_cn, page=page,
            placement="cross-page+" + self.options.placement.mode if self.options.placement.cross_page
            else self.options.placement.mode, level=self.options.level, origin=self.origin))
        return SignedFile(src, dst, source.sha256, after, page, box, name, source.repaired, entry)

    def _translate(self, exc: Exception, src: Path) -> HelperError:
        cause = exc
        while cause is not None:
            if isinstance(cause, TokenError | HelperError):
                return cause  # type: ignore[return-value]
            if isinstance(cause, TimestampRequestError):
                return HelperError("TSA_FAILED", url=self.options.tsa_url, detail=str(cause))
            cause = cause.__cause__ or cause.__context__
        text = str(exc)
        if self.options.level == "B-LT" and ("revocation" in text.lower() or "validat" in text.lower()):
            return HelperError("REVOCATION_UNAVAILABLE", detail=text[:200])
        if isinstance(exc, PdfError):
            return HelperError("PDF_MALFORMED", path=str(src), detail=text[:200] or type(exc).__name__)
        log.warning("signing %s failed", src, exc_info=exc)
        return HelperError("SIGN_FAILED", path=str(src), detail=text[:200] or type(exc).__name__)

    def _sign_bytes(self, source: SourcePdf) -> tuple[bytes, int | None, tuple | None, str]:
        placement = self.options.placement
        writer = IncrementalPdfFileWriter(io.BytesIO(source.data), strict=False)
        if source.reader.encrypted:
            writer.encrypt(source.password if source.password is not None else b"")
        _replace_dangling_info(writer)
        page, box, spec, rotation = None, None, None, 0
        if placement.mode == "field":
            name = appearance.empty_field(source, placement.field)
        else:
            name = self._new_field_name(source)
            if placement.mode in ("coords", "anchor"):
                page_ix, box = appearance.seal_box(source, placement)
                page = page_ix + 1
                spec = SigFieldSpec(name, on_page=page_ix, box=box)
                rotation = appearance.page_rotation(source, page_ix)
            else:
                spec = SigFieldSpec(name, on_page=0)
        if placement.cross_page:
            appearance.add_cross_page_seal(writer, source, self.art, placement.size_pt)
        info = self.identity.info
        meta = signers.PdfSignatureMetadata(
            field_name=name, md_algorithm=getattr(self.signer, "digest_algorithm", "sha256"), subfilter=SigSeedSubFilter.PADES,
            reason=self.options.reason or None, location=self.options.location or None,
            name=info.subject_cn or info.unit, certify=self.options.certify,
            docmdp_permissions=MDPPerm.FILL_FORMS,
            embed_validation_info=self.options.level == "B-LT",
            validation_context=self._validation_context(),
        )
        pdf_signer = signers.PdfSigner(meta, signer=self.signer, timestamper=self.timestamper,
                                       stamp_style=self._style_for(rotation), new_field_spec=spec)
        out = pdf_signer.sign_pdf(writer, appearance_text_params=self.text_params)
        return out.getvalue(), page, box, name

    def _style_for(self, rotation: int):
        """On a page shown turned (/Rotate), the seal is turned back so it stands upright; the small text
        line cannot turn with it in pyHanko's stamp, so it is left out there (the signature still names
        the signer and the time)."""
        if rotation == 0 or self.art is None:
            return self.style
        return appearance.stamp_style(self.art.rotated(rotation), "")

    @staticmethod
    def _new_field_name(source: SourcePdf) -> str:
        taken = {n for n, *_ in fields.enumerate_sig_fields(source.reader)}
        n = 1
        while f"{FIELD_PREFIX}-{n}" in taken:
            n += 1
        return f"{FIELD_PREFIX}-{n}"


def _replace_dangling_info(writer: IncrementalPdfFileWriter) -> None:
    """A document-information entry that points at nothing (seen in damaged and repaired files) is replaced
    by a fresh, empty one in the new revision, so the signer can record its producer and dates."""
    from pyhanko.pdf_utils import generic

    info = writer.trailer.raw_get("/Info") if "/Info" in writer.trailer else None
    if info is not None and not isinstance(info.get_object(), generic.DictionaryObject):
        writer.set_info(generic.DictionaryObject())
