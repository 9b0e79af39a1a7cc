"""The few colours our own labels use, how a label takes one, and the status badges' palette.

No application style sheet is needed for them: a refusal is red, a good outcome
green and a side note grey wherever it appears.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

ERROR_COLOR = "#b91c1c"
OK_COLOR = "#166534"
MUTED_COLOR = "#4b5563"


def paint(label: QLabel, color: str | None, *, bold: bool = False) -> None:
    """Colour a label of ours (no application style sheet needed)."""
    parts = []
    if color:
        parts.append(f"color: {color};")
    if bold:
        parts.append("font-weight: 600;")
    label.setStyleSheet(" ".join(parts))


def badge_color(value: str) -> QColor:
    """The badge colour of a status (bookings and payments share a palette)."""
    return QColor(_BADGE_COLORS.get(value, "#6b7280"))


_BADGE_COLORS = {
    "pending": "#b7791f",
    "confirmed": "#2563eb",
    "completed": "#15803d",
    "cancelled": "#6b7280",
    "paid": "#15803d",
    "failed": "#b91c1c",
    "refunded": "#7c3aed",
    "admin": "#7c3aed",
    "moderator": "#2563eb",
    "agent": "#0f766e",
    "active": "#15803d",
    "inactive": "#6b7280",
}
