"""The dialogs' plain words: a dialog's title and the grey notes beside and under fields."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from desktop.ui.widgets.colors import MUTED_COLOR, paint


def note_label(object_name: str = "") -> QLabel:
    label = QLabel()
    if object_name:
        label.setObjectName(object_name)
    paint(label, MUTED_COLOR)
    return label


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("dialogTitle")  # the application style sheet sizes it
    return label
