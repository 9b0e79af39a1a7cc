"""Dates between Python and Qt: the one place a ``date`` becomes a ``QDate`` and back.

Services and rows speak ``date`` and ``datetime``; Qt's editors and locale speak
``QDate`` and ``QDateTime``. Every conversion goes through here.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QTime


def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def qdatetime(value: datetime) -> QDateTime:
    """A moment as the workstation's clock shows it (aware moments in its time zone)."""
    local = value.astimezone() if value.tzinfo else value
    return QDateTime(qdate(local.date()), QTime(local.hour, local.minute, local.second))


def today() -> date:
    """The workstation's date, as the calendar popups know it."""
    return pydate(QDate.currentDate())
