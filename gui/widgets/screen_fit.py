"""Sizes that fit the screen the window is on: office PCs run 1366x768 at 125 % or 150 %, which leaves
Qt as little as 911x512 logical pixels (less the taskbar)."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# What the window manager adds around a window before it is shown (title bar, borders).
FRAME = QMargins(8, 32, 8, 8)


def available(widget: QWidget | None = None) -> QRect:
    """The available geometry (without taskbar) of the screen ``widget`` is on, else the primary screen."""
    screen = widget.screen() if widget is not None else None
    return (screen or QGuiApplication.primaryScreen()).availableGeometry()


def frame_margins(widget: QWidget) -> QMargins:
    """The window frame around ``widget``: the real one once shown, else a typical one."""
    if widget.isVisible():
        frame, inner = widget.frameGeometry(), widget.geometry()
        return QMargins(inner.left() - frame.left(), inner.top() - frame.top(),
                        frame.right() - inner.right(), frame.bottom() - inner.bottom())
    return FRAME


def room(widget: QWidget) -> QSize:
    """The largest client size whose frame still fits the available screen area."""
    area, frame = available(widget), frame_margins(widget)
    return QSize(area.width() - frame.left() - frame.right(), area.height() - frame.top() - frame.bottom())


def bounded(size: QSize, widget: QWidget) -> QSize:
    """``size``, made smaller where the screen has less room."""
    return size.boundedTo(room(widget))


def keep_on_screen(widget: QWidget) -> None:
    """Shrink ``widget`` (a window) to the available area and move it so that its frame lies inside it."""
    widget.resize(widget.size().boundedTo(room(widget)).expandedTo(widget.minimumSize().boundedTo(room(widget))))
    area, frame = available(widget), frame_margins(widget)
    outer = QRect(widget.pos(), widget.size().grownBy(frame))
    x = min(max(outer.left(), area.left()), area.right() + 1 - outer.width())
    y = min(max(outer.top(), area.top()), area.bottom() + 1 - outer.height())
    if (x, y) != (outer.left(), outer.top()):
        widget.move(x, y)
