"""The page preview: a rendered PDF page (``helper.signing.desk.page_picture``) with the seal drawn where it
will go; drag to move it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

MM = 72 / 25.4


class PagePreview(QWidget):
    """Shows a page and the seal; ``moved(x_mm, y_mm)`` when the user drags the seal (centre, from bottom-left)."""

    moved = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(160, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.image: QImage | None = None
        self.page_w = self.page_h = 0.0
        self.seal: QPixmap | None = None
        self.centre_mm: tuple[float, float] | None = None
        self.size_mm = 42.0
        self.cross_page = False
        self.visible_seal = True
        self._dragging = False

    def show_page(self, image: QImage | None, width_pt: float = 0, height_pt: float = 0) -> None:
        self.image, self.page_w, self.page_h = image, width_pt, height_pt
        self.update()

    def set_seal(self, png: bytes | None) -> None:
        self.seal = QPixmap.fromImage(QImage.fromData(png, "PNG")) if png else None
        self.update()

    def place(self, x_mm: float | None, y_mm: float | None = None) -> None:
        """Draw the seal centred at (``x_mm``, ``y_mm``), or nowhere when ``x_mm`` is None."""
        self.centre_mm = (x_mm, y_mm) if x_mm is not None and y_mm is not None else None
        self.update()

    # --- geometry ----------------------------------------------------------------------------
    def _page_rect(self) -> QRectF:
        if not self.image or not self.page_w:
            return QRectF()
        scale = min((self.width() - 16) / self.page_w, (self.height() - 16) / self.page_h)
        w, h = self.page_w * scale, self.page_h * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def seal_rect(self) -> QRectF:
        area = self._page_rect()
        if area.isEmpty() or self.centre_mm is None:
            return QRectF()
        scale = area.width() / self.page_w
        side = self.size_mm * MM * scale
        cx = area.left() + self.centre_mm[0] * MM * scale
        cy = area.bottom() - self.centre_mm[1] * MM * scale
        return QRectF(cx - side / 2, cy - side / 2, side, side)

    def _to_mm(self, pos: QPointF) -> tuple[float, float]:
        """The seal centre for a mouse position, kept so that the whole seal stays on the page."""
        area = self._page_rect()
        scale = area.width() / self.page_w
        x_mm = (pos.x() - area.left()) / scale / MM
        y_mm = (area.bottom() - pos.y()) / scale / MM
        half = self.size_mm / 2
        width_mm, height_mm = self.page_w / MM, self.page_h / MM
        x_mm = min(max(x_mm, half), max(half, width_mm - half))
        y_mm = min(max(y_mm, half), max(half, height_mm - half))
        return round(x_mm, 1), round(y_mm, 1)

    # --- painting and dragging -------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#EEF1F5"))
        painter.drawRoundedRect(QRectF(self.rect()), 8, 8)
        area = self._page_rect()
        if self.image is None or area.isEmpty():
            return
        painter.setBrush(QColor(15, 23, 42, 28))
        painter.drawRect(area.translated(0, 2).adjusted(-1, -1, 1, 1))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(area, self.image)
        if self.cross_page and self.seal is not None:
            side = self.size_mm * MM * area.width() / self.page_w
            strip = QRectF(area.right() - side / 4, area.center().y() - side / 2, side / 4, side)
            painter.setOpacity(0.8)
            painter.drawPixmap(strip, self.seal, QRectF(0, 0, self.seal.width() / 4, self.seal.height()))
            painter.setOpacity(1.0)
        rect = self.seal_rect()
        if self.visible_seal and not rect.isEmpty():
            if self.seal is not None:
                painter.drawPixmap(rect, self.seal, QRectF(self.seal.rect()))
            painter.setPen(QPen(QColor("#1D4ED8"), 1, Qt.PenStyle.DashLine))
            painter.drawRect(rect)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self.visible_seal and self.image is not None and not self._page_rect().isEmpty():
            self._dragging = True
            self._drag_to(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._dragging:
            self._drag_to(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._dragging = False

    def _drag_to(self, pos: QPointF) -> None:
        self.centre_mm = self._to_mm(pos)
        self.update()
        self.moved.emit(*self.centre_mm)
