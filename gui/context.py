"""AppContext: what every page gets from the application shell.

A page package ``gui/pages/<name>/__init__.py`` exposes ``create_page(app: AppContext) -> QWidget``
and uses only this object to reach the rest of the program:

``app.keys``            helper.keys.KeyService (certificates, PIN change/unblock, login)
``app.renewals``        helper.renewal.service.RenewalService (every renewal; announces changed keys)
``app.tokens``          helper.tokens.TokenService (the one PKCS#11 thread; use through KeyService/jobs)
``app.jobs``            gui.jobs.JobRunner: ``app.jobs.run(fn, *args)`` -> Job with finished/failed
``app.settings``        the current helper.settings.Settings; change with ``app.update_settings(**fields)``
``app.present``         the keys inserted right now (TokenInfo tuple, kept current by hot-plug)
``app.navigate(key)``   switch the window to another page ("certificates", "renewal", "signing", ...)
``app.request_renewal(id)`` show 证书延期 and start renewing that certificate (``renewal_requested``)
``app.notify(t, m)``    a tray notification (title, message)
``app.show_error(exc)`` the shared 提示/说明/解决方案 dialog for any exception (helper.messages.describe)
``app.show_info(code)`` the same dialog for a success message from the catalogue
``app.ask_pin(...)``    the shared PIN-entry dialog (gui.dialogs.pin_entry), returns bytearray | None
``app.report_login(r)`` done for every login through ``app.keys``: remembers a proven default PIN, tells the pages
``app.start_service()`` the 127.0.0.1 service for websites, owned by this context (``app.service``, or
                        ``app.service_error`` saying why it could not start; call again to retry)

Signals (always on the GUI thread): ``tokens_changed(TokenChange)`` on insert/remove,
``login_tried(str serial)`` after every login through ``app.keys`` (right or wrong PIN),
``settings_changed(Settings)``, ``default_pin_detected(str serial)``, ``navigate_requested(str)``,
``notified(str title, str message)``, ``service_changed()`` (the local service started, stopped or failed),
``certificates_changed(str serial)`` after a renewal, recovery or cancellation changed the certificates on a
key (every page that shows certificates re-reads that key).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QWidget

from gui.jobs import JobRunner
from helper import settings as settings_mod

if TYPE_CHECKING:  # the token stack is imported after the window's first paint
    from helper.keys import KeyService, LoginResult
    from helper.local_service import LocalService
    from helper.renewal.service import RenewalService
    from helper.tokens import TokenChange, TokenInfo, TokenService, TokenWatcher

log = logging.getLogger(__name__)

PAGE_KEYS = ("certificates", "renewal", "signing", "portals", "diagnostics", "settings")


class AppContext(QObject):
    """Services, settings, jobs, notifications and navigation for the pages (see module docstring)."""

    tokens_changed = Signal(object)  # TokenChange
    settings_changed = Signal(object)  # Settings
    default_pin_detected = Signal(str)  # token serial
    navigate_requested = Signal(str)  # page key
    notified = Signal(str, str)  # title, message
    first_scan_done = Signal()  # the keys present at start-up are known (``scanned`` is True)
    service_changed = Signal()  # ``service`` / ``service_error`` changed
    login_tried = Signal(str)  # token serial: a login was tried (PIN flags changed); on the GUI thread
    certificates_changed = Signal(str)  # token serial
    renewal_requested = Signal(str)  # certificate id
    _certificates_touched = Signal(str)  # internal: from worker threads and the local service
    _watcher_change = Signal(object)  # internal: from the watcher thread
    _login_tried = Signal(str, object)  # internal: serial, LoginResult | None, from a worker thread

    def __init__(self, tokens: TokenService | Callable[[], TokenService], keys: KeyService | None = None,
                 settings: settings_mod.Settings | None = None, parent: QObject | None = None) -> None:
        """``tokens`` may be a factory: the service (and the PKCS#11 stack) is then made on first use."""
        super().__init__(parent)
        self._on_shutdown: list[Callable[[], None]] = []
        self._tokens: TokenService | None = None if callable(tokens) else tokens
        self._tokens_factory = tokens if callable(tokens) else None
        self._keys = keys
        self.settings = settings or settings_mod.load()
        self.jobs = JobRunner(on_error=lambda exc: self.show_error(exc))
        self.present: tuple[TokenInfo, ...] = ()
        self.default_pin_serials: set[str] = set()
        self.dialog_parent: QWidget | None = None
        self.last_message: QWidget | None = None
        self.scanned = False
        self.keep_in_tray = False  # closing the window hides it to the tray (set by gui.app)
        self.service: LocalService | None = None
        self.service_error: BaseException | None = None
        self._watcher: TokenWatcher | None = None
        self._watching = False
        self._watcher_change.connect(self._apply_change, Qt.ConnectionType.QueuedConnection)
        self._login_tried.connect(self._after_login, Qt.ConnectionType.QueuedConnection)
        self._renewals: RenewalService | None = None
        self._certificates_touched.connect(self.certificates_changed, Qt.ConnectionType.QueuedConnection)

    @property
    def tokens(self) -> TokenService:
        if self._tokens is None:
            self._tokens = self._tokens_factory()
        return self._tokens

    @property
    def keys(self) -> KeyService:
        if self._keys is None:
            self._keys = _reporting_keys(self.tokens, self._login_tried.emit)
        return self._keys

    @property
    def renewals(self) -> RenewalService:
        """The one RenewalService of the application (its changes reach ``certificates_changed``)."""
        if self._renewals is None:
            from helper.renewal.service import RenewalService

            self._renewals = RenewalService(self.keys, on_change=self._certificates_touched.emit)
        return self._renewals

    # --- hot-plug -----------------------------------------------------------------------------
    def start_watching(self, interval: float = 0.4) -> None:
        """Scan once (as a job), then poll for inserted/removed keys; ``tokens_changed`` fires on the GUI thread.

        The token stack is imported and the first scan made on a worker thread, so this can be called
        before the window is shown.
        """
        if self._watching:
            return
        self._watching = True

        def first_scan() -> tuple[TokenWatcher, TokenChange | None]:
            from helper.tokens import TokenWatcher

            watcher = TokenWatcher(self.tokens, self._watcher_change.emit, interval)
            return watcher, watcher.poll_once()

        def scanned(result: tuple[TokenWatcher, TokenChange | None] | None) -> None:
            watcher, change = result or (None, None)
            if change is not None:
                self._apply_change(change)
            self.scanned = True
            self.first_scan_done.emit()
            if watcher is not None and self._watching:
                self._watcher = watcher
                watcher.start()

        job = self.jobs.run(first_scan)
        job.finished.connect(scanned)
        job.failed.connect(lambda _exc: scanned(None))

    def stop_watching(self) -> None:
        self._watching = False
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    @Slot(object)
    def _apply_change(self, change: TokenChange) -> None:
        self.present = change.present
        for info in change.removed:
            self.default_pin_serials.discard(info.serial)
        self.tokens_changed.emit(change)

    def note_token(self, info: TokenInfo) -> None:
        """Record a fresher snapshot of an inserted key (its PIN flags change after every login)."""
        self.present = tuple(info if t.key == info.key else t for t in self.present)

    def token(self, serial: str) -> TokenInfo | None:
        """The inserted key with this serial, if it is still there."""
        return next((t for t in self.present if t.serial == serial), None)

    # --- settings -----------------------------------------------------------------------------
    def update_settings(self, **changes: Any) -> settings_mod.Settings:
        """Save changed fields and tell the pages."""
        self.settings = dataclasses.replace(self.settings, **changes)
        settings_mod.save(self.settings)
        self.settings_changed.emit(self.settings)
        return self.settings

    # --- navigation and notifications -----------------------------------------------------------
    def navigate(self, key: str) -> None:
        if key not in PAGE_KEYS:
            raise ValueError(f"unknown page {key!r}")
        self.navigate_requested.emit(key)

    def request_renewal(self, cert_id: str) -> None:
        self.navigate("renewal")
        self.renewal_requested.emit(cert_id)

    def notify(self, title: str, message: str) -> None:
        self.notified.emit(title, message)

    # --- dialogs ------------------------------------------------------------------------------
    def show_error(self, exc: BaseException, parent: QWidget | None = None) -> QWidget:
        """Explain any failure in the shared 提示/说明/解决方案 dialog (window-modal, does not block).

        The dialog is also kept in ``last_message`` (tests read it from there).
        """
        from gui.dialogs.message import MessageDialog

        log.info("showing error %s", getattr(exc, "code", type(exc).__name__))
        return self._open(MessageDialog.for_exception(exc, parent or self.dialog_parent))

    def show_info(self, code: str, parent: QWidget | None = None, **params: Any) -> QWidget:
        """A success/information message from the catalogue, in the same three-part form."""
        from gui.dialogs.message import MessageDialog

        return self._open(MessageDialog.info(code, parent or self.dialog_parent, **params))

    def _open(self, dialog: QWidget) -> QWidget:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_message = dialog
        dialog.open()
        return dialog

    def ask_pin(self, serial: str, requester: str, *, title: str = "", parent: QWidget | None = None,
                so: bool = False) -> bytearray | None:
        """Ask for the PIN of the key ``serial`` on behalf of ``requester``; None when cancelled."""
        from gui.dialogs.pin_entry import PinEntryDialog

        return PinEntryDialog.ask(self, serial, requester, title=title, parent=parent or self.dialog_parent, so=so)

    def report_login(self, result: LoginResult) -> None:
        """Call after every KeyService.login: a proven default PIN makes the pages suggest changing it."""
        if result.default_pin:
            serial = result.session.info.serial
            self.default_pin_serials.add(serial)
            self.default_pin_detected.emit(serial)

    # --- the local service --------------------------------------------------------------------
    def start_service(self) -> LocalService | None:
        """Start the 127.0.0.1 service websites use (port from settings) unless it runs already.

        Returns it, or None with ``service_error`` set to why it could not start; calling again retries.
        """
        if self.service is not None:
            return self.service
        from gui.pages.portals.consent import make_service

        service = make_service(self)
        try:
            service.start()
        except Exception as exc:  # noqa: BLE001 - the portals page shows why, with 重试
            log.warning("local service not started: %s", getattr(exc, "code", type(exc).__name__))
            self.service_error = exc
        else:
            self.service, self.service_error = service, None
        self.service_changed.emit()
        return self.service

    def stop_service(self) -> None:
        service, self.service = self.service, None
        if service is not None:
            service.stop()
            self.service_changed.emit()

    @Slot(str, object)
    def _after_login(self, serial: str, result: LoginResult | None) -> None:
        if result is not None:
            self.report_login(result)
        self.login_tried.emit(serial)

    def on_shutdown(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` when the application shuts down (before the key service stops)."""
        self._on_shutdown.append(fn)

    def shutdown(self) -> None:
        """Stop what pages started, stop watching and wait for jobs; a service made by the factory is shut
        down too."""
        while self._on_shutdown:
            self._on_shutdown.pop()()
        self.stop_service()
        self.stop_watching()
        self.jobs.shutdown()
        if self._tokens_factory is not None and self._tokens is not None:
            self._tokens.shutdown()


def _reporting_keys(tokens: TokenService, tried: Callable[[str, LoginResult | None], None]) -> KeyService:
    """A KeyService whose every login (signing, the local service, renewal…) is reported through ``tried``,
    right or wrong, so the pages re-read the key's PIN flags (they are snapshots) and see a default PIN."""
    from helper.keys import KeyService

    class ReportingKeys(KeyService):
        def login(self, serial: str, pin: bytearray, *, rw: bool = False) -> LoginResult:
            try:
                result = super().login(serial, pin, rw=rw)
            except Exception:
                tried(serial, None)
                raise
            tried(serial, result)
            return result

    return ReportingKeys(tokens)
