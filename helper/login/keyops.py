"""Key operations on behalf of websites: one at a time, each confirmed by the user, throttled after wrong PINs.

Knows nothing of HTTP: the server validates requests and calls these coroutines; every failure is a
HelperError/TokenError with a catalogue code. The rules:
- one key operation at a time (KEY_BUSY), including while a dialog waits for the user;
- at most ``rate_max`` operations per origin per ``rate_window`` seconds (RATE_LIMITED);
- after a wrong PIN, a pause that doubles with each further wrong PIN (PIN_COOLDOWN) — checked before any
  dialog or key use; the PIN is never retried by the helper;
- a dialog the user leaves unanswered for ``consent_timeout`` seconds is closed (CONSENT_TIMEOUT);
- the first use by an origin not yet approved asks for approval and remembers it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from helper import keytypes
from helper.keys import CertEntry, KeyService
from helper.login import origins as origins_mod
from helper.login.consent import CertChoice, ConsentAnswer, ConsentRequest, ConsentUI
from helper.login.token import AuthToken, check_nonce, sign_token
from helper.messages import HelperError
from tokenio.errors import PinError

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    consent_timeout: float = 120.0
    cooldown_base: float = 5.0
    cooldown_max: float = 300.0
    rate_window: float = 60.0
    rate_max: int = 20


class Cooldown:
    """Wrong-PIN pauses: base · 2^(n-1) seconds after the n-th wrong PIN in a row, capped.

    With a ``path`` the count and the end of the pause (wall-clock time) are kept there, so restarting the
    service does not reset them; the file holds no PIN data. A pause ending further ahead than
    ``cooldown_max`` (the clock was set back) is cut to ``cooldown_max``.
    """

    def __init__(self, limits: Limits, path: Path | None = None) -> None:
        self._limits = limits
        self._path = path
        self._failures, self._until = self._load()

    def _load(self) -> tuple[int, float]:
        if self._path is None:
            return 0, 0.0
        try:
            data = json.loads(self._path.read_text("utf-8"))
            failures, until = int(data["failures"]), float(data["until"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0, 0.0
        return max(0, failures), min(until, time.time() + self._limits.cooldown_max)

    def _save(self) -> None:
        if self._path is not None:
            from helper.fileio import atomic_write_bytes

            data = {"failures": self._failures, "until": self._until,
                    "until_text": datetime.fromtimestamp(self._until, UTC).isoformat()}
            atomic_write_bytes(self._path, json.dumps(data).encode(), overwrite=True, parents=True)

    def check(self) -> None:
        left = self._until - time.time()
        if left > 0:
            raise HelperError("PIN_COOLDOWN", seconds=max(1, round(left)))

    def failed(self) -> None:
        self._failures += 1
        pause = min(self._limits.cooldown_max, self._limits.cooldown_base * 2 ** (self._failures - 1))
        self._until = time.time() + pause
        self._save()

    def succeeded(self) -> None:
        if self._failures or self._until:
            self._failures, self._until = 0, 0.0
            self._save()


def default_cooldown_path() -> Path:
    """Where the service keeps its wrong-PIN pause (the helper's data folder)."""
    from helper import settings

    return settings.data_dir() / "pin-cooldown.json"


class KeyOperations:
    """What the local service does with the key. ``ui`` None means no one can be asked (NO_CONSENT_UI).
    The wrong-PIN pause is kept in ``cooldown_path`` (default: the helper's data folder)."""

    def __init__(self, keys: KeyService, ui: ConsentUI | None, registry: origins_mod.OriginRegistry,
                 limits: Limits = Limits(), *, portal_names: Callable[[str], str] | None = None,
                 remember_approval: Callable[[str], None] = origins_mod.approve,
                 cooldown_path: Path | None = None) -> None:
        self.keys = keys
        self.ui = ui
        self.registry = registry
        self.limits = limits
        self._names = portal_names or (lambda origin: "")
        self._remember = remember_approval
        self._lock = asyncio.Lock()
        self._cooldown = Cooldown(limits, cooldown_path or default_cooldown_path())
        self._recent: dict[str, deque[float]] = {}
        # One thread for dialogs: a dialog that ignores cancel() delays the next one instead of stacking.
        self._ui_pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="consent")
        self.key_uses = 0  # signatures made (tests assert "no key use")

    def close(self) -> None:
        if self.ui is not None:
            self.ui.cancel(stopping=True)
        self._ui_pool.shutdown(wait=False, cancel_futures=True)

    # --- public operations ----------------------------------------------------------------------
    async def certificates(self, origin: str) -> list[dict[str, Any]]:
        """The signing certificates for the page's chooser (after the one-time approval of ``origin``)."""
        async with self._exclusive(origin, key_use=False):
            entries = await self._signing_entries()
            await self._ensure_approved(origin)
            return [_cert_json(e) for e in entries]

    async def authenticate(self, origin: str, nonce: Any, certificate_id: str | None) -> AuthToken:
        """Consent, certificate choice and PIN in the helper's dialog, then the signed token."""
        check_nonce(nonce)
        async with self._exclusive(origin, key_use=True):
            now = datetime.now(UTC)
            entries = [e for e in await self._signing_entries() if e.info.status(now) != "not_yet_valid"]
            if certificate_id is not None:
                entries = [e for e in entries if e.id == certificate_id]
                if not entries:
                    raise HelperError("CERT_NOT_FOUND", id=certificate_id)
            if not entries:
                raise HelperError("NO_SIGNING_CERT", id="")
            await self._ensure_approved(origin)
            request = ConsentRequest("authenticate", origin, self._names(origin),
                                     tuple(_choice(e) for e in entries), certificate_id)
            answer = await self._ask(request)
            entry = _chosen(entries, answer)
            if not keytypes.supports(entry.info, "web_login"):
                answer.wipe()
                keytypes.require(entry.info, "web_login")
            if entry.info.status(now) == "expired":
                answer.wipe()
                raise HelperError("CERT_EXPIRED_FOR_LOGIN", unit=entry.info.unit,
                                  date=entry.info.not_after.date().isoformat())
            return await self._with_pin(entry, answer, sign_token, entry.key_id, entry.info.der,
                                        entry.info.key_algorithm, origin, nonce)

    async def with_signing_consent(self, origin: str, request_for: Callable[[tuple[CertChoice, ...]], ConsentRequest],
                                   operation: Callable[..., T], *args: Any, rw: bool = False) -> T:
        """For other key uses (PDF seals): dialog built by ``request_for``, then ``operation(session, entry, *args)``
        in a logged-in session (read-write with ``rw``), off the event loop."""
        async with self._exclusive(origin, key_use=True):
            now = datetime.now(UTC)
            entries = [e for e in await self._signing_entries() if e.info.status(now) in ("valid", "expiring")]
            if not entries:
                raise HelperError("NO_SIGNING_CERT", id="")
            await self._ensure_approved(origin)
            answer = await self._ask(request_for(tuple(_choice(e) for e in entries)))
            entry = _chosen(entries, answer)
            if not keytypes.supports(entry.info, "sign_pdf"):
                answer.wipe()
                keytypes.require(entry.info, "sign_pdf")
            return await self._in_session(entry, answer, lambda handle: operation(handle, entry, *args), rw=rw)

    # --- the rules ------------------------------------------------------------------------------
    def admit(self, origin: str, *, key_use: bool = True) -> None:
        """The checks that refuse a request before anything else is done for it (before its body is read):
        no one to ask, key busy, wrong-PIN pause, too many requests from ``origin``."""
        if self.ui is None:
            raise HelperError("NO_CONSENT_UI")
        if self._lock.locked():
            raise HelperError("KEY_BUSY")
        if key_use:
            self._cooldown.check()
        self._recent_for(origin, time.monotonic())

    def _exclusive(self, origin: str, *, key_use: bool):
        self.admit(origin, key_use=key_use)
        self._recent[origin].append(time.monotonic())
        return self._lock

    def _recent_for(self, origin: str, now: float) -> deque[float]:
        recent = self._recent.setdefault(origin, deque())
        while recent and now - recent[0] > self.limits.rate_window:
            recent.popleft()
        if len(recent) >= self.limits.rate_max:
            raise HelperError("RATE_LIMITED", origin=origin,
                              seconds=max(1, round(self.limits.rate_window - (now - recent[0]))))
        return recent

    async def _ensure_approved(self, origin: str) -> None:
        if self.registry.approved(origin):
            return
        await self._ask(ConsentRequest("approve_origin", origin, self._names(origin)), need_pin=False,
                        denied="ORIGIN_NOT_APPROVED")
        await self._blocking(self._remember, origin)
        self.registry.invalidate()

    async def _ask(self, request: ConsentRequest, *, need_pin: bool = True,
                   denied: str = "CONSENT_DENIED") -> ConsentAnswer:
        assert self.ui is not None
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._ui_pool, self.ui.ask, request)
        try:
            answer = await asyncio.wait_for(asyncio.shield(future), self.limits.consent_timeout)
        except TimeoutError:
            self.ui.cancel()
            future.add_done_callback(_wipe_late_answer)
            raise HelperError("CONSENT_TIMEOUT", origin=request.origin,
                              seconds=round(self.limits.consent_timeout)) from None
        if not answer.approved:
            answer.wipe()
            raise HelperError(denied, origin=request.origin)
        if need_pin and not answer.pin:
            raise HelperError("PIN_EMPTY")
        return answer

    async def _with_pin(self, entry: CertEntry, answer: ConsentAnswer, fn: Callable[..., T], *args: Any) -> T:
        return await self._in_session(entry, answer, lambda handle: handle.run(fn, *args))

    async def _in_session(self, entry: CertEntry, answer: ConsentAnswer, body: Callable[[Any], T], *,
                          rw: bool = False) -> T:
        def work() -> T:
            try:
                result = self.keys.login(entry.token.id, answer.pin, rw=rw)
            except PinError:
                self._cooldown.failed()
                raise
            finally:
                answer.wipe()
            self._cooldown.succeeded()
            try:
                self.key_uses += 1
                return body(result.session)
            finally:
                result.session.close()

        try:
            return await self._blocking(work)
        except PinError as exc:
            await self._report(exc)
            raise

    async def _report(self, error: BaseException) -> None:
        """Tell the face that asked for the PIN why it failed, before it can ask anything else."""
        report = getattr(self.ui, "report", None)  # optional part of ConsentUI
        if report is not None:
            await asyncio.get_running_loop().run_in_executor(self._ui_pool, report, error)

    async def _signing_entries(self) -> list[CertEntry]:
        entries = await self._blocking(self.keys.certificates)
        return [e for e in entries if e.info is not None and e.info.is_signing and e.has_key]

    async def _blocking(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


def _wipe_late_answer(future: asyncio.Future) -> None:
    if not future.cancelled() and future.exception() is None:
        future.result().wipe()


def _choice(entry: CertEntry) -> CertChoice:
    info = entry.info
    return CertChoice(entry.id, info.unit, info.subject_cn, info.issuer_cn, info.not_after.date().isoformat(),
                      entry.token.label)


def _chosen(entries: list[CertEntry], answer: ConsentAnswer) -> CertEntry:
    for entry in entries:
        if entry.id == answer.certificate_id:
            return entry
    if answer.certificate_id is None and len(entries) == 1:
        return entries[0]
    answer.wipe()
    raise HelperError("CERT_NOT_FOUND", id=answer.certificate_id or "")


def _cert_json(entry: CertEntry) -> dict[str, Any]:
    import base64

    info = entry.info
    return {
        "id": entry.id,
        "unit": info.unit,
        "unitCode": info.unit_code,
        "holder": info.subject_cn,
        "issuer": info.issuer_cn,
        "notBefore": info.not_before.isoformat(),
        "notAfter": info.not_after.isoformat(),
        "status": info.status(),
        "keyAlgorithm": info.key_algorithm,
        "tokenLabel": entry.token.label,
        "certificate": base64.b64encode(info.der).decode("ascii"),
    }

