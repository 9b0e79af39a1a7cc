"""The few colours our own labels use, and how a label takes one.

No application style sheet is needed for them: a refusal is red, a good outcome
green and a side note grey wherever it appears.
"""

from __future__ import annotations

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
