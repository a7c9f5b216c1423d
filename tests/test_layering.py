"""Layering: gui -> helper -> tokenio, never upwards (a lower layer never imports an upper one)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"tokenio": ("helper", "gui"), "helper": ("gui",)}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_lower_layers_never_import_upper_ones():
    offenders = []
    for layer, banned in FORBIDDEN.items():
        for path in (ROOT / layer).rglob("*.py"):
            for name in imported_modules(path):
                if name.split(".")[0] in banned:
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders


def test_gui_does_no_pkcs11_or_crypto():
    offenders = []
    for path in (ROOT / "gui").rglob("*.py"):
        for name in imported_modules(path):
            if name.split(".")[0] in ("pkcs11", "cryptography", "asn1crypto", "pyhanko") or name == "tokenio.session":
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders
