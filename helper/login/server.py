"""The local web service on 127.0.0.1: a small versioned JSON API for web pages (see static/openapi.json).

Every request passes one guard (DESIGN.md §4): Host must be 127.0.0.1:<port> or localhost:<port> (DNS
rebinding); the Origin must be on the exact allowlist (CORS headers only then; preflights answered, with
Private Network Access); POST bodies must be application/json within a size limit. Failures are coded
JSON ``{code, message, explanation, remedy}`` with a 4xx status, never a stack trace. Key use happens in
helper.login.keyops, always behind the user's consent.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from helper import __version__, messages
from helper.keys import KeyService
from helper.login import origins as origins_mod
from helper.login import pdfsign
from helper.login.consent import ConsentUI
from helper.login.keyops import KeyOperations, Limits
from helper.login.threaded import LoopThread
from helper.messages import HelperError

log = logging.getLogger(__name__)

API = "/v1"
JSON_LIMIT = 16 * 1024
CORS_MAX_AGE = "600"
STATUS_CACHE_SECONDS = 0.5
_STATIC = Path(__file__).resolve().parent / "static"

# Catalogue code -> HTTP status (everything else a user can cause: 400).
HTTP_STATUS = {
    "ORIGIN_MISSING": 403, "ORIGIN_NOT_ALLOWED": 403, "ORIGIN_NOT_APPROVED": 403, "HOST_NOT_ALLOWED": 403,
    "CONSENT_DENIED": 403, "NO_CONSENT_UI": 409, "KEY_BUSY": 409, "NOT_FOUND": 404, "METHOD_NOT_ALLOWED": 405,
    "CONSENT_TIMEOUT": 408, "BODY_TOO_LARGE": 413, "CONTENT_TYPE_INVALID": 415, "RATE_LIMITED": 429,
    "PIN_COOLDOWN": 429, "CERT_NOT_FOUND": 404, "NO_SIGNING_CERT": 409, "TOKEN_ABSENT": 409,
    "TOKEN_REMOVED": 409, "TOKEN_AMBIGUOUS": 409, "TOKEN_BUSY": 409, "INTERNAL_ERROR": 500,
    "RENEWAL_ORIGIN_NOT_ALLOWED": 403, "RENEW_PENDING": 409,
}
PIN_CODES_STATUS = 403

JSON_BODY = web.RequestKey("json", dict)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ServiceConfig:
    port: int = 28960
    host: str = "127.0.0.1"
    json_limit: int = JSON_LIMIT
    pdf_limit_mb: int = 200
    limits: Limits = field(default_factory=Limits)


def status_for(code: str) -> int:
    if code in HTTP_STATUS:
        return HTTP_STATUS[code]
    if code.startswith(("PIN_", "SO_PIN_")):
        return PIN_CODES_STATUS
    return 400


def error_response(exc: BaseException) -> web.Response:
    message = messages.describe(exc)
    return web.json_response(message.as_json(), status=status_for(message.code),
                             dumps=lambda d: json.dumps(d, ensure_ascii=False))


class LocalService:
    """The service: build with the key service and the face's ConsentUI, then ``start()`` (own thread)
    or ``await start_async()`` (caller's loop)."""

    def __init__(self, keys: KeyService, ui: ConsentUI | None, config: ServiceConfig = ServiceConfig(), *,
                 extra_origins: Iterable[str] = (), seal: pdfsign.SealProvider = pdfsign.seal_from_key,
                 registry: origins_mod.OriginRegistry | None = None, renewal_origins: Iterable[str] = ()) -> None:
        self.keys = keys
        self.config = config
        self.registry = registry or origins_mod.OriginRegistry(origins_mod.default_source, extra_origins)
        self.ui = ui
        self.seal = seal
        self.ops: KeyOperations | None = None
        self.port = config.port
        self._runner: web.AppRunner | None = None
        self._thread: LoopThread | None = None
        self._status_cache: tuple[float, bool] = (-1e9, False)
        self._extra_routes: list[tuple[str, str, Handler, int]] = []
        from helper.renewal.web import add_renewal_routes

        add_renewal_routes(self, renewal_origins)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_route(self, method: str, path: str, handler: Handler, body_limit: int) -> None:
        """Another endpoint behind the same guard (``body_limit`` bytes for its JSON body)."""
        self._extra_routes.append((method, path, handler, body_limit))

    # --- application ----------------------------------------------------------------------------
    def make_app(self) -> web.Application:
        self.ops = KeyOperations(self.keys, self.ui, self.registry, self.config.limits,
                                 portal_names=_portal_name)
        app = web.Application(middlewares=[self._guard], client_max_size=self._largest_limit())
        app.router.add_get(f"{API}/status", self._status)
        app.router.add_get(f"{API}/openapi.json", self._openapi)
        app.router.add_post(f"{API}/certificates", self._certificates)
        app.router.add_post(f"{API}/auth", self._auth)
        app.router.add_post(f"{API}/sign-pdf", self._sign_pdf)
        self._limits = {f"{API}/certificates": self.config.json_limit, f"{API}/auth": self.config.json_limit,
                        f"{API}/sign-pdf": pdfsign.body_limit(self.config.pdf_limit_mb)}
        for method, path, handler, limit in self._extra_routes:
            app.router.add_route(method, path, handler)
            self._limits[path] = limit
        return app

    def _largest_limit(self) -> int:
        return max([self.config.json_limit, pdfsign.body_limit(self.config.pdf_limit_mb)]
                   + [r[3] for r in self._extra_routes]) + 1024

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        cors = origin if origin is not None and self.registry.allowed(origin) else None
        try:
            self._check_host(request)
            if request.method == "OPTIONS":
                response = self._preflight(request, cors)
            else:
                if origin is not None and cors is None:
                    raise HelperError("ORIGIN_NOT_ALLOWED", origin=origin[:200])
                if request.method == "POST":
                    if origin is None:
                        raise HelperError("ORIGIN_MISSING")
                    request[JSON_BODY] = await self._read_json(request)
                response = await handler(request)
        except web.HTTPException as exc:
            response = error_response(_http_error(exc, request))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the one place failures become coded JSON
            if messages.describe(exc).code == "INTERNAL_ERROR":
                log.error("request %s %s failed", request.method, request.path, exc_info=exc)
            response = error_response(exc)
        _common_headers(response, cors)
        return response

    def _check_host(self, request: web.Request) -> None:
        host = request.headers.get("Host", "")
        if host.lower() not in (f"127.0.0.1:{self.port}", f"localhost:{self.port}"):
            raise HelperError("HOST_NOT_ALLOWED", host=host[:200], port=self.port)

    def _preflight(self, request: web.Request, cors: str | None) -> web.Response:
        if cors is None:
            origin = request.headers.get("Origin")
            raise HelperError("ORIGIN_NOT_ALLOWED", origin=origin[:200]) if origin else HelperError("ORIGIN_MISSING")
        response = web.Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
        if request.headers.get("Access-Control-Request-Private-Network", "").lower() == "true":
            response.headers["Access-Control-Allow-Private-Network"] = "true"
        return response

    async def _read_json(self, request: web.Request) -> dict[str, Any]:
        content_type = request.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            raise HelperError("CONTENT_TYPE_INVALID", content_type=content_type[:100] or "-")
        limit = self._limits.get(request.path, self.config.json_limit)
        if request.content_length is not None and request.content_length > limit:
            raise HelperError("BODY_TOO_LARGE", limit=limit)
        body = bytearray()
        while chunk := await request.content.read(limit + 1 - len(body)):  # a read returns what has arrived
            body += chunk
            if len(body) > limit:
                raise HelperError("BODY_TOO_LARGE", limit=limit)
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise HelperError("REQUEST_INVALID", detail="body is not valid JSON") from None
        if not isinstance(data, dict):
            raise HelperError("REQUEST_INVALID", detail="body must be a JSON object")
        return data

    # --- endpoints ------------------------------------------------------------------------------
    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response({"version": __version__, "api": 1, "keyPresent": await self._key_present()})

    async def _key_present(self) -> bool:
        stamp, present = self._status_cache
        if time.monotonic() - stamp < STATUS_CACHE_SECONDS:
            return present
        try:
            present = bool(await asyncio.get_running_loop().run_in_executor(None, self.keys.tokens))
        except Exception:  # noqa: BLE001 - a failing driver means "no usable key" here
            present = False
        self._status_cache = (time.monotonic(), present)
        return present

    async def _openapi(self, request: web.Request) -> web.Response:
        return web.Response(body=openapi_document(), content_type="application/json")

    async def _certificates(self, request: web.Request) -> web.Response:
        _fields(request[JSON_BODY], {})
        return web.json_response({"certificates": await self.ops.certificates(request.headers["Origin"])},
                                 dumps=lambda d: json.dumps(d, ensure_ascii=False))

    async def _auth(self, request: web.Request) -> web.Response:
        body = _fields(request[JSON_BODY], {"nonce": str, "certificateId": str}, required=("nonce",))
        token = await self.ops.authenticate(request.headers["Origin"], body["nonce"], body.get("certificateId"))
        return web.json_response(token.as_json())

    async def _sign_pdf(self, request: web.Request) -> web.Response:
        origin = request.headers["Origin"]
        data, name, options = pdfsign.parse_request(request[JSON_BODY])
        pages, png = await asyncio.get_running_loop().run_in_executor(None, pdfsign.preview, data)
        dialog = pdfsign.consent_request(origin, _portal_name(origin), name, pages, png)
        result = await self.ops.with_signing_consent(origin, dialog, pdfsign.sign_in_session, data, name, options,
                                                     origin, self.seal)
        return web.json_response(result, dumps=lambda d: json.dumps(d, ensure_ascii=False))

    # --- running --------------------------------------------------------------------------------
    async def start_async(self) -> None:
        """Bind and serve on the running loop; HelperError SERVICE_PORT_BUSY when the port is taken."""
        self._runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port, reuse_address=False)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            if exc.errno in (errno.EADDRINUSE, errno.EACCES, 10048, 10013):
                from helper.login.portcheck import holder

                raise HelperError("SERVICE_PORT_BUSY", port=self.config.port,
                                  holder=holder(self.config.port) or _unknown_holder()) from exc
            raise
        self.port = self._runner.addresses[0][1]
        log.info("local service listening on %s", self.url)

    async def stop_async(self) -> None:
        if self.ops is not None:
            self.ops.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start(self) -> None:
        """Serve on a thread of its own; returns once bound (or raises SERVICE_PORT_BUSY)."""
        self._thread = LoopThread("LocalService")
        self._thread.start(self.start_async, self.stop_async)

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None


