"""``POST /v1/sign-pdf``: a web page asks for an e-seal on a PDF it hands over.

The helper checks the PDF, shows origin + file name + a page preview in its dialog, asks the PIN, signs
with helper.signing's DocumentSigner (which logs the use, with the origin, in 用印记录) and returns the
signed PDF. The page chooses only the placement among the engine's options; never the signed bytes.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from aiohttp import web

from helper import settings
from helper.keys import CertEntry
from helper.login.consent import CertChoice, ConsentRequest
from helper.login.http import JSON_BODY, JsonBytes, Route, json_reply
from helper.login.keyops import KeyOperations
from helper.messages import HelperError
from tokenio.worker import SessionHandle

MAX_NAME = 120
PLACEMENT_FIELDS = {"mode": str, "page": int, "xMm": (int, float), "yMm": (int, float), "sizeMm": (int, float),
                    "anchor": str}
SealProvider = Callable[[SessionHandle, CertEntry], bytes | None]


def body_limit(max_pdf_mb: int) -> int:
    """Bytes allowed for a sign-pdf JSON body: the PDF size limit in base64 plus room for the options."""
    return max_pdf_mb * 1024 * 1024 * 4 // 3 + 64 * 1024


class SigningRoutes:
    """Route provider for ``POST /v1/sign-pdf`` over ``ops``; ``portal_name(origin)`` names the site in the
    dialog. Busy, rate limit and wrong-PIN pause refuse a request before its (large) body is read."""

    def __init__(self, ops: KeyOperations, portal_name: Callable[[str], str], *, max_pdf_mb: int = 200,
                 seal: SealProvider | None = None) -> None:
        self.ops = ops
        self.portal_name = portal_name
        self.max_pdf_mb = max_pdf_mb
        self.seal = seal or seal_from_key

    def routes(self) -> Iterable[Route]:
        return (Route("POST", "/v1/sign-pdf", self.sign_pdf, body_limit(self.max_pdf_mb), self._admit),)

    def _admit(self, request: web.Request) -> None:
        self.ops.admit(request.headers["Origin"])

    async def sign_pdf(self, request: web.Request) -> web.Response:
        origin = request.headers["Origin"]
        loop = asyncio.get_running_loop()
        data, name, options = await loop.run_in_executor(None, parse_request, request.pop(JSON_BODY))
        pages, png = await loop.run_in_executor(None, preview, data)
        await loop.run_in_executor(None, check_placement, data, options, self.max_pdf_mb)
        dialog = consent_request(origin, self.portal_name(origin), name, pages, png)
        result = await self.ops.with_signing_consent(origin, dialog, sign_in_session, data, name, options, origin,
                                                     self.seal)
        return json_reply(result)


def seal_from_key(session: SessionHandle, entry: CertEntry) -> bytes | None:
    """The seal the default seal rule (helper.seals.default_seal) picks from the key, else None: a text
    stamp (holder and time) without a seal image."""
    from helper import seal_store

    default = seal_store.default_on_key(session)
    return seal_store.load(session, default.name).png if default.name else None


def parse_request(body: dict[str, Any]) -> tuple[bytes, str, Any]:
    """(pdf bytes, file name, SignOptions) from the JSON body; HelperError REQUEST_INVALID on anything odd."""
    from helper.signing.options import Placement, SignOptions

    unknown = set(body) - {"pdf", "fileName", "placement", "reason"}
    if unknown:
        raise HelperError("REQUEST_INVALID", detail=f"unknown field {sorted(unknown)[0][:50]!r}")
    pdf = body.pop("pdf", None)  # the body holds no second copy while it is decoded
    if not isinstance(pdf, str | JsonBytes) or not len(pdf):
        raise HelperError("REQUEST_INVALID", detail="field 'pdf' (base64) is required")
    data = b64decode_in_pieces(pdf)
    del pdf
    if not data.startswith(b"%PDF-"):
        raise HelperError("REQUEST_INVALID", detail="field 'pdf' is not a PDF document")
    name = _file_name(body.get("fileName", "document.pdf"))
    reason = body.get("reason", "")
    raw = body.get("placement", {})
    if not isinstance(reason, str) or len(reason) > 200 or not isinstance(raw, dict):
        raise HelperError("REQUEST_INVALID", detail="fields 'reason' or 'placement' malformed")
    for key, value in raw.items():
        expected = PLACEMENT_FIELDS.get(key)
        if expected is None or not isinstance(value, expected) or isinstance(value, bool):
            raise HelperError("REQUEST_INVALID", detail=f"placement field {key[:50]!r} not allowed or wrong type")
    if raw.get("mode", "anchor") not in ("anchor", "coords"):
        raise HelperError("REQUEST_INVALID", detail="placement mode must be anchor or coords")
    try:
        placement = Placement(mode=raw.get("mode", "anchor" if "anchor" in raw else "coords"),
                              page=raw.get("page", 0), x_mm=raw.get("xMm"), y_mm=raw.get("yMm"),
                              size_mm=raw.get("sizeMm", 40), anchor=raw.get("anchor", ""))
    except HelperError as exc:
        raise HelperError("REQUEST_INVALID", detail=f"placement: {exc.code}") from exc
    return data, name, SignOptions(reason=reason[:200], placement=placement)


def b64decode_in_pieces(text: str | JsonBytes, piece: int = 4 << 20) -> bytes:
    """Strict base64 decoding in pieces of ``piece`` characters (a multiple of 4), so that no single step holds
    the interpreter for long; REQUEST_INVALID for anything but base64 with padding only at the end."""
    source = text.view if isinstance(text, JsonBytes) else text
    pad = "=" if isinstance(text, str) else b"="
    if len(text) % 4 or text.find(pad, 0, max(0, len(text) - 2)) >= 0:  # type: ignore[arg-type]
        raise HelperError("REQUEST_INVALID", detail="field 'pdf' is not base64")
    try:
        return b"".join(base64.b64decode(source[i:i + piece], validate=True) for i in range(0, len(text), piece))
    except (binascii.Error, ValueError):
        raise HelperError("REQUEST_INVALID", detail="field 'pdf' is not base64") from None


def check_placement(data: bytes, options: Any, max_mb: int) -> None:
    """Where the seal goes must work in this PDF (anchor found, seal on the page) before the clerk is asked."""
    from helper.signing.appearance import check_placement as check
    from helper.signing.pdfinput import read_pdf

    with tempfile.TemporaryDirectory(prefix="cahelper-web-") as tmp:
        src = Path(tmp) / "request.pdf"
        src.write_bytes(data)
        check(read_pdf(src, max_mb=max_mb), options.placement)


def _file_name(value: Any) -> str:
    if not isinstance(value, str):
        raise HelperError("REQUEST_INVALID", detail="field 'fileName' must be a string")
    name = PureWindowsPath(PurePosixPath(value).name).name
    name = "".join(c for c in name if c.isprintable())[:MAX_NAME].strip() or "document.pdf"
    return name if name.lower().endswith(".pdf") else name + ".pdf"


def preview(data: bytes) -> tuple[int, bytes]:
    """(page count, PNG of the first page at ~60 dpi) for the consent dialog; REQUEST_INVALID if unreadable."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise HelperError("REQUEST_INVALID", detail="the PDF cannot be read") from exc
    try:
        pages = len(pdf)
        if pages == 0:
            raise HelperError("REQUEST_INVALID", detail="the PDF has no pages")
        image = pdf[0].render(scale=60 / 72).to_pil()
        out = io.BytesIO()
        image.save(out, "PNG")
        return pages, out.getvalue()
    finally:
        pdf.close()


