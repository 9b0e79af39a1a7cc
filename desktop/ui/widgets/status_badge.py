"""A booking's or payment's status as a coloured pill."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from desktop.ui.widgets.colors import MUTED_COLOR, badge_color, paint


def tr(text: str) -> str:
    return QCoreApplication.translate("StatusBadge", text)


class StatusBadge(QLabel):
    """A booking or payment status as a coloured pill, as the lists draw it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def set_status(self, value: Enum | str | None) -> None:
        if value is None:
            self.setText(tr("—"))
            self.setProperty("status", "")
            paint(self, MUTED_COLOR)
            return
        key = str(value.value) if isinstance(value, Enum) else str(value)
        color = badge_color(key)
        self.setText(key.capitalize())
        self.setProperty("status", key)
        self.setStyleSheet(
            f"QLabel {{ background: {color.lighter(185).name()}; "
            f"color: {color.darker(130).name()}; border: 1px solid {color.name()}; "
            "border-radius: 9px; padding: 1px 10px; font-weight: 600; }"
        )