def _unknown_holder() -> str:
    return "另一个程序" if messages.language() == "zh" else "another program"


def _portal_name(origin: str) -> str:
    from helper import portals

    try:
        return next((p.name for p in portals.load() if p.origin == origin), "")
    except HelperError:
        return ""


def _fields(body: dict[str, Any], types: dict[str, type], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """Check a JSON body has only known fields of the right types."""
    unknown = set(body) - set(types)
    if unknown:
        raise HelperError("REQUEST_INVALID", detail=f"unknown field {sorted(unknown)[0][:50]!r}")
    for name in required:
        if name not in body:
            raise HelperError("REQUEST_INVALID", detail=f"missing field {name!r}")
    for name, value in body.items():
        expected = types[name]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise HelperError("REQUEST_INVALID", detail=f"field {name!r} must be {expected.__name__}")
    return body


def _http_error(exc: web.HTTPException, request: web.Request) -> HelperError:
    if exc.status == 405:
        return HelperError("METHOD_NOT_ALLOWED", path=request.path[:200], method=request.method[:20])
    if exc.status == 413:
        return HelperError("BODY_TOO_LARGE", limit=request.app._client_max_size)
    if exc.status == 404:
        return HelperError("NOT_FOUND", path=request.path[:200])
    return HelperError("REQUEST_INVALID", detail=exc.reason)


def _common_headers(response: web.StreamResponse, cors: str | None) -> None:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Vary"] = "Origin"
    if cors is not None:
        response.headers["Access-Control-Allow-Origin"] = cors


def openapi_document() -> bytes:
    return (_STATIC / "openapi.json").read_bytes()


def static_file(name: str) -> bytes:
    return (_STATIC / name).read_bytes()
