"""The login endpoints: ``POST /v1/certificates`` (the page's certificate chooser) and ``POST /v1/auth`` (a
``web-eid:1.0`` token for the page's nonce). Key work is helper.login.keyops's, behind the user's consent."""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web

from helper.login.http import JSON_BODY, Route, fields, json_reply
from helper.login.keyops import KeyOperations

JSON_LIMIT = 16 * 1024


class LoginRoutes:
    """Route provider for the login endpoints, over ``ops``."""

    def __init__(self, ops: KeyOperations, body_limit: int = JSON_LIMIT) -> None:
        self.ops = ops
        self.body_limit = body_limit

    def routes(self) -> Iterable[Route]:
        return (Route("POST", "/v1/certificates", self.certificates, self.body_limit, self._admit_read),
                Route("POST", "/v1/auth", self.auth, self.body_limit, self._admit_key_use))

    def _admit_read(self, request: web.Request) -> None:
        self.ops.admit(request.headers["Origin"], key_use=False)

    def _admit_key_use(self, request: web.Request) -> None:
        self.ops.admit(request.headers["Origin"])

    async def certificates(self, request: web.Request) -> web.Response:
        fields(request[JSON_BODY], {})
        return json_reply({"certificates": await self.ops.certificates(request.headers["Origin"])})

    async def auth(self, request: web.Request) -> web.Response:
        body = fields(request[JSON_BODY], {"nonce": str, "certificateId": str}, required=("nonce",))
        token = await self.ops.authenticate(request.headers["Origin"], body["nonce"], body.get("certificateId"))
        return json_reply(token.as_json())
