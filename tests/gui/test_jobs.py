"""Background jobs: results reach the GUI thread, and a result for a widget that is gone is dropped."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QLabel

from gui.jobs import JobRunner


def test_result_arrives_on_the_gui_thread(qtbot):
    runner = JobRunner()
    job = runner.run(lambda: threading.current_thread().name, description="thread name")
    seen: list[tuple[str, bool]] = []
    job.finished.connect(lambda name: seen.append((name, threading.current_thread() is threading.main_thread())))
    qtbot.waitUntil(lambda: bool(seen), timeout=15000)
    assert seen[0][0].startswith("gui-job") and seen[0][1]


def test_result_for_a_deleted_owner_is_dropped(qtbot):
    runner = JobRunner(on_error=lambda exc: errors.append(exc))
    errors: list[BaseException] = []
    release = threading.Event()
    label = QLabel("waiting")
    job = runner.run(release.wait, 5, owner=label, description="slow")
    delivered: list[object] = []
    job.finished.connect(lambda value: delivered.append(label.text()))  # would touch a deleted widget
    failing = runner.run(lambda: release.wait(5) / 0, owner=label, description="fails after its owner is gone")
    label.deleteLater()
    qtbot.waitUntil(lambda: _deleted(label), timeout=15000)
    release.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=15000)
    assert delivered == [] and errors == [] and not failing.running


def _deleted(widget) -> bool:
    import shiboken6

    return not shiboken6.isValid(widget)
