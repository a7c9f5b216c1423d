"""The local service's HTTP plumbing: routes, the guard every request passes, bodies within limits, coded JSON
replies, and the watch over connections. Knows no feature: login, signing and renewal hand in their ``Route``s.

The guard (DESIGN.md §4), in this order, so a refusal costs nothing: Host must be 127.0.0.1:<port> or
localhost:<port> (DNS rebinding); the Origin must be on the exact allowlist (CORS headers only then; preflights
answered, with Private Network Access); a POST needs an Origin, then passes its route's ``admit`` check (busy,
rate limit, wrong-PIN pause, renewal origin) and must be application/json within the route's size limit and
the global budget of body bytes in flight — all before a byte of the body is read. The body then has to keep
arriving (``HttpLimits``). Failures are coded JSON ``{code, message, explanation, remedy}``, never a stack trace.

Connections (``ConnectionWatch``): one that has no request being handled is closed after ``idle_timeout``
(idle or trickling headers alike); at most ``max_connections`` are open (from the file-descriptor budget),
a new one beyond that replaces the longest-idle one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from helper import messages
from helper.messages import HelperError

log = logging.getLogger(__name__)

JSON_BODY = web.RequestKey("json", dict)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CORS_MAX_AGE = "600"
PARSE_OFF_LOOP = 256 * 1024  # larger bodies are decoded on a worker thread, not on the event loop
LONG_STRING = 1 << 20  # ... with string values longer than this left as the body's bytes (JsonBytes)
MAX_STRINGS_FOR_PIECES = 512  # quotes in a body beyond which it is parsed in one go

# Catalogue code -> HTTP status (everything else a user can cause: 400).
HTTP_STATUS = {
    "ORIGIN_MISSING": 403, "ORIGIN_NOT_ALLOWED": 403, "ORIGIN_NOT_APPROVED": 403, "HOST_NOT_ALLOWED": 403,
    "CONSENT_DENIED": 403, "NO_CONSENT_UI": 409, "KEY_BUSY": 409, "NOT_FOUND": 404, "METHOD_NOT_ALLOWED": 405,
    "CONSENT_TIMEOUT": 408, "REQUEST_TIMEOUT": 408, "BODY_TOO_LARGE": 413, "CONTENT_TYPE_INVALID": 415,
    "RATE_LIMITED": 429, "PIN_COOLDOWN": 429, "SERVICE_BUSY": 503, "CERT_NOT_FOUND": 404, "NO_SIGNING_CERT": 409,
    "TOKEN_ABSENT": 409, "TOKEN_REMOVED": 409, "TOKEN_AMBIGUOUS": 409, "TOKEN_BUSY": 409, "INTERNAL_ERROR": 500,
    "RENEWAL_ORIGIN_NOT_ALLOWED": 403, "RENEW_PENDING": 409,
}
PIN_CODES_STATUS = 403


@dataclass(frozen=True)
class Route:
    """One endpoint: ``admit(request)`` raises the refusals due before its body is read; ``body_limit`` bytes
    of JSON body for a POST."""

    method: str
    path: str
    handler: Handler
    body_limit: int = 0
    admit: Callable[[web.Request], None] | None = None


class RouteProvider(Protocol):
    """A feature's endpoints (login, signing, renewal), handed to the service by whoever starts it."""

    def routes(self) -> Iterable[Route]: ...


@dataclass(frozen=True)
class HttpLimits:
    """How long and how much the service waits for clients (None: derived, see ``max_connections_for``)."""

    idle_timeout: float = 10.0  # a connection with no request being handled (idle, trickling headers)
    body_idle: float = 10.0  # longest pause between two pieces of a body
    body_grace: float = 5.0  # after this many seconds a body must average ``body_min_rate``
    body_min_rate: int = 256 * 1024  # bytes/s; browsers on 127.0.0.1 send hundreds of MB/s
    max_connections: int | None = None
    bodies_in_flight: int | None = None  # default: the largest route limit plus 1 MiB


