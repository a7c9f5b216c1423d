"""The demo CA's renewal website: order, demo payment, then a certificate issued from the DemoPKI for the
PKCS#10 request the helper made on the key, handed back to the helper to install.

Like a real CA it decides the certificate's content itself: the subject is the old certificate's, the
request only proves possession of the key (signature checked) and must be for the same key pair as the
certificate being renewed. Orders are single use; state-changing calls accept JSON only (no simple
cross-site form posts).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from helper.demo.pki import DemoPKI
from helper.demo.renewal_site import pages
from helper.login.server import static_file
from helper.login.threaded import LoopbackSite

DEFAULT_PORT = 28962
PRICES = {1: 200, 2: 380, 3: 540}


@dataclass
class Order:
    id: str
    certificate: x509.Certificate
    years: int
    paid: bool = False
    issued: bool = False


class SiteError(Exception):
    """A refusal the page shows (JSON {code, message})."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class RenewalSite(LoopbackSite):
    """The site on 127.0.0.1:``port`` (0: any free port), issuing from ``pki``."""

    thread_name = "DemoRenewalSite"

    def __init__(self, pki: DemoPKI, *, port: int = DEFAULT_PORT, helper_url: str = "http://127.0.0.1:28960") -> None:
        self.pki = pki
        self.port = port
        self.helper_url = helper_url
        self.orders: dict[str, Order] = {}
        self.issued: list[bytes] = []  # every certificate this site issued (DER), for tests and the log

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._errors], client_max_size=64 * 1024)
        app.router.add_get("/", self._home)
        app.router.add_get("/static/cahelper.js", self._js)
        app.router.add_post("/orders", self._order)
        app.router.add_post("/orders/{id}/pay", self._pay)
        app.router.add_post("/orders/{id}/issue", self._issue)
        return app

    @web.middleware
    async def _errors(self, request: web.Request, handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except SiteError as exc:
            response = web.json_response({"code": exc.code, "message": exc.message}, status=exc.status)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cache-Control"] = "no-store"
        return response

    async def _home(self, request: web.Request) -> web.Response:
        return web.Response(text=pages.home(self.helper_url), content_type="text/html", charset="utf-8")

    async def _js(self, request: web.Request) -> web.Response:
        return web.Response(body=static_file("cahelper.js"), content_type="application/javascript")

    async def _order(self, request: web.Request) -> web.Response:
        body = await _json(request)
        years = body.get("years")
        if years not in PRICES:
            raise SiteError("BAD_ORDER", "请选择延期年限")
        cert = self._our_certificate(_b64(body.get("certificate"), "证书"))
        order = Order(secrets.token_hex(8), cert, years)
        self.orders[order.id] = order
        unit = cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
        return web.json_response({"id": order.id, "years": years, "price": PRICES[years],
                                  "unit": unit[0].value if unit else ""})

    async def _pay(self, request: web.Request) -> web.Response:
        await _json(request)
        order = self._find(request)
        order.paid = True
        return web.json_response({"id": order.id, "paid": True})

    async def _issue(self, request: web.Request) -> web.Response:
        body = await _json(request)
        order = self._find(request)
        if not order.paid or order.issued:
            raise SiteError("ORDER_NOT_PAYABLE", "订单未支付或已经签发过证书", 409)
        try:
            csr = x509.load_der_x509_csr(_b64(body.get("csr"), "证书申请"))
        except ValueError:
            raise SiteError("BAD_CSR", "证书申请（PKCS#10）无法读取") from None
        if not csr.is_signature_valid:
            raise SiteError("BAD_CSR", "证书申请的签名不正确")
        spki = csr.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        old = order.certificate.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        if spki != old:
            raise SiteError("BAD_CSR", "证书申请的公钥与要延期的证书不一致")
        der = self.pki.issue(spki, order.certificate.subject, days=365 * order.years)
        order.issued = True
        self.issued.append(der)
        return web.json_response({"certificate": _text(der), "chain": [_text(d) for d in self.pki.chain_der]})

    def _find(self, request: web.Request) -> Order:
        order = self.orders.get(request.match_info["id"])
        if order is None:
            raise SiteError("NO_ORDER", "订单不存在", 404)
        return order

    def _our_certificate(self, der: bytes) -> x509.Certificate:
        try:
            cert = x509.load_der_x509_certificate(der)
            cert.verify_directly_issued_by(self.pki.ca_cert)
        except (ValueError, TypeError, InvalidSignature):
            raise SiteError("NOT_OUR_CERT", "这张证书不是本CA签发的，请到签发它的证书机构办理延期") from None
        return cert



async def _json(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise SiteError("BAD_REQUEST", "请求格式不正确", 415)
    try:
        body = await request.json()
    except ValueError:
        raise SiteError("BAD_REQUEST", "请求格式不正确") from None
    if not isinstance(body, dict):
        raise SiteError("BAD_REQUEST", "请求格式不正确")
    return body


def _b64(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(value or ""), validate=True)
    except (binascii.Error, ValueError):
        raise SiteError("BAD_REQUEST", f"{what}格式不正确") from None


def _text(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")
