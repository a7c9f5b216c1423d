"""The service's wiring: the HTTP server knows no feature, no feature imports the server, and nothing reaches
into aiohttp's private attributes."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SERVER = ("helper/login/server.py", "helper/login/http.py")
FEATURES = ("helper/login/routes.py", "helper/login/pdfsign.py", "helper/login/keyops.py", "helper/renewal/web.py")
FEATURE_MODULES = ("helper.keys", "helper.login.keyops", "helper.login.routes", "helper.login.pdfsign",
                   "helper.local_service", "helper.renewal", "helper.signing", "tokenio")


def _imports(path: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse((ROOT / path).read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_server_imports_no_feature():
    for path in SERVER:
        bad = [n for n in _imports(path) if n.startswith(FEATURE_MODULES)]
        assert not bad, f"{path} imports {bad}"


def test_no_feature_imports_the_server():
    for path in FEATURES:
        bad = [n for n in _imports(path) if n in ("helper.login.server", "helper.local_service")]
        assert not bad, f"{path} imports {bad}"


def test_no_private_attributes_of_other_objects():
    for path in SERVER + FEATURES + ("helper/local_service.py",):
        for node in ast.walk(ast.parse((ROOT / path).read_text("utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                assert isinstance(owner, ast.Name) and owner.id in ("self", "cls"), \
                    f"{path}:{node.lineno} reads {ast.unparse(node)}"
