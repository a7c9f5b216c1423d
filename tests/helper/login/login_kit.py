"""Test kit for the local service: a scripted ConsentUI (the in-process test hook) and a raw HTTP client.

The scripted UI is injected into a LocalService built in the test's own process; the installed helper
has no such thing.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from helper.login.consent import DENIED, ConsentAnswer, ConsentRequest

ORIGIN = "https://portal.example"


DEMO_LABEL = "石家庄示例科技-U盾"  # the session's shared demo key (tests/conftest.py), whose PIN never changes


def _demo_certificate(request: ConsentRequest) -> str:
    """The demo key's first certificate: other tests leave keys with other PINs in the same session."""
    return next((c.id for c in request.certificates if c.token_label == DEMO_LABEL), request.certificates[0].id)


class ScriptedUI:
    """Answers consent requests from a script: ``pin`` for PIN dialogs, ``approve`` for origin approval.

    ``hold`` makes ``ask`` wait until ``release()`` or ``cancel()`` (a user who does not answer).
    """

    def __init__(self, pin: str = "123456", *, approve: bool = True, consent: bool = True,
                 choose: Callable[[ConsentRequest], str | None] | None = None) -> None:
        self.pin = pin
        self.approve = approve
        self.consent = consent
        self.choose = choose
        self.requests: list[ConsentRequest] = []
        self.cancels = 0
        self.hold = False
        self._release = threading.Event()
        self.waiting = threading.Event()

    def ask(self, request: ConsentRequest) -> ConsentAnswer:
        self.requests.append(request)
        if self.hold:
            self.waiting.set()
            self._release.wait(30)
            self._release.clear()
            if self.hold:
                return DENIED
        if request.kind == "approve_origin":
            return ConsentAnswer(self.approve)
        if not self.consent:
            return DENIED
        chosen = self.choose(request) if self.choose else (request.preselected or _demo_certificate(request))
        return ConsentAnswer(True, chosen, bytearray(self.pin.encode()))

    def release(self) -> None:
        self.hold = False
        self._release.set()

    def cancel(self, *, stopping: bool = False) -> None:
        self.cancels += 1
        self._release.set()

    def kinds(self) -> list[str]:
        return [r.kind for r in self.requests]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def code(self) -> str | None:
        try:
            data = self.json()
        except ValueError:
            return None
        return data.get("code") if isinstance(data, dict) else None


def call(port: int, method: str, path: str, body: Any = None, *, origin: str | None = ORIGIN,
         host: str | None = None, content_type: str | None = "application/json", raw: bytes | None = None,
         headers: dict[str, str] | None = None, timeout: float = 30) -> Reply:
    """One request with full control over Host, Origin and Content-Type."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
        if origin is not None:
            conn.putheader("Origin", origin)
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        if data or method == "POST":
            if content_type:
                conn.putheader("Content-Type", content_type)
            conn.putheader("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        conn.endheaders(data or None)
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def new_nonce() -> str:
    return base64.b64encode(os.urandom(32)).decode()
