"""Build the helper bundle: PyInstaller onedir, smoke test, and (with --nsis) the NSIS installer.

    python -m installer.build            # dist/cahelper/ + smoke test   (./dev build)
    python -m installer.build --nsis     # also dist/cahelper-setup-<version>.exe via makensis

On Windows the same spec produces the real Windows programs; the Windows CI workflow
(.github/workflows/windows-installer.yml) runs it there. Here it proves the spec, the data files
and the entry points work, and gives makensis a real payload.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from helper import __version__

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "installer" / "cahelper.spec"
NSI = ROOT / "installer" / "cahelper.nsi"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
ICON = ROOT / "build" / "cahelper.ico"  # read by installer/cahelper.spec and the NSIS script
EXE_SUFFIX = ".exe" if sys.platform.startswith("win") else ""


@dataclass(frozen=True)
class SmokeResult:
    """What the smoke test saw; ``problems`` is empty when everything worked."""

    version_output: str
    tokens_output: str
    gui_checked: bool
    problems: tuple[str, ...]


def build_onedir(dist: Path = DIST, work: Path = WORK, *, clean: bool = False) -> Path:
    """Render the icon, run PyInstaller on the spec; returns the onedir folder (``dist``/cahelper)."""
    from installer.icon import make_ico

    make_ico(ICON)
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    if clean:
        cmd.insert(3, "--clean")
    subprocess.run(cmd, check=True, cwd=ROOT)
    return dist / "cahelper"


def program(onedir: Path, name: str) -> Path:
    return onedir / f"{name}{EXE_SUFFIX}"


def smoke_test(onedir: Path, *, gui_seconds: float = 60.0) -> SmokeResult:
    """Run the built programs: --version, `tokens` against a fresh SoftHSM key, the GUI offscreen."""
    from helper.demo import softhsm

    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cahelper-smoke-") as tmp:
        conf = softhsm.configure(Path(tmp) / "softhsm")
        label = "smoke-test-key"
        softhsm.init_token(conf, label, "123456", "12345678")
        env = {**os.environ, "SOFTHSM2_CONF": str(conf), "CAHELPER_HOME": str(Path(tmp) / "home"),
               "CAHELPER_PKCS11_MODULE": softhsm.SOFTHSM_MODULE, "QT_QPA_PLATFORM": "offscreen"}
        cli = str(program(onedir, "cahelper"))
        version = subprocess.run([cli, "--version"], env=env, capture_output=True, text=True, timeout=60)
        if version.returncode != 0 or __version__ not in version.stdout:
            problems.append(f"--version: rc={version.returncode} {version.stdout!r} {version.stderr[-500:]!r}")
        tokens = subprocess.run([cli, "tokens"], env=env, capture_output=True, text=True, timeout=60)
        if tokens.returncode != 0 or label not in tokens.stdout:
            problems.append(f"tokens: rc={tokens.returncode} {tokens.stdout!r} {tokens.stderr[-500:]!r}")
        gui = program(onedir, "cahelper-gui")
        if gui.exists():
            problems += _smoke_gui(gui, env, gui_seconds)
    return SmokeResult(version.stdout.strip(), tokens.stdout.strip(), gui.exists(), tuple(problems))


def _smoke_gui(gui: Path, env: dict[str, str], seconds: float) -> list[str]:
    """The GUI must start offscreen, paint its window and quit by itself (``--exit-after first-paint``)."""
    try:
        done = subprocess.run([str(gui), "--exit-after", "first-paint"], env=env, capture_output=True, text=True,
                              timeout=seconds)
    except subprocess.TimeoutExpired:
        return [f"cahelper-gui did not paint within {seconds:.0f} s"]
    if done.returncode != 0:
        return [f"cahelper-gui: rc={done.returncode} {done.stderr[-800:]!r}"]
    return []


def makensis() -> str | None:
    return shutil.which("makensis")


def build_installer(payload: Path, out: Path, *, version: str = __version__, compressor: str | None = None) -> Path:
    """Compile installer/cahelper.nsi around ``payload`` (an onedir folder) into ``out`` (.exe).

    ``compressor`` overrides the script's solid LZMA ("zlib", or "none" to store only: for tests).
    """
    tool = makensis()
    if tool is None:
        raise RuntimeError("makensis is not installed (Debian: apt-get install nsis)")
    out.parent.mkdir(parents=True, exist_ok=True)
    numeric = ".".join((version.split("+")[0].split(".") + ["0", "0", "0"])[:4])
    cmd = [tool, "-V2", "-INPUTCHARSET", "UTF8", f"-DPAYLOAD={payload.resolve()}", f"-DOUTFILE={out.resolve()}",
           f"-DVERSION={version}", f"-DVERSION_NUMERIC={numeric}", str(NSI)]
    if compressor:
        cmd.insert(-1, f"-DCOMPRESSOR={compressor}")
    if ICON.exists():
        cmd.insert(-1, f"-DICON={ICON}")
    subprocess.run(cmd, check=True, cwd=ROOT / "installer")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m installer.build", description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="clear PyInstaller's cache first")
    parser.add_argument("--no-smoke", action="store_true", help="skip the smoke test")
    parser.add_argument("--nsis", action="store_true", help="also compile the NSIS installer (makensis)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    onedir = build_onedir(clean=args.clean)
    print(f"built {onedir} in {time.monotonic() - started:.0f} s")
    if not args.no_smoke:
        result = smoke_test(onedir)
        for problem in result.problems:
            print(f"SMOKE FAILED: {problem}", file=sys.stderr)
        if result.problems:
            return 1
        print(f"smoke test passed ({result.version_output}; GUI {'checked' if result.gui_checked else 'not built yet'})")
    if args.nsis:
        setup = build_installer(onedir, DIST / f"cahelper-setup-{__version__}.exe")
        print(f"installer {setup} ({setup.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
