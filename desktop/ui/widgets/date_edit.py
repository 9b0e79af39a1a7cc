"""A date field with its calendar popup, as the booking dialogs show dates."""

from __future__ import annotations

from PySide6.QtWidgets import QDateEdit

from desktop.ui.formats import LONG_DATE


def date_edit(object_name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(object_name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(LONG_DATE)
    edit.setMinimumWidth(160)
    calendar = edit.calendarWidget()
    hint = calendar.sizeHint()  # Qt's popup is a row too short with most fonts
    calendar.setMinimumSize(max(hint.width(), 280), max(hint.height() * 4 // 3, 200))
    return edit
