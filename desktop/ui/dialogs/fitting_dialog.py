"""The one way a dialog keeps its height fitted to what it shows.

Qt's minimum size ignores word-wrapped labels' height for the width, and a
top-level window keeps its size when a wrapped message line or a result list
shows up after it opened: without this the layout squeezes the rows into each
other.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QDialog, QWidget


class FittingDialog(QDialog):
    """A dialog that grows when a message or a list appears, so nothing is squeezed.

    The height follows the layout's height for the current width (never more than
    the screen holds). It grows by itself; it gives space back when asked
    (``fit(shrink=True)``, a list that went away) and as it first shows, unless the
    dialog chose its own size before showing (``resize``).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shrink = False
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(lambda: self._fit(shrink=self._shrink))

    def fit(self, *, shrink: bool = False) -> None:
        """Fit the height soon (after the layout settles); ``shrink`` also gives space back."""
        self._shrink = self._shrink or shrink
        self._fit_timer.start()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self.fit()
        elif event.type() == QEvent.Type.Show:
            # The first size guessed the wrapped labels' height; a size of its own stays.
            self.fit(shrink=not self.testAttribute(Qt.WidgetAttribute.WA_Resized))
        return handled

    def _fit(self, *, shrink: bool) -> None:
        self._shrink = False
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        width = self.width()
        if layout.hasHeightForWidth():
            wanted = layout.totalHeightForWidth(width)
        else:
            wanted = layout.totalSizeHint().height()
        wanted = max(wanted, layout.totalMinimumSize().height())
        screen = self.screen()
        if screen is not None:
            wanted = min(wanted, screen.availableGeometry().height())
        if wanted > self.height() or (shrink and wanted < self.height()):
            self.resize(width, wanted)
