"""The never-rules of the architecture (shared DESIGN.md §1 and §6), checked on every import in the tree:

- layers go gui -> helper -> tokenio, never upwards: tokenio imports neither helper nor gui, helper never gui;
- helper's services never import the CLI face (helper.cli), which sits beside the GUI as a face;
- the GUI does no PKCS#11 and no crypto: no tokenio, pkcs11, cryptography, asn1crypto or pyhanko;
- product code never imports the demo (helper.demo: demo PKI, demo token, demo portals);
- no import cycles between the top-level packages, nor between helper's subpackages (login, renewal, signing…).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tokenio", "helper", "gui")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (inside functions too), relative imports resolved."""
    tree = ast.parse(path.read_text("utf-8"))
    here = module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[:len(here) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names}
    return names


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def offenders(package: str, banned, *, skip=lambda path: False) -> list[str]:
    return [f"{path.relative_to(ROOT)} imports {name}" for path in sources(package) if not skip(path)
            for name in sorted(imported_modules(path)) if banned(name)]


def top(name: str) -> str:
    return name.split(".")[0]


def test_lower_layers_never_import_upper_ones():
    assert offenders("tokenio", lambda n: top(n) in ("helper", "gui")) == []
    assert offenders("helper", lambda n: top(n) == "gui") == []


def test_helper_services_never_import_the_cli_face():
    assert offenders("helper", lambda n: n == "helper.cli" or n.startswith("helper.cli."),
                     skip=lambda p: "cli" in p.relative_to(ROOT / "helper").parts[:1]) == []


def test_gui_reaches_keys_only_through_helper():
    crypto = ("tokenio", "pkcs11", "cryptography", "asn1crypto", "pyhanko")
    assert offenders("gui", lambda n: top(n) in crypto) == []


def test_product_never_imports_the_demo():
    def is_demo(name: str) -> bool:
        return name == "helper.demo" or name.startswith("helper.demo.")

    def in_demo(path: Path) -> bool:
        return (ROOT / "helper" / "demo") in path.parents

    found = [o for package in PACKAGES for o in offenders(package, is_demo, skip=in_demo)]
    assert found == []


def test_no_cycles_between_packages():
    edges = {p: {top(n) for path in sources(p) for n in imported_modules(path) if top(n) in PACKAGES} - {p}
             for p in PACKAGES}
    cycles = [(a, b) for a in PACKAGES for b in edges[a] if a in edges[b]]
    assert cycles == []


def test_no_cycles_between_helper_subpackages():
    folder = ROOT / "helper"
    subpackages = sorted(p.name for p in folder.iterdir() if (p / "__init__.py").exists())

    def owner(name: str) -> str | None:
        parts = name.split(".")
        return parts[1] if len(parts) > 1 and parts[0] == "helper" and parts[1] in subpackages else None

    edges = {s: {owner(n) for path in sorted((folder / s).rglob("*.py")) for n in imported_modules(path)} - {s, None}
             for s in subpackages}
    cycles = [(a, b) for a in subpackages for b in sorted(edges[a]) if a < b and a in edges[b]]
    assert cycles == []


def test_importing_the_tray_loads_no_pkcs11_before_the_first_paint():
    import subprocess
    import sys

    probe = ("import sys, gui.tray; bad = [m for m in ('pkcs11', 'tokenio.worker', 'tokenio.module') if m in sys.modules];"
             " print(bad); sys.exit(1 if bad else 0)")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout + run.stderr
