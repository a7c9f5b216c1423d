"""Bundle size: the PyInstaller onedir (built if missing), its biggest parts, and the ratio to the 120 MB target.

    python bench/bench_bundle.py            # uses dist/cahelper, builds it first when missing
    python bench/bench_bundle.py --rebuild  # always rebuild
    python bench/bench_bundle.py --nsis     # also compile the installer (solid LZMA, ~2 min) and report it
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from installer import build  # noqa: E402

TARGET_MB = 120.0


def size(path: Path) -> int:
    """Bytes in ``path``, not counting symlinks (PyInstaller links shared libraries into _internal on Linux)."""
    if path.is_symlink():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def contributors(onedir: Path, top: int = 12) -> list[tuple[str, int]]:
    """Biggest entries of _internal, with PySide6/Qt split one level further."""
    internal = onedir / "_internal"
    entries: list[tuple[str, int]] = []
    for child in internal.iterdir():
        if child.name == "PySide6":
            entries += [(f"PySide6/{c.name}", size(c)) for c in child.iterdir() if c.name != "Qt"]
            entries += [(f"PySide6/Qt/{c.name}", size(c)) for c in (child / "Qt").iterdir()]
        else:
            entries.append((child.name, size(child)))
    return sorted((e for e in entries if e[1]), key=lambda e: -e[1])[:top]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--nsis", action="store_true")
    args = parser.parse_args()
    onedir = build.DIST / "cahelper"
    if args.rebuild or not build.program(onedir, "cahelper").exists():
        started = time.monotonic()
        build.build_onedir()
        print(f"build: {time.monotonic() - started:.0f} s")
    total = size(onedir) / 1e6
    print(f"onedir {onedir}: {total:.1f} MB — {total / TARGET_MB:.2f}× the {TARGET_MB:.0f} MB target")
    print("biggest parts:")
    for name, n in contributors(onedir):
        print(f"  {n / 1e6:7.1f} MB  {name}")
    if args.nsis and build.makensis():
        started = time.monotonic()
        setup = build.build_installer(onedir, build.DIST / "cahelper-setup-bench.exe")
        mb = setup.stat().st_size / 1e6
        print(f"installer (solid LZMA): {mb:.1f} MB — {mb / TARGET_MB:.2f}× target, "
              f"compiled in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
