"""The portal registry (resources/portals.toml + the user's own file), readiness checks and one-click launch.

The bundled list is read-only; the user's ``<config dir>/portals.toml`` holds entries the user added,
edited (same id) or hid (``hidden = true``), so an update of the bundled list never erases them.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import resources
from helper import certs, messages, settings
from helper.login import origins
from helper.messages import HelperError, Message

LoginKind = Literal["ca_key", "qr_code", "password"]
LOGIN_KINDS = ("ca_key", "qr_code", "password")
# What answers the site's login: this helper's local service, the CA's own login control (a program of the
# CA's that the helper neither provides nor can check), or nothing on this computer (QR code, password).
CLIENT_KINDS = ("helper", "ca_control", "none")
USER_FILE = "portals.toml"


@dataclass(frozen=True)
class Portal:
    """One website the 社保网报 page offers."""

    id: str
    name: str
    region: str
    url: str
    login: LoginKind = "ca_key"
    browser: str = "default"
    needs_service: bool = False
    needs_root_ca: bool = False
    allow_http: bool = False
    renewal: bool = False  # a CA renewal site: may also use /v1/renewal/* (needs needs_service)
    client: str = ""  # helper | ca_control | none; empty: from login and needs_service (see login_client)
    client_name: str = ""  # ca_control: the CA's program the login needs (what the clerk installs)
    help: str = ""
    hidden: bool = False
    source: str = "bundled"  # bundled | user

    @property
    def origin(self) -> str | None:
        return origins.normalize(self.url)

    @property
    def login_client(self) -> str:
        """Who answers the login: "helper", "ca_control" or "none" (the entry's ``client``, else implied)."""
        if self.client:
            return self.client
        if self.login != "ca_key":
            return "none"
        return "helper" if self.needs_service else "ca_control"

    @classmethod
    def from_config(cls, raw: dict[str, Any], source: str) -> Portal:
        """Build from a TOML table; unknown keys, bad URLs and bad login kinds are rejected."""
        known = {f.name for f in dataclasses.fields(cls)} - {"source"}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown keys {', '.join(sorted(unknown))}")
        missing = {"id", "name", "region", "url"} - set(raw)
        if missing:
            raise ValueError(f"missing {', '.join(sorted(missing))}")
        portal = cls(**raw, source=source)
        if portal.login not in LOGIN_KINDS:
            raise ValueError(f"login must be one of {', '.join(LOGIN_KINDS)}")
        if portal.client and portal.client not in CLIENT_KINDS:
            raise ValueError(f"client must be one of {', '.join(CLIENT_KINDS)}")
        if portal.client == "helper" and not portal.needs_service:
            raise ValueError("client = \"helper\" needs needs_service = true")
        parts = urlsplit(portal.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url {portal.url!r} is not an http(s) address")
        return portal

    def as_config(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "source"}


def user_path() -> Path:
    return settings.config_dir() / USER_FILE


def _read(text: str, path: str, source: str) -> list[Portal]:
    try:
        tables = tomllib.loads(text).get("portal", [])
        return [Portal.from_config(t, source) for t in tables]
    except (tomllib.TOMLDecodeError, ValueError, TypeError) as exc:
        raise HelperError("PORTALS_INVALID", path=path, detail=str(exc)) from exc


def bundled() -> list[Portal]:
    item = resources.path("portals.toml")
    return _read(item.read_text("utf-8"), "resources/portals.toml", "bundled")


def user_entries() -> list[Portal]:
    path = user_path()
    if not path.exists():
        return []
    return _read(path.read_text("utf-8"), str(path), "user")


def load(*, include_hidden: bool = False) -> list[Portal]:
    """Bundled entries overlaid by the user's (same id replaces), in bundled order then the user's new ones."""
    merged: dict[str, Portal] = {p.id: p for p in bundled()}
    for entry in user_entries():
        merged[entry.id] = entry
    return [p for p in merged.values() if include_hidden or not p.hidden]


def find(portal_id: str) -> Portal:
    for portal in load(include_hidden=True):
        if portal.id == portal_id:
            return portal
    raise HelperError("PORTAL_NOT_FOUND", id=portal_id)


def save_user_entry(portal: Portal) -> None:
    """Add or replace the user's entry with this id (also how bundled entries are edited or hidden)."""
    entries = {p.id: p for p in user_entries()}
    entries[portal.id] = dataclasses.replace(portal, source="user")
    _write_user(entries.values())


def set_hidden(portal_id: str, hidden: bool) -> Portal:
    portal = dataclasses.replace(find(portal_id), hidden=hidden)
    save_user_entry(portal)
    return portal


def _write_user(entries: Iterable[Portal]) -> None:
    from helper.fileio import atomic_write_bytes

    lines = ["# Your own portal entries (added, edited or hidden in 数字证书助手)."]
    for portal in entries:
        lines.append("\n[[portal]]")
        for key, value in portal.as_config().items():
            lines.append(f"{key} = {settings._toml_value(value)}")
    atomic_write_bytes(user_path(), ("\n".join(lines) + "\n").encode("utf-8"), overwrite=True, parents=True)


def service_origins(portals: Iterable[Portal]) -> frozenset[str]:
    """Origins the local service serves without further listing: visible entries that use it."""
    out = set()
    for portal in portals:
        origin = portal.origin
        if portal.needs_service and not portal.hidden and origin and origins.eligible(origin, portal.allow_http):
            out.add(origin)
    return frozenset(out)


def renewal_origins(portals: Iterable[Portal]) -> frozenset[str]:
    """Origins allowed to use the renewal endpoints: service origins of entries marked ``renewal``."""
    return service_origins(p for p in portals if p.renewal)


# --- readiness ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Readiness:
    """What stands between the clerk and a working login on ``portal``: ``problems`` this helper checks
    (key, certificate, service, root CA) and ``external``, the CA's own login client it cannot check."""

    portal: Portal
    problems: tuple[Message, ...]

    @property
    def external(self) -> Message | None:
        """PORTAL_NEEDS_CA_CLIENT when the site's login box comes from the CA's own program."""
        if self.portal.login_client != "ca_control":
            return None
        name = self.portal.client_name or ("发证CA的登录控件" if messages.language() == "zh"
                                           else "your CA's login control")
        return messages.get("PORTAL_NEEDS_CA_CLIENT", client=name)

    @property
    def launchable(self) -> bool:
        """Nothing this helper checks is missing: the site can be opened."""
        return not self.problems

    @property
    def ready(self) -> bool:
        """Everything the login needs is present (已就绪): nothing missing and no client the helper cannot see."""
        return not self.problems and self.external is None

    def summary(self) -> str:
        titles = [p.title for p in self.problems]
        if self.external is not None:
            titles.append(self.external.title)
        return "；".join(titles) if messages.language() == "zh" else "; ".join(titles)


def check(portal: Portal, keys: Any | None, service_running: Callable[[], bool],
          now: datetime | None = None) -> Readiness:
    """Key present, certificate valid, local service running, root CA trusted — as the portal needs them.

    ``keys`` is a helper.keys.KeyService (None when no key service is available).
    """
    return check_all([portal], keys, service_running, now)[0]


def check_all(entries: Sequence[Portal], keys: Any | None, service_running: Callable[[], bool],
              now: datetime | None = None) -> list[Readiness]:
    """``check`` for several portals, reading the keys and probing the service once for all of them."""
    now = now or datetime.now(UTC)
    infos: list[certs.CertInfo] | None = None
    running: bool | None = None
    results = []
    for portal in entries:
        problems: list[Message] = []
        if portal.login == "ca_key":
            if infos is None:
                infos = _signing_certificates(keys)
            if not infos:
                problems.append(messages.get("PORTAL_NEEDS_KEY"))
            else:
                problems += _certificate_problems(portal, infos, now)
            if portal.needs_service:
                running = service_running() if running is None else running
                if not running:
                    problems.append(messages.get("PORTAL_SERVICE_DOWN", port=settings.load().service_port))
        results.append(Readiness(portal, tuple(problems)))
    return results


def _signing_certificates(keys: Any | None) -> list[certs.CertInfo]:
    if keys is None:
        return []
    try:
        return [e.info for e in keys.certificates() if e.info and e.info.is_signing and e.has_key]
    except Exception:  # noqa: BLE001 - an unreadable key counts as no key here; diagnostics explains
        return []


def _certificate_problems(portal: Portal, infos: list[certs.CertInfo], now: datetime) -> list[Message]:
    valid = [i for i in infos if i.status(now) in ("valid", "expiring")]
    if not valid:
        newest = max(infos, key=lambda i: i.not_after)
        return [messages.get("PORTAL_CERT_EXPIRED", unit=newest.unit, date=newest.not_after.date().isoformat())]
    if portal.needs_root_ca:
        pool = list(certs.bundled_ca_certs()) + certs.user_ca_certs(settings.user_ca_dir())
        roots = {der for der in pool if certs.parse(der).self_signed}
        if not any(certs.build_chain(i.der, pool)[-1] in roots for i in valid):
            return [messages.get("PORTAL_ROOT_UNTRUSTED", unit=valid[0].unit)]
    return []


def launch(readiness: Readiness, *, force: bool = False) -> str:
    """Open the portal in its recommended browser; refuses (PORTAL_NOT_READY) while something this helper
    checks is missing, unless ``force`` (a CA login client it cannot check does not stop it).

    Returns the name of the browser used.
    """
    from helper import browsers

    if not readiness.launchable and not force:
        raise HelperError("PORTAL_NOT_READY", name=readiness.portal.name, problems=readiness.summary())
    return browsers.open_url(readiness.portal.url, readiness.portal.browser)


def service_running(port: int | None = None, timeout: float = 0.5) -> bool:
    """True when the helper's local service answers GET /v1/status on 127.0.0.1:``port``."""
    import http.client

    port = port or settings.load().service_port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/v1/status", headers={"Host": f"127.0.0.1:{port}"})
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()
