"""Dialogs of the workspace."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

D = TypeVar("D", bound=QDialog)


def open_dialog(dialog: D) -> D:
    """Show a window-modal dialog without blocking; it is deleted when it closes.

    Opening a new dialog for each action and never deleting the old ones would
    pile up hidden widgets over a day at the counter.
    """
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
