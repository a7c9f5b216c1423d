"""Background jobs: run blocking service calls off the GUI thread and get the result back on it.

Every call that may touch a USB key (``KeyService`` / ``TokenService``) or the network goes through
here, so the event loop never blocks. A page does::

    job = app.jobs.run(app.keys.certificates, serial, description=self.tr("Reading certificates"))
    job.finished.connect(self._show)       # called on the GUI thread with the return value
    job.failed.connect(self._on_failure)    # optional: called with the exception

When nothing is connected to ``failed`` the runner hands the exception to its ``on_error`` hook
(``AppContext`` shows it in the shared 提示/说明/解决方案 dialog), so no failure is ever silent.
``JobRunner.busy`` drives the busy indicator in the window; ``Job.busy`` lets a page disable its
own buttons while its call runs.

Jobs are not cancellable once started (a PKCS#11 call cannot be interrupted); a job whose receiver
was deleted simply has nobody left to tell. PINs passed as arguments are wiped by the services.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


class Job(QObject):
    """One background call. Signals are always emitted on the GUI thread."""

    finished = Signal(object)  # the return value
    failed = Signal(object)  # the exception (BaseException)
    done = Signal()  # after finished or failed
    _completed = Signal(object, object)  # internal: (result, exception) from the worker thread

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], description: str,
                 parent: QObject | None = None, owner: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn = fn
        self.args = args
        self.description = description
        self.owner = owner
        self.running = False
        self.result: Any = None
        self.error: BaseException | None = None
        self._completed.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def _execute(self) -> None:
        """Worker thread: run the call and post its outcome to the GUI thread."""
        try:
            result, error = self.fn(*self.args), None
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI through `failed`
            result, error = None, exc
        self.args = ()
        self._completed.emit(result, error)

    @Slot(object, object)
    def _deliver(self, result: Any, error: BaseException | None) -> None:
        self.running = False
        self.result, self.error = result, error
        if self.owner is not None and not shiboken6.isValid(self.owner):
            self.error = None  # the page or dialog that asked is gone: nobody is left to tell
        elif error is None:
            self.finished.emit(result)
        else:
            self.failed.emit(error)
        self.done.emit()

    def has_failure_handler(self) -> bool:
        return self.receivers("2failed(PyObject)") > 0


class JobRunner(QObject):
    """Runs jobs on a small thread pool (the token thread serialises the PKCS#11 calls anyway)."""

    busy_changed = Signal(bool)
    job_started = Signal(object)
    job_done = Signal(object)

    def __init__(self, on_error: Callable[[BaseException], None] | None = None, workers: int = 2,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gui-job")
        self._running: set[Job] = set()
        self._closed = False
        self.on_error = on_error

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def run(self, fn: Callable[..., Any], *args: Any, description: str = "", owner: QObject | None = None) -> Job:
        """Start ``fn(*args)`` on a worker thread; connect to the returned job's signals right away.

        ``owner``: the widget the result is for; if it is deleted first, the result is dropped. After
        ``shutdown`` (the app is quitting) the returned job never runs.
        """
        job = Job(fn, args, description, self, owner)
        if self._closed:
            return job
        job.running = True
        job.done.connect(lambda: self._finish(job))
        was_busy = self.busy
        self._running.add(job)
        self.job_started.emit(job)
        if not was_busy:
            self.busy_changed.emit(True)
        self._pool.submit(job._execute)
        return job

    def _finish(self, job: Job) -> None:
        if job.error is not None and not job.has_failure_handler():
            log.info("job %r failed: %s", job.description, type(job.error).__name__)
            if self.on_error is not None:
                self.on_error(job.error)
        self._running.discard(job)
        self.job_done.emit(job)
        if not self._running:
            self.busy_changed.emit(False)
        job.deleteLater()

    def shutdown(self) -> None:
        """Wait for running calls to end (used when the app quits)."""
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