def consent_request(origin: str, portal_name: str, name: str, pages: int,
                    png: bytes) -> Callable[[tuple[CertChoice, ...]], ConsentRequest]:
    def build(choices: tuple[CertChoice, ...]) -> ConsentRequest:
        return ConsentRequest("sign_pdf", origin, portal_name, choices, None, name, pages, png)

    return build


def sign_in_session(session: SessionHandle, entry: CertEntry, data: bytes, name: str, options: Any,
                    origin: str, seal: SealProvider) -> dict[str, Any]:
    """Sign ``data`` with ``entry``'s key in the logged-in ``session``; the JSON answer for the page."""
    from helper import certs
    from helper.signing.engine import DocumentSigner
    from helper.signing.identity import SigningIdentity, trust_pool

    chain = tuple(certs.build_chain(entry.info.der, trust_pool()))
    identity = SigningIdentity(entry.token, entry, chain)
    signer = DocumentSigner(session, identity, options, seal_png=seal(session, entry),
                            max_mb=settings.load().max_pdf_mb, origin=origin)
    with tempfile.TemporaryDirectory(prefix="cahelper-web-") as tmp:
        src, dst = Path(tmp) / name, Path(tmp) / ("signed-" + name)
        src.write_bytes(data)
        signed = signer.sign(src, dst)
        out = dst.read_bytes()
    return {"pdf": base64.b64encode(out).decode("ascii"), "fileName": name, "page": signed.page,
            "sha256": signed.sha256_after, "unit": entry.info.unit}
