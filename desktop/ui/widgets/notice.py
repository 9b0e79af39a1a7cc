"""A line above a list saying what an action just did."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget


def tr(text: str) -> str:
    return QCoreApplication.translate("Notice", text)


class PageNotice(QFrame):
    """A line above a list saying what an action just did; stays until closed or replaced."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageNotice")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        self.label = QLabel()
        self.label.setObjectName("pageNoticeText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        close = QToolButton()
        close.setObjectName("closeNotice")
        close.setText("\N{MULTIPLICATION SIGN}")
        close.setAutoRaise(True)
        close.setToolTip(tr("Dismiss"))
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        accent = self.palette().color(self.palette().ColorRole.Highlight)
        tint = QColor(accent)
        tint.setAlpha(28)
        self.setStyleSheet(
            f"QFrame#pageNotice {{ background: rgba({tint.red()}, {tint.green()}, {tint.blue()},"
            f" {tint.alpha()}); border: 1px solid {accent.name()}; border-radius: 5px; }}"
        )
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class NewRowsBar(QFrame):
    """ "3 new bookings — Show": rows others added above what the person is looking at."""

    show_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newRowsBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 2, 4, 2)
        self.label = QLabel()
        self.label.setObjectName("newRowsText")
        layout.addWidget(self.label, 1)
        self.button = QPushButton(tr("Show"))
        self.button.setObjectName("showNewRows")
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self.show_requested)
        layout.addWidget(self.button)
        self.count = 0
        self.hide()

    def show_count(self, count: int, nouns: tuple[str, str]) -> None:
        self.count = count
        if count <= 0:
            self.hide()
            return
        noun = nouns[0] if count == 1 else nouns[1]
        self.label.setText(tr("{0} new {1} above, added on other workstations").format(count, noun))
        self.show()
