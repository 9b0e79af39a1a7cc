"""A rating of one to five stars: clicked, or chosen with the keyboard.

Painted, not drawn from a font, so the stars look the same whatever fonts a
workstation has. Keys: Left/Right (or Down/Up) one star less or more, 1 to 5
that many, Home and End one or five, Delete or 0 none.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QStyle, QStyleOptionFocusRect, QWidget

MAX_STARS = 5
Key = Qt.Key
STAR_SIZE = 28  # pixels a star's square takes
STAR_GAP = 4
FILLED = QColor("#d97706")  # amber, as the Reviews list's stars
EDGE = QColor("#b45309")


def tr(text: str) -> str:
    return QCoreApplication.translate("StarRating", text)


def rating_words(stars: int) -> str:
    """What a number of stars says, for the line beside them."""
    words = {
        1: tr("Poor"),
        2: tr("Fair"),
        3: tr("Good"),
        4: tr("Very good"),
        5: tr("Excellent"),
    }
    if stars not in words:
        return tr("No stars chosen")
    return tr("{0} of 5 stars: {1}").format(stars, words[stars])


def _star_path(box: QRectF) -> QPainterPath:
    """A five-pointed star filling ``box``."""
    centre = box.center()
    outer = min(box.width(), box.height()) / 2
    inner = outer * 0.45
    path = QPainterPath()
    for point in range(10):
        radius = outer if point % 2 == 0 else inner
        angle = math.pi / 2 + point * math.pi / 5
        vertex = QPointF(
            centre.x() + radius * math.cos(angle), centre.y() - radius * math.sin(angle)
        )
        if point == 0:
            path.moveTo(vertex)
        else:
            path.lineTo(vertex)
    path.closeSubpath()
    return path


class StarRating(QWidget):
    """``value()`` is 0 (none chosen) to 5; ``changed`` tells the form."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 0
        self._hover = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(tr("Rating"))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._describe()

    def value(self) -> int:
        return self._value

    def set_value(self, stars: int) -> None:
        stars = max(0, min(MAX_STARS, stars))
        if stars == self._value:
            return
        self._value = stars
        self._describe()
        self.update()
        self.changed.emit()

    def star_rect(self, star: int) -> QRectF:
        """Where star 1 to 5 is drawn (tests click its centre)."""
        left = 2 + (star - 1) * (STAR_SIZE + STAR_GAP)
        return QRectF(left, 2, STAR_SIZE, STAR_SIZE)

    def sizeHint(self) -> QSize:
        return QSize(MAX_STARS * (STAR_SIZE + STAR_GAP) + 2, STAR_SIZE + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    # -- behaviour -----------------------------------------------------------------

    def _describe(self) -> None:
        text = rating_words(self._value)
        self.setToolTip(text)
        self.setAccessibleDescription(text)

    def _star_at(self, x: float) -> int:
        for star in range(1, MAX_STARS + 1):
            box = self.star_rect(star)
            if box.left() - STAR_GAP / 2 <= x < box.right() + STAR_GAP / 2:
                return star
        return 0

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            star = self._star_at(event.position().x())
            if star:
                self.setFocus(Qt.FocusReason.MouseFocusReason)
                self.set_value(star)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hover = self._star_at(event.position().x())
        if hover != self._hover:
            self._hover = hover
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hover = 0
        self.update()
        super().leaveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = int(event.key())
        steps = {
            Key.Key_Right.value: 1,
            Key.Key_Up.value: 1,
            Key.Key_Plus.value: 1,
            Key.Key_Left.value: -1,
            Key.Key_Down.value: -1,
            Key.Key_Minus.value: -1,
        }
        if key in steps:
            self.set_value(max(1, self._value + steps[key]))  # from none, either way is one
        elif Key.Key_1.value <= key <= Key.Key_5.value:
            self.set_value(key - Key.Key_0.value)
        elif key == Key.Key_Home.value:
            self.set_value(1)
        elif key == Key.Key_End.value:
            self.set_value(MAX_STARS)
        elif key in (Key.Key_0.value, Key.Key_Delete.value, Key.Key_Backspace.value):
            self.set_value(0)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        shown = self._hover or self._value
        empty_edge = self.palette().color(QPalette.ColorRole.PlaceholderText)
        for star in range(1, MAX_STARS + 1):
            path = _star_path(self.star_rect(star).adjusted(2, 2, -2, -2))
            if star <= shown:
                fill = QColor(FILLED)
                if self._hover and star > self._value:
                    fill.setAlpha(130)  # where a click would go, lighter than chosen
                painter.setPen(QPen(EDGE, 1.2))
                painter.setBrush(fill)
            else:
                painter.setPen(QPen(empty_edge, 1.2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        if self.hasFocus():
            option = QStyleOptionFocusRect()
            option.initFrom(self)
            option.rect = self.rect()
            self.style().drawPrimitive(
                QStyle.PrimitiveElement.PE_FrameFocusRect, option, painter, self
            )
        painter.end()
