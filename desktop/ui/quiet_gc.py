"""Full garbage collections at quiet moments, never in the middle of a scroll.

A list that has loaded a hundred thousand rows holds as many objects, and
Python's automatic full collection walks every one of them (tens of
milliseconds, more on a busy machine) each time the heap has grown by a
quarter: with rows streaming in, that lands while a person scrolls. So the two
young generations stay automatic (they find nearly all cyclic garbage) and the
full collection runs from a timer, once the window has been quiet for a moment:
no scrolling, no page of rows arriving, no mouse button held.
"""

from __future__ import annotations

import gc
import time
from typing import ClassVar

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication

_NEVER = 1_000_000_000  # young collections between automatic full ones: in practice none


def note_activity() -> None:
    """Something the person sees is moving (a scroll, rows arriving): not now."""
    QuietCollector.last_activity = time.monotonic()


class QuietCollector(QObject):
    """Owns the full collections of the process while it lives (one per application)."""

    last_activity: ClassVar[float] = 0.0

    def __init__(
        self, parent: QObject | None = None, *, every_s: float = 30.0, quiet_s: float = 1.0
    ) -> None:
        super().__init__(parent)
        self.setObjectName("quietCollector")
        self.every_ms = int(every_s * 1000)
        self.quiet_s = quiet_s
        self.collections = 0
        self._thresholds = gc.get_threshold()
        gc.set_threshold(self._thresholds[0], self._thresholds[1], _NEVER)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.tick)
        self._timer.start(self.every_ms)
        self.destroyed.connect(lambda: gc.set_threshold(*self._thresholds))

    def quiet(self) -> bool:
        if QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton:
            return False  # a scroll bar or a selection being dragged
        return time.monotonic() - QuietCollector.last_activity >= self.quiet_s

    def tick(self) -> None:
        if not self.quiet():
            self._timer.start(int(self.quiet_s * 1000))
            return
        if gc.get_count()[2] > 0:  # young collections since the last full one
            gc.collect()
            self.collections += 1
        self._timer.start(self.every_ms)


def install(app: QObject) -> QuietCollector:
    existing = app.findChild(QuietCollector, "quietCollector")
    return existing if existing is not None else QuietCollector(app)
