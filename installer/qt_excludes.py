"""What the bundle leaves out: Qt modules the helper never uses, and development-only packages.

The helper's GUI needs QtCore, QtGui, QtWidgets, QtSvg (icons) and QtNetwork (single instance);
everything else in PySide6 (QML/Quick, WebEngine, 3D, Multimedia, Charts, Designer, …) is dropped
both as Python modules and as the Qt libraries, plugins and translations the hooks would copy.
"""

from __future__ import annotations

import re

UNUSED_QT = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender", "QtBluetooth",
    "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDesigner", "QtGraphs", "QtHelp", "QtHttpServer",
    "QtLabsStyleKit", "QtLocation", "QtMultimedia", "QtMultimediaWidgets", "QtNfc", "QtOpenGL",
    "QtOpenGLWidgets", "QtPdf", "QtPdfWidgets", "QtPositioning", "QtPrintSupport", "QtQml", "QtQmlFeatures",
    "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml",
    "QtSensors", "QtSerialBus", "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtTest",
    "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets",
    "QtWebSockets", "QtWebView", "QtXml",
)

EXCLUDED_MODULES = [f"PySide6.{m}" for m in UNUSED_QT] + [
    "tkinter", "_tkinter", "pytest", "_pytest", "hypothesis", "certomancer", "playwright", "pytestqt",
    "IPython", "matplotlib", "numpy.tests", "PyInstaller",
]

# Qt shared libraries, plugins and data the Qt hooks copy although no kept module needs them, and the
# Linux desktop libraries only the dropped plugins (GTK theme, Wayland, EGL) pull in.
_UNUSED_FILES = re.compile(
    r"(?i)("
    r"libQt6(Qml|Quick|Designer|Help|Labs|Lottie|Sql|Test|Pdf|Wayland|WlShell|UiTools|"
    r"OpenGLWidgets|Concurrent|Xml|EglFS|ShaderTools|VirtualKeyboard|Multimedia|WebEngine|3D|Charts)"
    r"|Qt6(Qml|Quick|Designer|Help|Labs|Lottie|Sql|Test|Pdf|UiTools|Multimedia|WebEngine|3D|Charts)\w*\.dll"
    r"|/qml/"
    r"|/plugins/(qmltooling|sqldrivers|designer|multimedia|virtualkeyboard|sceneparsers|renderers|"
    r"geometryloaders|position|canbus|texttospeech|webview|qmllint|qmlls|egldeviceintegrations|generic|"
    r"networkinformation|platformthemes|wayland-[\w-]+|vectorimageformats)/"
    r"|/plugins/platforms/(lib)?q(eglfs|linuxfb|minimalegl|vkkhrdisplay|vnc|wayland)"
    r"|/plugins/imageformats/(lib)?q(tiff|webp|wbmp|tga|icns|pdf)"
    r"|Qt/translations/(?!qtbase_zh_CN|qtbase_en)[^/]+\.qm$"
    r"|^(lib(gtk|gdk|cairo|pango|atk|epoxy|wayland|harfbuzz\.|fribidi|thai|datrie|pixman|graphite2|"
    r"atspi|cloudproviders|tracker|colord|rsvg|xdg|avahi|cups)[^/]*)$"
    r")"
)


def drop_unused(toc: list[tuple]) -> list[tuple]:
    """A PyInstaller TOC without the Qt files matched above (entries are (dest, source, kind))."""
    return [entry for entry in toc if not _UNUSED_FILES.search(entry[0].replace("\\", "/"))]
