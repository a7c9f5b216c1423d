"""Web-driven renewal: the CA's renewal site asks the helper for a certificate request and hands back the
issued certificate (POST /v1/renewal/csr, POST /v1/renewal/install on the local service).

Both go through the local service's guard (Host, Origin allowlist, JSON bodies, limits) and its key
operations (one at a time, consent dialog with the PIN, wrong-PIN cooldown). On top of that only origins of
portal entries marked ``renewal = true`` (or named by the caller, e.g. the demo CA site) may call them:
checked, with the key operations' busy and rate rules, before the body is read.
The helper never installs what it cannot validate: the certificate must chain to a trusted CA, be valid,
allow signing and belong to a key pair on the key (helper.renewal.install), else the key stays unchanged.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web
from asn1crypto import x509 as ax509

from helper import certs, messages
from helper.login import origins as origins_mod
from helper.login.http import JSON_BODY, Route, json_reply
from helper.messages import HelperError
from helper.renewal import install as inst
from helper.renewal.service import _KEY_SPEC, find_certificate
from helper.renewal.validate import check_chain
from tokenio.session import TokenSession
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
    """The issued certificate (DER), its chain, and optionally the certificate it renews."""

    certificate: bytes
    chain: tuple[bytes, ...]
    certificate_id: str | None


def default_renewal_origins() -> frozenset[str]:
    from helper import portals

    try:
        return portals.renewal_origins(portals.load())
    except HelperError:
        return frozenset()


class RenewalRoutes:
    """Route provider for the two endpoints; key work runs in ``ops`` (lock, consent, PIN, cooldown)."""

    def __init__(self, ops: KeyOperations, extra_origins: Iterable[str] = (),
                 listed: Callable[[], frozenset[str]] = default_renewal_origins) -> None:
        self.ops = ops
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

        result = await self.ops.with_signing_consent(origin, dialog, make_request, wanted, rw=wanted.new_key)
        return json_reply(result)

    async def install(self, request: web.Request) -> web.Response:
        origin = request.headers["Origin"]
        wanted = parse_install_request(request[JSON_BODY])
        info = certs.parse(wanted.certificate)
        check_chain(wanted.certificate, wanted.chain)  # untrusted certificates never reach a dialog
        site = _site_name(origin)

        def dialog(choices: tuple[CertChoice, ...]) -> ConsentRequest:
            chosen = _offered(choices, wanted.certificate_id)
            return _consent("renewal_install", origin, site, chosen, "RENEWAL_CONSENT_INSTALL",
                            not_after=info.not_after.date().isoformat(), new_unit=info.unit, new_holder=info.subject_cn)

        result = await self.ops.with_signing_consent(origin, dialog, install_in_session, wanted, rw=True)
        return json_reply(installed_json(result))


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
    """``{certificate, chain?, certificateId?}`` with base64 DER certificates; RENEW_REQUEST_INVALID otherwise."""
    _check_fields(body, {"certificate": str, "chain": list, "certificateId": str})
    if "certificate" not in body:
        raise HelperError("RENEW_REQUEST_INVALID", detail="missing field 'certificate'")
    chain = body.get("chain", [])
    if len(chain) > MAX_CHAIN or not all(isinstance(c, str) for c in chain):
        raise HelperError("RENEW_REQUEST_INVALID", detail=f"chain must be at most {MAX_CHAIN} base64 strings")
    leaf = _certificate(body["certificate"])
    return InstallRequest(leaf, tuple(_certificate(c) for c in chain), body.get("certificateId"))


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


# --- on the key (token thread, logged-in session) --------------------------------------------------
def make_request(handle: SessionHandle, entry: CertEntry, wanted: CsrRequest) -> dict[str, Any]:
    """A PKCS#10 request with the certificate's subject, for its key pair or for a new one made here."""
    inst.ensure_no_pending(handle.info.serial, handle.info.label)
    _obj, key = find_certificate(handle, entry.info.der)
    subject = ax509.Certificate.load(entry.info.der).subject
    if wanted.new_key:
        cka_id = inst.new_cka_id(handle)
        key = handle.run(TokenSession.generate_keypair, _KEY_SPEC[wanted.key_type or key.key_type], cka_id,
                         key.label or "签名密钥")
        try:
            csr = handle.run(TokenSession.make_csr, key, subject)
        except BaseException:
            handle.run(TokenSession.delete_keypair, cka_id)
            raise
        log.info("generated key pair %s for a web renewal on %s", cka_id.hex(), handle.info.serial)
    else:
        csr = handle.run(TokenSession.make_csr, key, subject)
    return {"csr": base64.b64encode(csr).decode("ascii"), "certificateId": entry.id, "newKey": wanted.new_key,
            "keyType": key.key_type, "keyId": key.cka_id.hex()}


def install_in_session(handle: SessionHandle, entry: CertEntry, wanted: InstallRequest) -> inst.InstallResult:
    """The journalled install (checks first; the key is unchanged when any check fails)."""
    inst.ensure_no_pending(handle.info.serial, handle.info.label)
    return inst.install(handle, wanted.certificate, wanted.chain, kind="web")


def installed_json(result: inst.InstallResult) -> dict[str, Any]:
    info = result.certificate
    text = messages.get("RENEW_INSTALLED", unit=info.unit, not_after=info.not_after.date().isoformat())
    return {**text.as_json(), "ok": True, "certificateId": info.id, "notAfter": info.not_after.isoformat(),
            "replaced": list(result.replaced), "keyId": result.cka_id.hex()}

