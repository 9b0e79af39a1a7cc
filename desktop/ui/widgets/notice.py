"""A line above a list saying what an action just did."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


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
