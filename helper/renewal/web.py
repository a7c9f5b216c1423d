"""Web-driven renewal: the CA's renewal site asks the helper for a certificate request and hands back the
issued certificate (POST /v1/renewal/csr, POST /v1/renewal/install on the local service).

Both go through the local service's guard (Host, Origin allowlist, JSON bodies, limits) and its key
operations (one at a time, consent dialog with the PIN, wrong-PIN cooldown). On top of that only origins of
portal entries marked ``renewal = true`` (or named by the caller, e.g. the demo CA site) may call them:
checked, with the key operations' busy and rate rules, before the body is read.
The install names the certificate it renews (``certificateId``, required): the issued certificate must
validate to a trusted CA under RFC 5280 and be the renewal of exactly that certificate (same unit, holder,
purpose, and its key or the key pair generated for it by ``/v1/renewal/csr``). Both are checked before the
dialog opens and again in the session (helper.renewal.service), else the key stays unchanged.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from helper import certs, messages
from helper.login import origins as origins_mod
from helper.login.http import JSON_BODY, Route, json_reply
from helper.messages import HelperError
from helper.renewal import install as inst
from helper.renewal.service import CertRequest, RenewalService
from tokenio.worker import SessionHandle

if TYPE_CHECKING:
    from helper.keys import CertEntry
    from helper.login.consent import CertChoice, ConsentRequest
    from helper.login.keyops import KeyOperations

log = logging.getLogger(__name__)

CSR_PATH = "/v1/renewal/csr"
INSTALL_PATH = "/v1/renewal/install"
CSR_LIMIT = 4 * 1024
INSTALL_LIMIT = 160 * 1024
MAX_CHAIN = 8
KEY_TYPES = ("rsa", "ec")


@dataclass(frozen=True)
class CsrRequest:
    """What the page asks for: a request for ``certificate_id`` (or the only one), same or new key pair."""

    certificate_id: str | None
    new_key: bool
    key_type: str | None  # new key pair: "rsa" / "ec"; None keeps the current key's kind


@dataclass(frozen=True)
class InstallRequest:
    """The issued certificate (DER), its chain, and the id of the certificate it renews."""

    certificate: bytes
    chain: tuple[bytes, ...]
    certificate_id: str


def default_renewal_origins() -> frozenset[str]:
    from helper import portals

    try:
        return portals.renewal_origins(portals.load())
    except HelperError:
        return frozenset()


class RenewalRoutes:
    """Route provider for the two endpoints; key work runs in ``ops`` (lock, consent, PIN, cooldown)."""

    def __init__(self, ops: KeyOperations, extra_origins: Iterable[str] = (),
                 listed: Callable[[], frozenset[str]] = default_renewal_origins,
                 renewals: RenewalService | None = None) -> None:
        self.ops = ops
        self.renewals = renewals or RenewalService(ops.keys)
        self.extra = frozenset(o for o in (origins_mod.normalize(e) for e in extra_origins) if o)
        self.listed = listed

    def routes(self) -> Iterable[Route]:
        return (Route("POST", CSR_PATH, self.csr, CSR_LIMIT, self._admit),
                Route("POST", INSTALL_PATH, self.install, INSTALL_LIMIT, self._admit))

    def _admit(self, request: web.Request) -> None:
        origin = request.headers["Origin"]
        if origin not in self.extra and origin not in self.listed():
            raise HelperError("RENEWAL_ORIGIN_NOT_ALLOWED", origin=origin[:200])
        self.ops.admit(origin)

    async def csr(self, request: web.Request) -> web.Response:
        origin = request.headers["Origin"]
        wanted = parse_csr_request(request[JSON_BODY])
        site = _site_name(origin)

        def dialog(choices: tuple[CertChoice, ...]) -> ConsentRequest:
            chosen = _offered(choices, wanted.certificate_id)
            return _consent("renewal_csr", origin, site, chosen, "RENEWAL_CONSENT_CSR", key=_key_text(wanted))

        result = await self.ops.with_signing_consent(origin, dialog, self._request, wanted, rw=wanted.new_key)
        return json_reply(request_json(result))

    async def install(self, request: web.Request) -> web.Response:
        origin = request.headers["Origin"]
        wanted = parse_install_request(request[JSON_BODY])
        info = certs.parse(wanted.certificate)
        entry = await _run(self._entry, wanted.certificate_id)
        # a certificate that does not validate, or is not the renewal of that one, never reaches a dialog
        await _run(self.renewals.precheck, entry, wanted.certificate, wanted.chain)
        site = _site_name(origin)

        def dialog(choices: tuple[CertChoice, ...]) -> ConsentRequest:
            chosen = _offered(choices, wanted.certificate_id)
            return _consent("renewal_install", origin, site, chosen, "RENEWAL_CONSENT_INSTALL",
                            not_after=info.not_after.date().isoformat(), new_unit=info.unit, new_holder=info.subject_cn)

        result = await self.ops.with_signing_consent(origin, dialog, self._install, wanted, rw=True)
        return json_reply(installed_json(result))

    def _entry(self, certificate_id: str) -> CertEntry:
        return self.renewals.keys.find_certificate(certificate_id)

    def _request(self, handle: SessionHandle, entry: CertEntry, wanted: CsrRequest) -> CertRequest:
        return self.renewals.request_in_session(handle, entry, wanted.new_key, wanted.key_type)  # type: ignore[arg-type]

    def _install(self, handle: SessionHandle, entry: CertEntry, wanted: InstallRequest) -> inst.InstallResult:
        return self.renewals.install_in_session(handle, entry, wanted.certificate, wanted.chain)


# --- request bodies -------------------------------------------------------------------------------
def _check_fields(body: dict[str, Any], types: dict[str, type | tuple[type, ...]]) -> None:
    unknown = set(body) - set(types)
    if unknown:
        raise HelperError("RENEW_REQUEST_INVALID", detail=f"unknown field {sorted(unknown)[0][:50]!r}")
    for name, value in body.items():
        if not isinstance(value, types[name]):
            raise HelperError("RENEW_REQUEST_INVALID", detail=f"field {name!r} has the wrong type")


def parse_csr_request(body: dict[str, Any]) -> CsrRequest:
    """``{certificateId?, newKey?, keyType?}``; RENEW_REQUEST_INVALID otherwise."""
    _check_fields(body, {"certificateId": str, "newKey": bool, "keyType": str})
    key_type = body.get("keyType")
    if key_type is not None and (key_type not in KEY_TYPES or not body.get("newKey")):
        raise HelperError("RENEW_REQUEST_INVALID", detail="keyType must be rsa or ec, and only with newKey")
    return CsrRequest(body.get("certificateId"), bool(body.get("newKey", False)), key_type)


def parse_install_request(body: dict[str, Any]) -> InstallRequest:
    """``{certificate, chain?, certificateId}`` with base64 DER certificates; RENEW_REQUEST_INVALID otherwise."""
    _check_fields(body, {"certificate": str, "chain": list, "certificateId": str})
    for name in ("certificate", "certificateId"):
        if name not in body:
            raise HelperError("RENEW_REQUEST_INVALID", detail=f"missing field {name!r}")
    chain = body.get("chain", [])
    if len(chain) > MAX_CHAIN or not all(isinstance(c, str) for c in chain):
        raise HelperError("RENEW_REQUEST_INVALID", detail=f"chain must be at most {MAX_CHAIN} base64 strings")
    leaf = _certificate(body["certificate"])
    return InstallRequest(leaf, tuple(_certificate(c) for c in chain), body["certificateId"])


def _certificate(text: str) -> bytes:
    try:
        der = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise HelperError("RENEW_REQUEST_INVALID", detail="a certificate is not base64") from None
    certs.parse(der)  # CERT_UNREADABLE for anything that is not one DER certificate
    return der


# --- consent --------------------------------------------------------------------------------------
def _offered(choices: tuple[CertChoice, ...], wanted: str | None) -> tuple[CertChoice, ...]:
    if wanted is None:
        return choices
    chosen = tuple(c for c in choices if c.id == wanted)
    if not chosen:
        raise HelperError("CERT_NOT_FOUND", id=wanted[:64])
    return chosen


def _consent(kind: str, origin: str, site: str, choices: tuple[CertChoice, ...], code: str,
             **params: str) -> ConsentRequest:
    from helper.login.consent import ConsentRequest

    first = choices[0]
    text = messages.get(code, unit=first.unit, holder=first.holder, site=site or origin, **params)
    summary = "\n".join([text.title, text.explanation, *text.remedy])
    return ConsentRequest(kind, origin, site, choices, first.id if len(choices) == 1 else None,  # type: ignore[arg-type]
                          summary=summary)


def _key_text(wanted: CsrRequest) -> str:
    zh = messages.language() == "zh"
    if not wanted.new_key:
        return "沿用U盾中现有的密钥" if zh else "the key pair already on the USB key"
    kind = {"rsa": "RSA 2048", "ec": "EC P-256"}.get(wanted.key_type or "", "")
    if zh:
        return f"在U盾中新生成密钥对{f'（{kind}）' if kind else '（与现有密钥同类）'}"
    return f"a new key pair generated on the USB key ({kind or 'same kind as the current one'})"


def _site_name(origin: str) -> str:
    from helper import portals

    try:
        return next((p.name for p in portals.load() if p.origin == origin), "")
    except HelperError:
        return ""


# --- answers ---------------------------------------------------------------------------------------
async def _run(fn: Callable[..., Any], *args: Any) -> Any:
    import asyncio

    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


def request_json(result: CertRequest) -> dict[str, Any]:
    return {"csr": base64.b64encode(result.csr).decode("ascii"), "certificateId": result.certificate_id,
            "newKey": result.new_key, "keyType": result.key.key_type, "keyId": result.key.cka_id.hex()}


def installed_json(result: inst.InstallResult) -> dict[str, Any]:
    info = result.certificate
    text = messages.get("RENEW_INSTALLED", unit=info.unit, not_after=info.not_after.date().isoformat())
    return {**text.as_json(), "ok": True, "certificateId": info.id, "notAfter": info.not_after.isoformat(),
            "replaced": list(result.replaced), "keyId": result.cka_id.hex()}

