"""Sealing a PDF with an SM2 signer the way the signing engine does (pyHanko PdfSigner, the product's
appearance code), for tests that hold the SM2 key in software."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter

from helper.crypto import sm2
from helper.signing import appearance
from helper.signing.sm2signer import SM2Signer


def seal(data: bytes, signer: SM2Signer, seal_png: bytes | None, name: str = "Seal1", timestamper=None) -> bytes:
    """One visible e-seal on page 1, with the product's appearance code, as the signing engine makes it."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    art = appearance.SealArt.from_png(seal_png, 120) if seal_png else None
    meta = signers.PdfSignatureMetadata(field_name=name, md_algorithm=signer.digest_algorithm,
                                        subfilter=SigSeedSubFilter.PADES, name="张三")
    style = appearance.stamp_style(art, "%(holder)s\n%(ts)s", {"holder": "张三"})
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, timestamper=timestamper,
                                   new_field_spec=SigFieldSpec(name, on_page=0, box=(400, 100, 520, 220)))
    return pdf_signer.sign_pdf(writer, appearance_text_params={"holder": "张三"}).getvalue()


def sm2_signer(pki, cert=None, key=None) -> SM2Signer:
    key = key or sm2.SoftwareKey.from_der(pki.signing.key_pem)
    return SM2Signer(key, (cert or pki.signing).der, (pki.ca.der, pki.root.der))


