"""Packaging: the NSIS script compiles (fake and real payload), the PyInstaller onedir builds and runs,
the Windows workflow references files that exist."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from installer import build
from installer.qt_excludes import drop_unused
from tokenio.drivers import read_arch

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "windows-installer.yml"


def is_pe(path: Path) -> bool:
    arch = read_arch(str(path))
    return arch.format == "PE"


def test_nsis_script_compiles_without_warnings_on_a_tiny_payload(tmp_path):
    payload = tmp_path / "payload"
    (payload / "_internal").mkdir(parents=True)
    (payload / "cahelper-gui.exe").write_bytes(b"gui")
    (payload / "_internal" / "data.txt").write_text("x")
    out = build.build_installer(payload, tmp_path / "setup.exe", compressor="zlib")
    assert out.exists() and is_pe(out)
    assert out.read_bytes()[:2] == b"MZ"


def test_nsis_script_has_both_languages_and_every_component():
    text = (ROOT / "installer" / "cahelper.nsi").read_text("utf-8")
    assert "Unicode true" in text and '!insertmacro MUI_LANGUAGE "SimpChinese"' in text
    assert '!insertmacro MUI_LANGUAGE "English"' in text
    for name in re.findall(r"LangString (\w+) \$\{LANG_SIMPCHINESE\}", text):
        assert f"LangString {name} ${{LANG_ENGLISH}}" in text, name
    for needle in ("$PROGRAMFILES64", "数字证书助手", "diagnose --fix root-ca --yes", '--sign "%1"',
                   "SystemFileAssociations\\.pdf", "--minimized", 'Section /o "un.$(UNSEC_DATA)"'):
        assert needle in text, needle


def test_drop_unused_keeps_what_the_gui_needs():
    toc = [(p, p, "BINARY") for p in (
        "PySide6/Qt/lib/libQt6Widgets.so.6", "PySide6/Qt/lib/libQt6Svg.so.6", "PySide6/Qt6Widgets.dll",
        "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/qwindows.dll",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so", "PySide6/Qt/translations/qtbase_zh_CN.qm",
        "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt6Qml.dll", "PySide6/Qt/qml/QtQuick/x.qml",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so", "PySide6/Qt/translations/qtdeclarative_de.qm",
        "libgtk-3.so.0", "PySide6\\Qt6WebEngineCore.dll", "resources/translations/cahelper_zh_CN.qm")]
    kept = {t[0] for t in drop_unused(toc)}
    assert kept == {"PySide6/Qt/lib/libQt6Widgets.so.6", "PySide6/Qt/lib/libQt6Svg.so.6", "PySide6/Qt6Widgets.dll",
                    "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/qwindows.dll",
                    "PySide6/Qt/plugins/iconengines/libqsvgicon.so", "PySide6/Qt/translations/qtbase_zh_CN.qm",
                    "resources/translations/cahelper_zh_CN.qm"}


def test_windows_workflow_is_valid_and_points_at_real_files():
    flow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    job = flow["jobs"]["installer"]
    assert job["runs-on"] == "windows-latest"
    steps = job["steps"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"] == {"python-version": "3.11", "architecture": "x64"}
    commands = "\n".join(s.get("run", "") for s in steps)
    for needle in ("pip install .[build]", "choco install nsis", "makensis"):
        assert needle in commands, needle
    referenced = set(re.findall(r"installer/[\w.]+", commands))
    assert referenced == {"installer/cahelper.spec", "installer/cahelper.nsi"}
    for path in referenced:
        assert (ROOT / path).is_file(), path
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    assert re.search(r"^build = \[.*pyinstaller", pyproject, re.M)


@pytest.fixture(scope="session")
def onedir() -> Iterator[Path]:
    """The real PyInstaller onedir, built once per session in a temp folder (about 30–60 s)."""
    with tempfile.TemporaryDirectory(prefix="cahelper-build-") as tmp:
        yield build.build_onedir(Path(tmp) / "dist", Path(tmp) / "work")


@pytest.mark.slow
def test_real_bundle_runs_and_packs(onedir, tmp_path):
    assert build.program(onedir, "cahelper").is_file() and build.program(onedir, "cahelper-gui").is_file()
    internal = onedir / "_internal"
    assert (internal / "resources" / "messages" / "diagnostics.toml").is_file()
    assert (internal / "resources" / "fonts" / "cahelper-cjk.ttf").is_file()
    assert list((internal / "resources" / "translations").glob("*.qm"))
    assert not list(internal.rglob("*Qt6Quick*")) and not list(internal.rglob("*Qt6Qml*"))
    assert not list(internal.rglob("*WebEngine*")) and not (internal / "PySide6" / "Qt" / "qml").exists()
    result = build.smoke_test(onedir)
    assert result.problems == ()
    assert "0.1" in result.version_output and "smoke-test-key" in result.tokens_output and result.gui_checked
    setup = build.build_installer(onedir, tmp_path / "setup.exe", compressor="none")
    assert is_pe(setup) and setup.stat().st_size > 50_000_000


def test_program_icon_has_every_windows_size(tmp_path):
    from PIL import Image

    from installer.icon import SIZES, make_ico

    with Image.open(make_ico(tmp_path / "cahelper.ico")) as ico:
        assert ico.format == "ICO"
        assert sorted(ico.info["sizes"]) == [(s, s) for s in SIZES]
        ico.size = (256, 256)
        alpha = ico.convert("RGBA").getchannel("A")
        assert alpha.getextrema() == (0, 255)  # drawn, with a transparent background