def max_connections_for(fd_limit: int | None = None) -> int:
    """Connections allowed at once: three quarters of what the file-descriptor limit leaves after 128 for
    the rest of the process (drivers, logs, threads); at least 16."""
    if fd_limit is None:
        if sys.platform.startswith("win"):
            return 512
        import resource

        fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if fd_limit == resource.RLIM_INFINITY:
            fd_limit = 65536
    return max(16, (min(fd_limit, 65536) - 128) * 3 // 4)


# --- replies ----------------------------------------------------------------------------------------
def status_for(code: str) -> int:
    if code in HTTP_STATUS:
        return HTTP_STATUS[code]
    if code.startswith(("PIN_", "SO_PIN_")):
        return PIN_CODES_STATUS
    return 400


def json_reply(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def error_response(exc: BaseException) -> web.Response:
    message = messages.describe(exc)
    return json_reply(message.as_json(), status_for(message.code))


def fields(body: dict[str, Any], types: dict[str, type], required: tuple[str, ...] = ()) -> dict[str, Any]:
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


# --- bodies -----------------------------------------------------------------------------------------
class BodyBudget:
    """Bytes of request bodies being read or held at once, across all requests (event-loop thread only)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0

    def take(self, size: int) -> None:
        if self.used + size > self.total:
            raise HelperError("SERVICE_BUSY")
        self.used += size

    def give_back(self, size: int) -> None:
        self.used -= size


async def read_body(request: web.Request, limit: int, limits: HttpLimits) -> bytearray:
    """The whole body, at most ``limit`` bytes, arriving without long pauses and fast enough on average.
    (Growing the buffer is cheap: large buffers are remapped, not copied; allocating it whole up front would
    zero hundreds of MB on the event loop.)"""
    body = bytearray()
    started = time.monotonic()
    while True:
        try:
            async with asyncio.timeout(limits.body_idle):
                chunk = await request.content.read(min(limit + 1 - len(body), 1 << 20))
        except TimeoutError:
            raise HelperError("REQUEST_TIMEOUT", seconds=round(limits.body_idle)) from None
        if not chunk:
            return body
        body += chunk
        if len(body) > limit:
            raise HelperError("BODY_TOO_LARGE", limit=limit)
        elapsed = time.monotonic() - started
        if elapsed > limits.body_grace and len(body) < limits.body_min_rate * elapsed:
            raise HelperError("REQUEST_TIMEOUT", seconds=round(elapsed))


async def parse_json(body: bytes | bytearray) -> dict[str, Any]:
    """A JSON object from ``body`` (large ones decoded off the event loop); REQUEST_INVALID otherwise."""
    try:
        if len(body) > PARSE_OFF_LOOP:
            data = await asyncio.get_running_loop().run_in_executor(None, loads_in_pieces, body)
        else:
            data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise HelperError("REQUEST_INVALID", detail="body is not valid JSON") from None
    if not isinstance(data, dict):
        raise HelperError("REQUEST_INVALID", detail="body must be a JSON object")
    return data


class JsonBytes:
    """A long JSON string value as the UTF-8 bytes it has in the body, without a copy (``view``)."""

    def __init__(self, buffer: bytes | bytearray, start: int, end: int) -> None:
        self.buffer, self.start, self.end = buffer, start, end

    @property
    def view(self) -> memoryview:
        return memoryview(self.buffer)[self.start:self.end]

    def __len__(self) -> int:
        return self.end - self.start

    def find(self, sub: bytes, start: int = 0, end: int | None = None) -> int:
        """bytes.find within the value; the index is relative to the value, -1 when absent."""
        stop = self.end if end is None else self.start + end
        found = self.buffer.find(sub, self.start + start, stop)
        return found - self.start if found >= 0 else -1


def loads_in_pieces(body: bytes | bytearray, long_string: int = LONG_STRING) -> Any:
    """``json.loads(body)``, except that in a body with few strings, string values longer than
    ``long_string`` bytes without escapes come back as JsonBytes (found by C-speed searches, not copied):
    parsing and decoding a 265 MB base64 PDF as one Python string holds the interpreter, and with it the
    event loop, for seconds. Consumers that want text take ``str`` only; JsonBytes reaches those that ask for it."""
    marker = secrets.token_hex(8)
    skeleton, long_values, pos, strings = bytearray(), {}, 0, 0
    while (start := body.find(b'"', pos)) >= 0:
        strings += 1
        if strings > MAX_STRINGS_FOR_PIECES:
            return json.loads(body)
        end = _string_end(body, start)
        if end - start > long_string and body.find(b"\\", start, end) < 0:
            key = f"{marker}-{len(long_values)}"
            long_values[key] = JsonBytes(body, start + 1, end)
            skeleton += body[pos:start] + b'"' + key.encode() + b'"'
        else:
            skeleton += body[pos:end + 1]
        pos = end + 1
    skeleton += body[pos:]
    return _put_back(json.loads(skeleton), long_values)


def _string_end(body: bytes | bytearray, start: int) -> int:
    """Index of the quote that closes the JSON string opened at ``start``."""
    end = start
    while True:
        end = body.find(b'"', end + 1)
        if end < 0:
            raise ValueError("unterminated string")
        backslashes = 0
        while body[end - 1 - backslashes] == 0x5C:
            backslashes += 1
        if backslashes % 2 == 0:
            return end


def _put_back(value: Any, long_values: dict[str, JsonBytes]) -> Any:
    if isinstance(value, str):
        return long_values.get(value, value)
    if isinstance(value, dict):
        return {k: _put_back(v, long_values) for k, v in value.items()}
    if isinstance(value, list):
        return [_put_back(v, long_values) for v in value]
    return value


# --- the guard --------------------------------------------------------------------------------------
class Guard:
    """The middleware every request passes (see the module text). ``allowed(origin)`` is the allowlist,
    ``port()`` the bound port."""

    def __init__(self, allowed: Callable[[str], bool], port: Callable[[], int], routes: Iterable[Route],
                 limits: HttpLimits, watch: ConnectionWatch) -> None:
        self._allowed = allowed
        self._port = port
        self._routes = {(r.method, r.path): r for r in routes}
        self._limits = limits
        self._watch = watch
        largest = max((r.body_limit for r in self._routes.values()), default=0)
        self.budget = BodyBudget(limits.bodies_in_flight or largest + (1 << 20))

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        with self._watch.busy(request):
            origin = request.headers.get("Origin")
            cors = origin if origin is not None and self._allowed(origin) else None
            taken = 0
            try:
                self._check_host(request)
                if request.method == "OPTIONS":
                    response = self._preflight(request, cors)
                else:
                    if origin is not None and cors is None:
                        raise HelperError("ORIGIN_NOT_ALLOWED", origin=origin[:200])
                    if request.method == "POST":
                        taken = await self._read_json(request, origin)
                    response = await handler(request)
            except web.HTTPException as exc:
                response = error_response(_http_error(exc, request))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the one place failures become coded JSON
                if messages.describe(exc).code == "INTERNAL_ERROR":
                    log.error("request %s %s failed", request.method, request.path, exc_info=exc)
                response = error_response(exc)
            finally:
                self.budget.give_back(taken)
                request.pop(JSON_BODY, None)
            if not request.content.at_eof():
                response.force_close()  # a body left unread is not waited for
            _common_headers(response, cors)
            return response

    def _check_host(self, request: web.Request) -> None:
        host = request.headers.get("Host", "")
        port = self._port()
        if host.lower() not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            raise HelperError("HOST_NOT_ALLOWED", host=host[:200], port=port)

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

    async def _read_json(self, request: web.Request, origin: str | None) -> int:
        """Admit, check and read the body into request[JSON_BODY]; returns the budget bytes taken."""
        if origin is None:
            raise HelperError("ORIGIN_MISSING")
        route = self._routes.get((request.method, request.path))
        if route is None:
            return 0  # the router answers 404/405
        if route.admit is not None:
            route.admit(request)
        content_type = request.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            raise HelperError("CONTENT_TYPE_INVALID", content_type=content_type[:100] or "-")
        limit = route.body_limit
        if request.content_length is not None and request.content_length > limit:
            raise HelperError("BODY_TOO_LARGE", limit=limit)
        taken = request.content_length if request.content_length is not None else limit
        self.budget.take(taken)
        try:
            body = await read_body(request, limit, self._limits)
            request[JSON_BODY] = await parse_json(body)
        except BaseException:
            self.budget.give_back(taken)
            raise
        return taken


def _http_error(exc: web.HTTPException, request: web.Request) -> HelperError:
    if exc.status == 405:
        return HelperError("METHOD_NOT_ALLOWED", path=request.path[:200], method=request.method[:20])
    if exc.status == 404:
        return HelperError("NOT_FOUND", path=request.path[:200])
    return HelperError("REQUEST_INVALID", detail=exc.reason)


def _common_headers(response: web.StreamResponse, cors: str | None) -> None:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Vary"] = "Origin"
    if cors is not None:
        response.headers["Access-Control-Allow-Origin"] = cors


# --- connections ------------------------------------------------------------------------------------
class _Watched(asyncio.Protocol):
    """aiohttp's protocol for one connection, seen by the watch: when it opened, whether a request is in hand."""

    def __init__(self, inner: asyncio.Protocol, watch: ConnectionWatch) -> None:
        self.inner = inner
        self.watch = watch
        self.transport: asyncio.Transport | None = None
        self.requests = 0
        self.idle_since = time.monotonic()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.watch.opened(self)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.watch.closed(self)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()


class ConnectionWatch:
    """Closes connections idle for ``idle_timeout`` and keeps at most ``max_connections`` open."""

    def __init__(self, limits: HttpLimits) -> None:
        self.limits = limits
        self.max_connections = limits.max_connections or max_connections_for()
        self._open: dict[asyncio.BaseTransport, _Watched] = {}
        self._sweeper: asyncio.Task | None = None

    def factory(self, inner: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        return lambda: _Watched(inner(), self)

    def opened(self, conn: _Watched) -> None:
        if len(self._open) >= self.max_connections:
            idle = [c for c in self._open.values() if c.requests == 0]
            if not idle:
                conn.close()
                return
            self._drop(min(idle, key=lambda c: c.idle_since))
        assert conn.transport is not None
        self._open[conn.transport] = conn

    def _drop(self, conn: _Watched) -> None:
        """Close ``conn`` and stop counting it now (its connection_lost comes a loop turn later)."""
        if conn.transport is not None:
            self._open.pop(conn.transport, None)
        conn.close()

    def closed(self, conn: _Watched) -> None:
        if conn.transport is not None:
            self._open.pop(conn.transport, None)

    def busy(self, request: web.Request) -> _Busy:
        return _Busy(self._open.get(request.transport) if request.transport is not None else None)

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            try:
                await self._sweeper
            except asyncio.CancelledError:
                pass
            self._sweeper = None

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(min(1.0, self.limits.idle_timeout / 4))
            deadline = time.monotonic() - self.limits.idle_timeout
            for conn in [c for c in self._open.values() if c.requests == 0 and c.idle_since < deadline]:
                self._drop(conn)


class _Busy:
    """While a request is handled its connection is not idle."""

    def __init__(self, conn: _Watched | None) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        if self.conn is not None:
            self.conn.requests += 1

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            self.conn.requests -= 1
            self.conn.idle_since = time.monotonic()
