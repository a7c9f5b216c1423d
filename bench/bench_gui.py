"""Cold start of cahelper-gui (offscreen) against a bare PySide6 window, in the same run.

1. first painted main window: `python -m gui.app --exit-after first-paint` vs a bare QMainWindow
   (import PySide6.QtWidgets, QApplication, show, first paint)            -> ratio must be <= 2.0
2. first window with the certificates listed (demo SoftHSM key): `--exit-after certificates` vs the
   bare window plus enumerating the keys and reading their certificates  -> ratio must be <= 1.5
Each figure is the best of several cold process starts, taken round-robin so that load from other
processes hits all four alike. Prints the figures; exits 1 when a ratio is exceeded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7

BARE = """
from PySide6 import QtWidgets
from PySide6.QtCore import QEvent, QObject, QTimer
app = QtWidgets.QApplication([])
class F(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, app.quit)
        return False
w = QtWidgets.QMainWindow()
f = F(); w.installEventFilter(f)
w.resize(1000, 680); w.show(); w.repaint()
app.exec()
if ENUMERATE:
    from helper.keys import KeyService, make_service
    service = make_service()
    keys = KeyService(service)
    assert keys.certificates(), "no certificates on the demo key"
    service.shutdown()
"""


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - start


def best(cmds: dict[str, list[str]], env: dict[str, str]) -> dict[str, float]:
    """Best wall time of each command, run round-robin (every run is a new process)."""
    for cmd in cmds.values():
        timed(cmd, env)  # warm the OS file cache once
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(RUNS):
        for name, cmd in cmds.items():
            times[name].append(timed(cmd, env))
    return {name: min(values) for name, values in times.items()}


def main() -> int:
    from helper.demo import environment

    folder = Path(tempfile.mkdtemp(prefix="cahelper-bench-gui-"))
    demo, _ = environment.ensure(folder / "demo")
    env = {**os.environ, **demo.env, "QT_QPA_PLATFORM": "offscreen"}
    py = sys.executable
    t = best({
        "bare": [py, "-c", "ENUMERATE = False\n" + BARE],
        "first": [py, "-m", "gui.app", "--exit-after", "first-paint"],
        "bare_enum": [py, "-c", "ENUMERATE = True\n" + BARE],
        "listed": [py, "-m", "gui.app", "--exit-after", "certificates"],
    }, env)
    bare, first, bare_enum, listed = t["bare"], t["first"], t["bare_enum"], t["listed"]
    r1, r2 = first / bare, listed / bare_enum
    print(f"bare PySide6 window, first paint      {bare * 1000:7.0f} ms")
    print(f"cahelper-gui, first paint              {first * 1000:7.0f} ms   ratio {r1:.2f} (limit 2.0)")
    print(f"bare window + key enumeration          {bare_enum * 1000:7.0f} ms")
    print(f"cahelper-gui, certificates listed      {listed * 1000:7.0f} ms   ratio {r2:.2f} (limit 1.5)")
    return 0 if r1 <= 2.0 and r2 <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
