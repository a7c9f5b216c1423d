"""The demo social-insurance portal: 单位用户登录 with the key, first-time binding, 上报材料 with an e-seal.

A relying party as a real portal would be: server-side sessions (HttpOnly, SameSite=Strict cookie), a CSRF
token on every state change, single-use nonces that expire, tokens verified with helper.login.verify against
the portal's trusted CAs, uploads checked with pyHanko before they are accepted.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aiohttp import web

from helper.demo.portal import pages
from helper.demo.portal.roster import roster_pdf
from helper.demo.portal.state import PortalState, Session
from helper.login.server import static_file
from helper.login.threaded import LoopbackSite
from helper.login.verify import TokenVerifier
from helper.messages import HelperError

COOKIE = "portal_sid"
MAX_UPLOAD = 20 * 1024 * 1024
DEFAULT_PORT = 28961
SESSION = web.RequestKey("session", Session)
FORM = web.RequestKey("form", object)


@dataclass(frozen=True)
class UploadCheck:
    valid: bool
    signer: str
    detail: str


class DemoPortal(LoopbackSite):
    """The portal on 127.0.0.1:``port`` (0: any free port), trusting ``trust_roots`` / ``intermediates`` (DER)."""

    thread_name = "DemoPortal"

    def __init__(self, trust_roots: Sequence[bytes], intermediates: Sequence[bytes] = (), *,
                 port: int = DEFAULT_PORT, helper_url: str = "http://127.0.0.1:28960") -> None:
        self.state = PortalState()
        # The demo CA publishes no OCSP responder or CRL, and the demo portal is served over http on 127.0.0.1.
        self.verifier = TokenVerifier(trust_roots, intermediates, revocation="soft-fail", allow_http_loopback=True)
        self.trust_roots = tuple(trust_roots)
        self.intermediates = tuple(intermediates)
        self.port = port
        self.helper_url = helper_url

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._security], client_max_size=MAX_UPLOAD * 2)
        r = app.router
        r.add_get("/", self._home)
        r.add_get("/static/cahelper.js", self._js)
        r.add_get("/login/unit", self._unit_login)
        r.add_post("/login/challenge", self._challenge)
        r.add_post("/login/token", self._token)
        r.add_get("/bind", self._bind_form)
        r.add_post("/bind", self._bind)
        r.add_get("/dashboard", self._dashboard)
        r.add_get("/materials", self._materials)
        r.add_get("/materials/roster.pdf", self._roster)
        r.add_post("/materials/upload", self._upload)
        r.add_get("/materials/{id}.pdf", self._download)
        r.add_post("/logout", self._logout)
        return app

    # --- plumbing -------------------------------------------------------------------------------
    @web.middleware
    async def _security(self, request: web.Request, handler) -> web.StreamResponse:
        session = self.state.session(request.cookies.get(COOKIE))
        request[SESSION] = session
        try:
            response = await handler(request)
        except HelperError as exc:
            response = web.json_response(exc.message().as_json(), status=400,
                                         dumps=lambda d: json.dumps(d, ensure_ascii=False))
        response.set_cookie(COOKIE, session.sid, httponly=True, samesite="Strict", path="/")
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cache-Control"] = "no-store"
        return response

    async def _csrf_value(self, request: web.Request) -> str:
        if request.content_type == "application/x-www-form-urlencoded":
            form = await request.post()
            request[FORM] = form
            return str(form.get("csrf", ""))
        return request.headers.get("X-CSRF-Token", "")

    async def _require_csrf(self, request: web.Request) -> None:
        """Form posts carry the CSRF token in a field, fetch() calls in the X-CSRF-Token header."""
        if not secrets.compare_digest(await self._csrf_value(request), request[SESSION].csrf):
            raise web.HTTPForbidden(text="页面已过期，请刷新后重试")

    def _user(self, request: web.Request) -> Session:
        session: Session = request[SESSION]
        if session.user is None or session.login is None:
            raise web.HTTPFound("/login/unit")
        return session

    # --- pages ----------------------------------------------------------------------------------
    async def _home(self, request: web.Request) -> web.Response:
        return _html(pages.home())

    async def _js(self, request: web.Request) -> web.Response:
        return web.Response(body=static_file("cahelper.js"), content_type="application/javascript")

    async def _unit_login(self, request: web.Request) -> web.Response:
        return _html(pages.unit_login(request[SESSION].csrf, self.helper_url))

    async def _challenge(self, request: web.Request) -> web.Response:
        await self._require_csrf(request)
        return web.json_response({"nonce": self.state.new_nonce(request[SESSION].sid)})

    async def _token(self, request: web.Request) -> web.Response:
        await self._require_csrf(request)
        session: Session = request[SESSION]
        token = (await _json(request)).get("token")
        nonce = self.state.take_nonce(session.sid)
        if nonce is None:
            return web.json_response({"code": "NONCE_USED", "message": "登录已过期或重复提交，请重新登录"}, status=400)
        login = await self.verifier.verify_async(token, self.origin, nonce)
        session.login = login
        session.user = self.state.bound_user(login.fingerprint)
        return web.json_response({"next": "/dashboard" if session.user else "/bind"})

    async def _bind_form(self, request: web.Request) -> web.Response:
        session: Session = request[SESSION]
        if session.login is None:
            raise web.HTTPFound("/login/unit")
        if session.user:
            raise web.HTTPFound("/dashboard")
        return _html(pages.bind(session.csrf, session.login.unit, session.login.holder))

    async def _bind(self, request: web.Request) -> web.Response:
        await self._require_csrf(request)
        session: Session = request[SESSION]
        if session.login is None:
            raise web.HTTPFound("/login/unit")
        if session.user:
            raise web.HTTPFound("/dashboard")
        form = request[FORM]
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        if not self.state.bind(session.login.fingerprint, username, password):
            return _html(pages.bind(session.csrf, session.login.unit, session.login.holder, "用户名或密码错误"))
        session.user = username
        raise web.HTTPFound("/dashboard")

    async def _dashboard(self, request: web.Request) -> web.Response:
        session = self._user(request)
        return _html(pages.dashboard(session.csrf, session.login.unit, session.login.holder, session.user,
                                     session.uploads))

    async def _materials(self, request: web.Request) -> web.Response:
        session = self._user(request)
        return _html(pages.materials(session.csrf, self.helper_url))

    async def _roster(self, request: web.Request) -> web.Response:
        session = self._user(request)
        pdf = await asyncio.get_running_loop().run_in_executor(None, roster_pdf, session.login.unit,
                                                               session.login.unit_code)
        return web.Response(body=pdf, content_type="application/pdf")

    async def _upload(self, request: web.Request) -> web.Response:
        await self._require_csrf(request)
        session = self._user(request)
        body = await _json(request)
        try:
            data = base64.b64decode(str(body.get("pdf", "")), validate=True)
        except (binascii.Error, ValueError):
            return web.json_response({"code": "BAD_PDF", "message": "上传的文件不是PDF"}, status=400)
        check = await asyncio.get_running_loop().run_in_executor(None, self.check_upload, data, session.login.unit)
        upload = {"id": secrets.token_hex(8), "fileName": str(body.get("fileName", "材料.pdf"))[:120],
                  "signer": check.signer, "valid": check.valid, "detail": check.detail, "pdf": data}
        session.uploads.append(upload)
        return web.json_response({k: v for k, v in upload.items() if k != "pdf"},
                                 status=200 if check.valid else 400)

    async def _download(self, request: web.Request) -> web.Response:
        session = self._user(request)
        for upload in session.uploads:
            if upload["id"] == request.match_info["id"]:
                return web.Response(body=upload["pdf"], content_type="application/pdf", headers={
                    "Content-Disposition": f"attachment; filename*=UTF-8''{quote(upload['fileName'])}"})
        raise web.HTTPNotFound()

    async def _logout(self, request: web.Request) -> web.Response:
        await self._require_csrf(request)
        self.state.end(request[SESSION].sid)
        raise web.HTTPFound("/")

    def check_upload(self, data: bytes, unit: str) -> UploadCheck:
        """The last signature must be intact, valid, trusted, cover the whole file and be the unit's."""
        from asn1crypto import x509
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

        try:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            signatures = reader.embedded_signatures
        except Exception:  # noqa: BLE001 - any unreadable upload is refused the same way
            return UploadCheck(False, "", "文件无法读取")
        if not signatures:
            return UploadCheck(False, "", "文件没有电子签章")
        context = ValidationContext(trust_roots=[x509.Certificate.load(d) for d in self.trust_roots],
                                    other_certs=[x509.Certificate.load(d) for d in self.intermediates],
                                    allow_fetching=False, revocation_mode="soft-fail")
        status = validate_pdf_signature(signatures[-1], context)
        signer = status.signing_cert.subject.native.get("organization_name", "")
        whole = status.coverage.name == "ENTIRE_FILE"
        ok = status.intact and status.valid and status.trusted and whole and signer == unit
        detail = "签章完整、证书可信、覆盖全文" if ok else \
            f"完整:{status.intact} 有效:{status.valid} 可信:{status.trusted} 覆盖全文:{whole} 单位一致:{signer == unit}"
        return UploadCheck(ok, signer, detail)



def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", charset="utf-8")


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="bad JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="bad JSON")
    return body

