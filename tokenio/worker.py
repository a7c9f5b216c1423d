"""TokenService: the one thread that owns every loaded module and every PKCS#11 session.

Everything else (CLI, GUI, local web service, renewal) submits work here and gets futures back,
because vendor modules are not reliably thread-safe. PINs arrive as ``bytearray`` and are wiped
right after C_Login / C_SetPIN / C_InitPIN; they are never kept beyond one operation.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import pkcs11
import pkcs11.exceptions as p11e

from tokenio.attributes import VENDOR_MAPPER
from tokenio.drivers import ModuleCandidate, discover
from tokenio.errors import (
    ModuleShared,
    PinExpired,
    PinState,
    TokenAbsent,
    TokenAmbiguous,
    TokenError,
    TokenRemoved,
    translate,
)
from tokenio.info import TokenInfo, assign_ids
from tokenio.module import LoadedModule
from tokenio.session import CertObject, TokenSession

if TYPE_CHECKING:
    import concurrent.futures

log = logging.getLogger(__name__)
T = TypeVar("T")

# Sessions open per (module path, slot), process-wide: a module is never reinitialized under someone's
# session, and a failed login's session is closed only when nothing else of ours is open on that key.
_OPEN_SESSIONS: dict[tuple[str, int], int] = {}


def _sessions_on(path: str, slot_id: int | None = None) -> int:
    return sum(n for (p, s), n in _OPEN_SESSIONS.items() if p == path and slot_id in (None, s))


@dataclass(frozen=True)
class ModuleStatus:
    """A discovered module and whether it loaded.

    ``shared_with`` names the module through which this one's tokens are used when both reach the same
    library (a wrapper or p11-kit-proxy and the library itself): they are listed once, through that one.
    """

    candidate: ModuleCandidate
    loaded: bool
    error: TokenError | None
    description: str = ""
    shared_with: str = ""
    shared_serials: tuple[str, ...] = ()


_Found = tuple[LoadedModule, TokenInfo, pkcs11.Token]


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
        self._found: list[_Found] | None = None
        self._objects: dict[str, list[CertObject]] = {}
        self._shadowed: dict[str, tuple[str, set[str]]] = {}  # module -> (module used instead, serials)
        self._generation = 0
        self._gate = threading.Lock()  # nothing is queued after the stop marker: a late call fails, never waits
        self._stopped = False
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
        import concurrent.futures  # only callers that want a future pay for the module

        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._enqueue((lambda: fn(*args, **kwargs), future))
        return future

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run on the token thread and wait for the result (re-raising its exception)."""
        if threading.current_thread() is self._thread:
            return fn(*args, **kwargs)
        pending = _Call(fn, args, kwargs)
        self._enqueue(pending)
        return pending.wait()

    def _enqueue(self, item: _Call | tuple[Callable[[], Any], concurrent.futures.Future]) -> None:
        with self._gate:
            if self._stopped:
                raise TokenError("the token service has stopped")
            self._queue.put(item)

    def shutdown(self) -> None:
        """Finalize every module and stop the thread; later calls raise TokenError instead of waiting."""
        if not self._thread.is_alive():
            return
        self.call(self._finalize_all)
        with self._gate:
            self._stopped = True
            self._queue.put(None)
        self._thread.join(timeout=5)

    def _finalize_all(self) -> None:
        for module in self._modules.values():
            module.release()
        self._modules.clear()
        self._loaded = False
        self._found = None
        self._objects.clear()

    # --- modules ----------------------------------------------------------------------------
    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        self._statuses = []
        for candidate in discover(self._extra, use_registry=self._use_registry):
            try:
                module = LoadedModule(candidate)
            except ModuleShared as exc:
                exc.params["other"] = ", ".join(self._modules) or "?"
                log.info("module %s already initialised through %s", candidate.path, exc.params["other"])
                self._statuses.append(ModuleStatus(candidate, False, exc, shared_with=exc.params["other"]))
                continue
            except TokenError as exc:
                log.warning("module %s not loaded: %s", candidate.path, exc.code)
                self._statuses.append(ModuleStatus(candidate, False, exc))
                continue
            self._modules[candidate.path] = module
            self._statuses.append(ModuleStatus(candidate, True, None, module.description))
        self._loaded = True

    def modules(self) -> list[ModuleStatus]:
        """Every discovered module, whether it loaded, and which ones reach the same library."""
        def read() -> list[ModuleStatus]:
            self._ensure_loaded()
            out = []
            for status in self._statuses:
                shadow = self._shadowed.get(status.candidate.path)
                if shadow:
                    status = dataclasses.replace(status, shared_with=shadow[0], shared_serials=tuple(sorted(shadow[1])))
                elif status.shared_with:  # ModuleShared: the keys are those of the module(s) it is used through
                    serials = {i.serial for m, i, _ in self._found or () if m.path in status.shared_with.split(", ")}
                    status = dataclasses.replace(status, shared_serials=tuple(sorted(serials)))
                out.append(status)
            return out

        return self.call(read)

    def _user_module_errors(self) -> list[TokenError]:
        """Failures of the modules named for this run, which are used alone: the listing says them. A module
        added in Settings beside the registry's does not hide the other keys: diagnostics reports it."""
        if self._use_registry:
            return []
        return [s.error for s in self._statuses
                if s.error and s.candidate.source != "registry" and not isinstance(s.error, ModuleShared)]

    # --- the inventory: slots read once, kept until the watcher or our own writes invalidate it -----
    @property
    def generation(self) -> int:
        """Changes whenever the inventory is invalidated (tokens inserted/removed, objects written)."""
        return self._generation

    def _enumerate(self, *, reinitialize: bool) -> list[_Found]:
        found: list[_Found] = []
        for module in self._modules.values():
            if (reinitialize and module.candidate.rescan_by_reinitialize and module.scanned
                    and not _sessions_on(module.path)):
                try:
                    module.reinitialize()
                except TokenError as exc:
                    log.warning("reinitialising %s failed: %s", module.path, exc.code)
                    continue
            module.scanned = True
            try:
                found += [(module, info, token) for info, token in module.tokens()]
            except TokenError as exc:
                log.warning("enumeration failed on %s: %s", module.path, exc.code)
        kept: list[_Found] = []
        first_module: dict[tuple, str] = {}
        self._shadowed = {}  # as of this reading: a wrapper removed since no longer shadows anything
        for module, info, token in found:
            # The same token through two modules (a wrapper or proxy and the library itself): keep the first.
            same = (info.identity, info.slot_description)
            other = first_module.setdefault(same, module.path)
            if other != module.path and info.serial.strip("0 "):
                self._shadowed.setdefault(module.path, (other, set()))[1].add(info.serial)
                continue
            kept.append((module, info, token))
        infos = assign_ids(info for _, info, _ in kept)
        return [(m, info, t) for (m, _, t), info in zip(kept, infos, strict=True)]

    def _install(self, found: list[_Found]) -> None:
        before = None if self._found is None else [info for _, info, _ in self._found]
        self._found = found
        if before is not None and before != [info for _, info, _ in found]:
            self._objects.clear()
            self._generation += 1

    def _snapshot(self) -> list[_Found]:
        if self._found is None:
            self._ensure_loaded()
            errors = self._user_module_errors()
            if errors:
                raise errors[0]
            self._found = self._enumerate(reinitialize=False)
        return self._found

    def rescan(self) -> list[TokenInfo]:
        """Hot-plug: read the slots again (re-initialising, when no session is open, the modules that see
        new tokens only that way) and return the USB keys. The watcher calls this; operations use the snapshot."""
        def op() -> list[TokenInfo]:
            if self._found is None:
                self._snapshot()
            else:
                self._install(self._enumerate(reinitialize=True))
            return [info for _, info, _ in self._snapshot() if info.usb_key]

        return self.call(op)

    def invalidate(self) -> None:
        """Forget the inventory: the next operation reads the slots and objects again."""
        def op() -> None:
            if self._found is not None:
                self._install(self._enumerate(reinitialize=False))
            self._objects.clear()
            self._generation += 1

        self.call(op)

    def tokens(self, *, all_slots: bool = False) -> list[TokenInfo]:
        """USB keys present (every slot with a token when ``all_slots``), from the inventory."""
        return self.call(lambda: [info for _, info, _ in self._snapshot() if all_slots or info.usb_key])

    def _select(self, ref: str | None) -> _Found:
        """The token named by ``ref`` (its id, serial or label), or the only USB key when ``ref`` is None."""
        candidates = _matching(self._snapshot(), ref)
        if not candidates and ref is not None:
            # Maybe inserted since the snapshot: read the slot list again (never re-initialising here).
            self._install(self._enumerate(reinitialize=False))
            candidates = _matching(self._found or [], ref)
        if not candidates:
            raise TokenAbsent(ref or "", serial=ref or "")
        if len(candidates) > 1:
            listed = ", ".join(f"{info.label} [{info.id}] {info.serial}" for _, info, _ in candidates)
            raise TokenAmbiguous(listed, serials=listed)
        return candidates[0]

    def _update(self, module: LoadedModule, info: TokenInfo, token: pkcs11.Token) -> TokenInfo:
        """Re-read one token's info (its PIN flags) into the inventory."""
        fresh, token = module.reread(info, token)
        if self._found is not None:
            self._found = [(m, fresh, token) if i.id == info.id else (m, i, t) for m, i, t in self._found]
        return fresh

    def find(self, ref: str | None = None) -> TokenInfo:
        """The one token named by ``ref`` (id, serial or label; the only USB key when None), its flags read
        again (one C_GetTokenInfo): the PIN state shown before asking for a PIN must be today's."""
        def op() -> TokenInfo:
            module, info, token = self._select(ref)
            try:
                return self._update(module, info, token)
            except TokenError:
                return info

        return self.call(op)

    # --- sessions ---------------------------------------------------------------------------
    def _open(self, ref: str, pin: bytearray | None, *, so: bool, rw: bool) -> TokenSession:
        module, info, token = self._select(ref)
        if pin is not None or so:
            info = self._still_inserted(module, info, token)
        kwargs: dict[str, Any] = {"rw": rw, "attribute_mapper": VENDOR_MAPPER}
        if pin is not None:
            kwargs["so_pin" if so else "user_pin"] = _pin_text(pin)
        elif so or info.protected_auth_path:
            kwargs["so_pin" if so else "user_pin"] = pkcs11.PROTECTED_AUTH
        try:
            session = token.open(**kwargs)
        except p11e.PKCS11Error as exc:
            self._after_failed_login(module, info)
            raise translate(exc, so=so, state=self._state_of(module, info, token)) from exc
        finally:
            kwargs.clear()
        where = (module.path, info.slot_id)
        _OPEN_SESSIONS[where] = _OPEN_SESSIONS.get(where, 0) + 1
        logged_in = pin is not None or so or info.protected_auth_path
        if logged_in:
            with contextlib.suppress(TokenError):
                info = self._update(module, info, token)  # flags after login (e.g. COUNT_LOW cleared)
        return TokenSession(info, token, session, logged_in and not so, rw=rw)

    def _still_inserted(self, module: LoadedModule, info: TokenInfo, token: pkcs11.Token) -> TokenInfo:
        """The key read again just before a PIN goes to its slot: pulled out, or another key put in the same
        reader since the listing, it is TokenRemoved and the PIN is never tried on a key it is not for."""
        try:
            return self._update(module, info, token)
        except TokenRemoved:
            self._install(self._enumerate(reinitialize=False))
            raise

    def _after_failed_login(self, module: LoadedModule, info: TokenInfo) -> None:
        # python-pkcs11 leaves the session of a failed C_Login open; a later SO login would then fail
        # with SessionReadOnlyExists. Close it when nothing else of ours holds a session on that key.
        if not _sessions_on(module.path, info.slot_id):
            with contextlib.suppress(TokenError):
                module.close_all_sessions(info.slot_id)

    def _state_of(self, module: LoadedModule, info: TokenInfo, token: pkcs11.Token) -> PinState | None:
        try:
            return self._update(module, info, token).pin
        except TokenError:
            return None

    def _close(self, ts: TokenSession) -> None:
        where = (ts.info.module_path, ts.info.slot_id)
        try:
            ts.session.close()
        except p11e.PKCS11Error:
            pass
        finally:
            _OPEN_SESSIONS[where] = max(0, _OPEN_SESSIONS.get(where, 1) - 1)

    def _present(self, ts: TokenSession) -> bool:
        module = self._modules.get(ts.info.module_path)
        if module is None:
            return False
        try:
            return any(info.identity == ts.info.identity and info.slot_id == ts.info.slot_id
                       for info, _ in module.tokens())
        except (TokenError, p11e.PKCS11Error):  # a slot whose token vanished mid-session (SoftHSM: GeneralError)
            return False

    def _in_session(self, ts: TokenSession, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(ts, *args)
        except TokenError as exc:
            if not isinstance(exc, TokenRemoved) and not self._present(ts):
                raise TokenRemoved(exc.detail, serial=ts.info.serial) from exc
            raise
        finally:
            if ts.rw:  # our own write: the key's objects are read again next time
                self._objects.pop(ts.info.id, None)
                self._generation += 1

    def open_session(self, ref: str, pin: bytearray | None = None, *, rw: bool = False) -> SessionHandle:
        """Open a session (logged in when ``pin`` is given); the PIN buffer is wiped afterwards, on the token
        thread: a caller interrupted meanwhile (Ctrl+C) never wipes it under a login still to run, which would
        use up a try with an empty PIN."""
        def op() -> TokenSession:
            try:
                return self._open(ref, pin, so=False, rw=rw)
            finally:
                wipe(pin)

        return SessionHandle(self, self.call(op))

    @contextlib.contextmanager
    def session(self, ref: str, pin: bytearray | None = None, *, rw: bool = False) -> Iterator[SessionHandle]:
        handle = self.open_session(ref, pin, rw=rw)
        try:
            yield handle
        finally:
            handle.close()

    # --- common operations ------------------------------------------------------------------
    def certificates(self, ref: str) -> list[CertObject]:
        """Certificates on a token, read once in a public session (no PIN) and kept in the inventory."""
        def op() -> list[CertObject]:
            info = self._select(ref)[1]
            if info.id not in self._objects:
                ts = self._open(info.id, None, so=False, rw=False)
                try:
                    self._objects[info.id] = self._in_session(ts, TokenSession.certificates)
                finally:
                    self._close(ts)
            return self._objects[info.id]

        return self.call(op)

    def change_pin(self, ref: str, old: bytearray, new: bytearray) -> TokenInfo:
        """C_SetPIN in a user session; returns the token afterwards. Both buffers are wiped."""
        return self._pin_operation(ref, old, new, so=False)

    def unblock_pin(self, ref: str, so_pin: bytearray, new: bytearray) -> TokenInfo:
        """C_InitPIN in an SO session (unblocks a locked user PIN). Both buffers are wiped."""
        return self._pin_operation(ref, so_pin, new, so=True)

    def _pin_operation(self, ref: str, login_pin: bytearray, new: bytearray, *, so: bool) -> TokenInfo:
        def op() -> TokenInfo:  # the buffers are wiped here, on the token thread (see open_session)
            try:
                try:
                    ts = self._open(ref, login_pin, so=so, rw=True)
                except PinExpired:
                    if so:
                        raise
                    # C_Login refuses an expired PIN; C_SetPIN changes it in a read/write public session
                    ts = self._open(ref, None, so=False, rw=True)
                try:
                    if so:
                        ts.session.init_pin(_pin_text(new))
                    else:
                        ts.session.set_pin(_pin_text(login_pin), _pin_text(new))
                except p11e.PKCS11Error as exc:
                    raise translate(exc, state=ts.info.pin) from exc
                finally:
                    self._close(ts)
            finally:
                wipe(login_pin)
                wipe(new)
            try:  # the PIN is changed now: a key pulled out right after must not make it look failed
                module, info, token = self._select(ts.info.id)
                return self._update(module, info, token)
            except TokenError:
                return ts.info

        return self.call(op)


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


def _matching(found: list[_Found], ref: str | None) -> list[_Found]:
    """Tokens ``ref`` names, by id first, then serial, then label; USB keys before other slots."""
    if ref is None:
        return [f for f in found if f[1].usb_key]
    for how in ("id", "serial", "label"):
        named = [f for f in found if f[1].matches(ref) == how]
        keys = [f for f in named if f[1].usb_key]
        if named:
            return keys or named
    return []
