"""Qt translations: English source texts in code, Chinese in ``resources/translations/*_zh_CN.ts``.

Write every visible string as English with ``self.tr("…")`` in a QObject subclass, or with
``QCoreApplication.translate("Context", "…")`` (literally: lupdate does not see aliases). Use the
latter in classes that get subclassed: PySide's ``tr`` looks strings up under the *runtime* class
name, while lupdate files them under the class that contains the call. Each page package has its own catalogue, so
engineers never edit each other's files:

* ``resources/translations/cahelper_zh_CN.ts``  shell, shared dialogs, widgets, 我的证书, 设置
* ``resources/translations/<page>_zh_CN.ts``     every other ``gui/pages/<page>/`` package

``python -m gui.i18n update`` runs ``pyside6-lupdate`` over those sources (new strings appear as
unfinished entries: fill in ``<translation>`` in the .ts), and ``python -m gui.i18n compile`` runs
``pyside6-lrelease`` to produce the shipped ``.qm`` files next to them. At start-up ``install``
loads every ``*_zh_CN.qm`` found, plus Qt's own ``qtbase_zh_CN.qm`` for standard buttons.
tests/gui/test_translations.py fails when a visible text is left in the wrong language or a .qm
is older than its .ts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from helper import messages

ROOT = Path(__file__).resolve().parents[1]
TS_DIR = ROOT / "resources" / "translations"
LANGUAGES = {"zh": "zh_CN", "en": "en"}
SHARED = ["gui/app.py", "gui/shell.py", "gui/context.py", "gui/jobs.py", "gui/tray.py", "gui/theme.py",
          "gui/autostart.py", "gui/single_instance.py", "gui/dialogs", "gui/widgets", "gui/pages/placeholder.py",
          "gui/pages/certificates", "gui/pages/settings"]
OWN_PAGES = {"certificates", "settings"}

_installed: list[QTranslator] = []


def catalogues() -> dict[str, list[str]]:
    """.ts base name -> the source paths it covers."""
    out = {"cahelper": SHARED}
    for page in sorted((ROOT / "gui" / "pages").iterdir()):
        if page.is_dir() and (page / "__init__.py").exists() and page.name not in OWN_PAGES:
            out[page.name] = [f"gui/pages/{page.name}"]
    return out


def install(app: QCoreApplication, language: str) -> None:
    """Switch the application's translators (and the message catalogue) to ``language`` ("zh"/"en")."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    messages.set_language(language if language in messages.LANGUAGES else "zh")
    if language != "zh":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    files = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)) / "qtbase_zh_CN.qm"]
    files += sorted(TS_DIR.glob("*_zh_CN.qm"))
    for path in files:
        translator = QTranslator(app)
        if translator.load(str(path)):
            app.installTranslator(translator)
            _installed.append(translator)


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / f"pyside6-{name}")


def update() -> None:
    """Refresh every .ts from the sources (keeps existing translations)."""
    import subprocess

    for base, sources in catalogues().items():
        subprocess.run([_tool("lupdate"), "-extensions", "py", "-no-obsolete", "-locations", "none", *sources,
                        "-ts", str(TS_DIR / f"{base}_zh_CN.ts")], cwd=ROOT, check=True)


def compile_all() -> None:
    """Compile every .ts into the .qm shipped next to it."""
    import subprocess

    for ts in sorted(TS_DIR.glob("*_zh_CN.ts")):
        subprocess.run([_tool("lrelease"), "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)


if __name__ == "__main__":
    {"update": update, "compile": compile_all}[sys.argv[1] if len(sys.argv) > 1 else "compile"]()
