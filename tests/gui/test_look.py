"""Visual defects seen at 1366x768: spin box arrows, the drop-down's black bracket, group titles off their
boxes, old-style scroll bars, the busy bar shifting the page."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QScrollBar,
    QSpinBox,
    QStyle,
    QStyleOptionComboBox,
    QStyleOptionGroupBox,
    QStyleOptionSlider,
    QStyleOptionSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui import theme

_HOLDERS: list[QWidget] = []


def _shown(qtbot, widget: QWidget, width: int = 240) -> QWidget:
    holder = QWidget()
    _HOLDERS.append(holder)  # pytest-qt keeps only a weak reference
    layout = QVBoxLayout(holder)
    layout.addWidget(widget)
    qtbot.addWidget(holder)
    holder.resize(width, 200)
    holder.show()
    qtbot.waitExposed(holder)
    return widget


def test_spin_box_has_arrows_a_finger_can_hit(qapp, qtbot):
    theme.apply(qapp)
    box = _shown(qtbot, QSpinBox())
    option = QStyleOptionSpinBox()
    box.initStyleOption(option)
    for control in (QStyle.SubControl.SC_SpinBoxUp, QStyle.SubControl.SC_SpinBoxDown):
        rect = box.style().subControlRect(QStyle.ComplexControl.CC_SpinBox, option, control, box)
        assert rect.width() >= 18 and rect.height() >= 10, rect
    image = box.grab().toImage()
    up = box.style().subControlRect(QStyle.ComplexControl.CC_SpinBox, option, QStyle.SubControl.SC_SpinBoxUp, box)
    inked = [QColor(image.pixel(x, y)).lightness() < 180 for x in range(up.left(), up.right())
             for y in range(up.top() + 2, up.bottom() - 1)]
    assert sum(inked) >= 4  # the arrow is drawn, not a dot


def test_drop_down_has_no_dark_bracket_at_its_right_edge(qapp, qtbot):
    theme.apply(qapp)
    combo = QComboBox()
    combo.addItems(["简体中文", "English"])
    _shown(qtbot, combo)
    image = combo.grab().toImage()
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    arrow = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxArrow, combo)
    # the button area's left edge column: Fusion draws a dark separator line there unless styled away
    dark = [y for y in range(4, image.height() - 4) if QColor(image.pixel(arrow.left(), y)).lightness() < 120]
    assert dark == []
    edge = [y for y in range(6, image.height() - 6) if QColor(image.pixel(image.width() - 2, y)).lightness() < 120]
    assert edge == []


def test_group_title_sits_inside_its_box(qapp, qtbot):
    theme.apply(qapp)
    box = QGroupBox("常规")
    QVBoxLayout(box).addWidget(QSpinBox())
    _shown(qtbot, box)
    option = QStyleOptionGroupBox()
    box.initStyleOption(option)
    style = box.style()
    frame = style.subControlRect(QStyle.ComplexControl.CC_GroupBox, option, QStyle.SubControl.SC_GroupBoxFrame, box)
    label = style.subControlRect(QStyle.ComplexControl.CC_GroupBox, option, QStyle.SubControl.SC_GroupBoxLabel, box)
    assert frame.contains(label), (frame.getRect(), label.getRect())
    assert box.contentsRect().top() + box.layout().contentsMargins().top() >= label.bottom()


def test_scroll_bars_are_the_slim_modern_kind(qapp, qtbot):
    theme.apply(qapp)
    bar = _shown(qtbot, QScrollBar())
    bar.setRange(0, 100)
    bar.resize(12, 200)
    option = QStyleOptionSlider()
    bar.initStyleOption(option)
    for control in (QStyle.SubControl.SC_ScrollBarAddLine, QStyle.SubControl.SC_ScrollBarSubLine):
        rect = bar.style().subControlRect(QStyle.ComplexControl.CC_ScrollBar, option, control, bar)
        assert rect.height() <= 1, rect  # no arrow buttons at the ends
    assert bar.sizeHint().width() <= 10


def test_busy_bar_does_not_move_the_page(ctx, qtbot):
    from gui.shell import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    before = window.stack.mapTo(window, QPoint(0, 0))
    window.busy_bar.setVisible(True)
    qtbot.wait(20)
    assert window.stack.mapTo(window, QPoint(0, 0)) == before
    window.busy_bar.setVisible(False)
    qtbot.wait(20)
    assert window.stack.mapTo(window, QPoint(0, 0)) == before
