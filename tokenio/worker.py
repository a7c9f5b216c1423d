"""TokenService: the one thread that owns every loaded module and every PKCS#11 session.

Everything else (CLI, GUI, local web service, renewal) submits work here and gets futures back,
because vendor modules are not reliably thread-safe. PINs arrive as ``bytearray`` and are wiped
right after C_Login / C_SetPIN / C_InitPIN; they are never kept beyond one operation.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pkcs11
import pkcs11.exceptions as p11e

from tokenio.drivers import ModuleCandidate, discover
from tokenio.errors import (
    TokenAbsent,
    TokenAmbiguous,
    TokenError,
    TokenRemoved,
    translate,
)
from tokenio.module import LoadedModule, TokenInfo
from tokenio.p11raw import VENDOR_MAPPER
from tokenio.session import CertObject, TokenSession

log = logging.getLogger(__name__)
T = TypeVar("T")

# Sessions open per module path, process-wide: a module is never reinitialized under someone's session.
_OPEN_SESSIONS: dict[str, int] = {}


@dataclass(frozen=True)
class ModuleStatus:
    """A discovered module and whether it loaded."""

    candidate: ModuleCandidate
    loaded: bool
    error: TokenError | None
    description: str = ""


def wipe(secret: bytearray | None) -> None:
    """Overwrite a PIN buffer in place."""
    if secret is not None:
        for i in range(len(secret)):
            secret[i] = 0


def _pin_text(pin: bytearray) -> str:
    return bytes(pin).decode("utf-8")


class _Call:
    """A blocking call handed to the token thread: cheaper than a Future (one lock, no condition)."""

    __slots__ = ("fn", "args", "kwargs", "done", "result", "error")

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.done = threading.Lock()
        self.done.acquire()
        self.result: Any = None
        self.error: BaseException | None = None

    def execute(self) -> None:
        try:
            self.result = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            self.error = exc
        finally:
            self.done.release()

    def wait(self) -> Any:
        self.done.acquire()
        if self.error is not None:
            raise self.error
        return self.result


class TokenService:
    """Owns the PKCS#11 modules on one worker thread. All public methods are thread-safe."""

    def __init__(self, extra_modules: tuple[str, ...] = (), *, use_registry: bool = True) -> None:
        self._extra = extra_modules
        self._use_registry = use_registry
        self._queue: queue.SimpleQueue[tuple[Callable[[], Any], concurrent.futures.Future] | _Call | None] = (
            queue.SimpleQueue())
        self._thread = threading.Thread(target=self._run, name="TokenService", daemon=True)
        self._modules: dict[str, LoadedModule] = {}
        self._statuses: list[ModuleStatus] = []
        self._loaded = False
        self._thread.start()

    # --- the worker thread ------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                break
            if isinstance(item, _Call):
                item.execute()
                continue
            fn, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
                future.set_exception(exc)

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> concurrent.futures.Future[T]:
        """Run ``fn(*args, **kwargs)`` on the token thread; the future carries its result."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._queue.put((lambda: fn(*args, **kwargs), future))
        return future

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run on the token thread and wait for the result (re-raising its exception)."""
        if threading.current_thread() is self._thread:
            return fn(*args, **kwargs)
        pending = _Call(fn, args, kwargs)
        self._queue.put(pending)
        return pending.wait()

    def shutdown(self) -> None:
        """Finalize every module and stop the thread."""
        if not self._thread.is_alive():
            return
        self.call(self._finalize_all)
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _finalize_all(self) -> None:
        for module in self._modules.values():
            module.release()
        self._modules.clear()
        self._loaded = False

    # --- modules ----------------------------------------------------------------------------
    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        self._statuses = []
        for candidate in discover(self._extra, use_registry=self._use_registry):
            try:
                module = LoadedModule(candidate)
            except TokenError as exc:
                log.warning("module %s not loaded: %s", candidate.path, exc.code)
                self._statuses.append(ModuleStatus(candidate, False, exc))
                continue
            self._modules[candidate.path] = module
            self._statuses.append(ModuleStatus(candidate, True, None, module.description))
        self._loaded = True

    def modules(self) -> list[ModuleStatus]:
        """Every discovered module and whether it loaded."""
        return self.call(lambda: (self._ensure_loaded(), list(self._statuses))[1])

    def _user_module_errors(self) -> list[TokenError]:
        return [s.error for s in self._statuses if s.error and s.candidate.source != "registry"]

    # --- enumeration ------------------------------------------------------------------------
    def _scan(self) -> list[tuple[LoadedModule, TokenInfo, pkcs11.Token]]:
        self._ensure_loaded()
        errors = self._user_module_errors()
        if errors:
            raise errors[0]
        found = []
        for module in self._modules.values():
            if module.candidate.rescan_by_reinitialize and not _OPEN_SESSIONS.get(module.path) and module.scanned:
                module.reinitialize()
            module.scanned = True
            try:
                found += [(module, info, token) for info, token in module.tokens()]
            except TokenError as exc:
                log.warning("enumeration failed on %s: %s", module.path, exc.code)
        return found

    def tokens(self) -> list[TokenInfo]:
        """Present, initialized tokens on every loaded module (a fresh snapshot)."""
        return self.call(lambda: [info for _, info, _ in self._scan()])

    def _select(self, serial: str | None, label: str | None = None) -> tuple[LoadedModule, TokenInfo, pkcs11.Token]:
        matches = [
            item for item in self._scan()
            if (serial is None or item[1].serial == serial) and (label is None or item[1].label == label)
        ]
        if not matches:
            raise TokenAbsent(serial or label or "", serial=serial or "")
        if len(matches) > 1:
            raise TokenAmbiguous(", ".join(m[1].serial for m in matches),
                                 serials=", ".join(f"{m[1].label} ({m[1].serial})" for m in matches))
        return matches[0]

    def find(self, serial: str | None = None, label: str | None = None) -> TokenInfo:
        """The one token matching serial/label (the only token when both are None)."""
        return self.call(lambda: self._select(serial, label)[1])

    # --- sessions ---------------------------------------------------------------------------
    def _open(self, serial: str, pin: bytearray | None, *, so: bool, rw: bool) -> TokenSession:
        module, info, token = self._select(serial)
        kwargs: dict[str, Any] = {"rw": rw, "attribute_mapper": VENDOR_MAPPER}
        if pin is not None:
            kwargs["so_pin" if so else "user_pin"] = _pin_text(pin)
        elif so or info.protected_auth_path:
            kwargs["so_pin" if so else "user_pin"] = pkcs11.PROTECTED_AUTH
        try:
            session = token.open(**kwargs)
        except p11e.PKCS11Error as exc:
            self._after_failed_login(module)
            state = self._state_of(module, serial)
            raise translate(exc, so=so, state=state) from exc
        finally:
            kwargs.clear()
        _OPEN_SESSIONS[module.path] = _OPEN_SESSIONS.get(module.path, 0) + 1
        logged_in = pin is not None or so or info.protected_auth_path
        return TokenSession(info, token, session, logged_in and not so)

    def _after_failed_login(self, module: LoadedModule) -> None:
        # python-pkcs11 leaves the session of a failed C_Login open; a later SO login would then fail
        # with SessionReadOnlyExists. Reinitialize when nothing else holds a session on the module.
        if not _OPEN_SESSIONS.get(module.path):
            with contextlib.suppress(TokenError):
                module.reinitialize()

    def _state_of(self, module: LoadedModule, serial: str):
        try:
            return module.token(serial)[0].pin
        except TokenError:
            return None

    def _close(self, ts: TokenSession) -> None:
        path = ts.info.module_path
        try:
            ts.session.close()
        except p11e.PKCS11Error:
            pass
        finally:
            _OPEN_SESSIONS[path] = max(0, _OPEN_SESSIONS.get(path, 1) - 1)

    def _present(self, ts: TokenSession) -> bool:
        module = self._modules.get(ts.info.module_path)
        if module is None:
            return False
        try:
            return any(info.serial == ts.info.serial for info, _ in module.tokens())
        except (TokenError, p11e.PKCS11Error):  # a slot whose token vanished mid-session (SoftHSM: GeneralError)
            return False

    def _in_session(self, ts: TokenSession, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(ts, *args)
        except TokenError as exc:
            if not isinstance(exc, TokenRemoved) and not self._present(ts):
                raise TokenRemoved(exc.detail, serial=ts.info.serial) from exc
            raise

    def open_session(self, serial: str, pin: bytearray | None = None, *, rw: bool = False) -> SessionHandle:
        """Open a session (logged in when ``pin`` is given); the PIN buffer is wiped afterwards."""
        try:
            ts = self.call(self._open, serial, pin, so=False, rw=rw)
        finally:
            wipe(pin)
        return SessionHandle(self, ts)

    @contextlib.contextmanager
    def session(self, serial: str, pin: bytearray | None = None, *, rw: bool = False) -> Iterator[SessionHandle]:
        handle = self.open_session(serial, pin, rw=rw)
        try:
            yield handle
        finally:
            handle.close()

    # --- common operations ------------------------------------------------------------------
    def certificates(self, serial: str) -> list[CertObject]:
        """Certificates on a token, read in a public session (no PIN)."""
        with self.session(serial) as s:
            return s.run(TokenSession.certificates)

    def change_pin(self, serial: str, old: bytearray, new: bytearray) -> TokenInfo:
        """C_SetPIN in a user session; returns the token afterwards. Both buffers are wiped."""
        return self._pin_operation(serial, old, new, so=False)

    def unblock_pin(self, serial: str, so_pin: bytearray, new: bytearray) -> TokenInfo:
        """C_InitPIN in an SO session (unblocks a locked user PIN). Both buffers are wiped."""
        return self._pin_operation(serial, so_pin, new, so=True)

    def _pin_operation(self, serial: str, login_pin: bytearray, new: bytearray, *, so: bool) -> TokenInfo:
        def op() -> TokenInfo:
            ts = self._open(serial, login_pin, so=so, rw=True)
            try:
                if so:
                    ts.session.init_pin(_pin_text(new))
                else:
                    ts.session.set_pin(_pin_text(login_pin), _pin_text(new))
            except p11e.PKCS11Error as exc:
                raise translate(exc, state=ts.info.pin) from exc
            finally:
                self._close(ts)
            return self._select(serial)[1]

        try:
            return self.call(op)
        finally:
            wipe(login_pin)
            wipe(new)


class SessionHandle:
    """A caller's handle on a session living on the token thread."""

    def __init__(self, service: TokenService, ts: TokenSession) -> None:
        self._service = service
        self._ts: TokenSession | None = ts
        self.info = ts.info

    @property
    def logged_in(self) -> bool:
        return bool(self._ts and self._ts.user)

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(token_session, *args)`` on the token thread."""
        if self._ts is None:
            raise TokenRemoved("session closed", serial=self.info.serial)
        return self._service.call(self._service._in_session, self._ts, fn, *args)

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        if self._ts is None:
            raise TokenRemoved("session closed", serial=self.info.serial)
        return self._service.submit(self._service._in_session, self._ts, fn, *args)

    def close(self) -> None:
        if self._ts is not None:
            ts, self._ts = self._ts, None
            self._service.call(self._service._close, ts)

    def __enter__(self) -> SessionHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
