"""Look and feel: the CA-blue palette, one application stylesheet, SVG icons, the CJK UI font."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication

import resources

ICONS = Path(resources.__file__).parent / "icons"
ICON_URL = ICONS.as_posix()  # stylesheet url(): forward slashes on every system
ACCENT = "#1D4ED8"
ACCENT_LIGHT = "#E8F0FE"
TEXT = "#1F2937"
MUTED = "#6B7280"
OK = "#15803D"
WARN = "#B45309"
BAD = "#B91C1C"
STATUS_COLOURS = {"valid": (OK, "#DCFCE7"), "expiring": (WARN, "#FEF3C7"), "expired": (BAD, "#FEE2E2"),
                  "not_yet_valid": (MUTED, "#F3F4F6")}

FONT_FAMILIES = ["Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei",
                 "Noto Sans CJK SC", "Sans Serif"]

STYLESHEET = f"""
QMainWindow, QDialog {{ background: #F5F7FB; }}
QWidget {{ color: {TEXT}; font-size: 13px; }}
#NavBar {{ background: #FFFFFF; border-right: 1px solid #E5E7EB; }}
#NavTitle {{ font-size: 15px; font-weight: bold; color: {ACCENT}; }}
#NavBar QListWidget {{ border: none; background: transparent; outline: none; }}
#NavBar QListWidget::item {{ padding: 10px 12px; margin: 2px 8px; border-radius: 8px; color: #374151; }}
#NavBar QListWidget::item:hover {{ background: #F1F5F9; }}
#NavBar QListWidget::item:selected {{ background: {ACCENT_LIGHT}; color: {ACCENT}; font-weight: bold; }}
#PageTitle {{ font-size: 20px; font-weight: bold; }}
#PageSubtitle, .Muted, QLabel[muted="true"] {{ color: {MUTED}; }}
#Card {{ background: #FFFFFF; border: 1px solid #E5E7EB; border-radius: 12px; }}
#CertRow {{ background: #FAFBFD; border: 1px solid #EEF0F4; border-radius: 10px; }}
#CardTitle {{ font-size: 16px; font-weight: bold; }}
#CertUnit {{ font-size: 15px; font-weight: bold; }}
#Banner {{ background: #FFF7E6; border: 1px solid #FCD34D; border-radius: 10px; }}
#EmptyTitle {{ font-size: 18px; font-weight: bold; }}
QPushButton {{ background: #FFFFFF; border: 1px solid #D1D5DB; border-radius: 6px; padding: 6px 14px; }}
QPushButton:hover {{ border-color: {ACCENT}; color: {ACCENT}; }}
QPushButton:focus {{ border: 2px solid #93C5FD; }}
QPushButton:disabled {{ color: #9CA3AF; background: #F3F4F6; }}
QPushButton[primary="true"] {{ background: {ACCENT}; color: #FFFFFF; border: 1px solid {ACCENT}; }}
QPushButton[primary="true"]:hover {{ background: #1E40AF; color: #FFFFFF; }}
QPushButton[primary="true"]:disabled {{ background: #93A8E0; border-color: #93A8E0; }}
QLineEdit, QSpinBox, QComboBox {{ background: #FFFFFF; border: 1px solid #D1D5DB; border-radius: 6px;
    padding: 5px 8px; min-height: 20px; }}
QLineEdit:focus, QSpinBox:focus, QComboBox:focus {{ border: 1px solid {ACCENT}; }}
QComboBox {{ padding-right: 26px; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right; width: 24px;
    border: none; background: transparent; }}
QComboBox::down-arrow {{ image: url({ICON_URL}/chevron-down.svg); width: 12px; height: 12px; }}
QSpinBox {{ padding-right: 24px; }}
QSpinBox::up-button, QSpinBox::down-button {{ subcontrol-origin: border; width: 22px; border: none;
    background: transparent; }}
QSpinBox::up-button {{ subcontrol-position: top right; }}
QSpinBox::down-button {{ subcontrol-position: bottom right; }}
QSpinBox::up-button:hover, QSpinBox::down-button:hover {{ background: {ACCENT_LIGHT}; }}
QSpinBox::up-arrow {{ image: url({ICON_URL}/chevron-up.svg); width: 10px; height: 10px; }}
QSpinBox::down-arrow {{ image: url({ICON_URL}/chevron-down.svg); width: 10px; height: 10px; }}
QScrollBar:vertical {{ background: transparent; width: 8px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: #CBD5E1; border-radius: 2px; min-height: 30px; }}
QScrollBar:horizontal {{ background: transparent; height: 8px; margin: 2px; }}
QScrollBar::handle:horizontal {{ background: #CBD5E1; border-radius: 2px; min-width: 30px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; border: none; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
QScrollArea {{ border: none; background: transparent; }}
QScrollArea > QWidget > QWidget {{ background: transparent; }}
QTabWidget::pane {{ border: 1px solid #E5E7EB; border-radius: 8px; background: #FFFFFF; }}
QGroupBox {{ background: #FFFFFF; border: 1px solid #E5E7EB; border-radius: 10px; margin-top: 0;
    padding: 36px 12px 10px 12px; font-weight: bold; }}
QGroupBox::title {{ subcontrol-origin: padding; subcontrol-position: top left; left: 16px; top: 12px;
    padding: 0; }}
QProgressBar {{ border: none; background: transparent; max-height: 3px; }}
QProgressBar::chunk {{ background: {ACCENT}; }}
"""


@cache
def icon(name: str) -> QIcon:
    """An SVG icon from resources/icons (crisp at any DPI)."""
    return QIcon(icon_path(name))


def icon_path(name: str) -> str:
    return str(ICONS / f"{name}.svg")


def apply(app: QApplication) -> None:
    """Font and stylesheet for the whole application."""
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(10)
    app.setFont(font)
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)
    app.setWindowIcon(icon("app"))


def status_style(status: str) -> str:
    """A pill stylesheet for a certificate status."""
    fg, bg = STATUS_COLOURS.get(status, STATUS_COLOURS["valid"])
    return f"color: {fg}; background: {bg}; border-radius: 9px; padding: 2px 10px; font-weight: bold;"
