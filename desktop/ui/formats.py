"""How values read to a person: money, dates, moments, stays and counts, in the locale's way.

Lists, dialogs and messages all format through here, so a price or a stay reads
the same wherever it shows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QLocale

from desktop.ui.dates import qdate, qdatetime

LONG_DATE = "d MMM yyyy"


def tr(text: str) -> str:
    return QCoreApplication.translate("Formats", text)


def format_money(value: Decimal | None, locale: QLocale | None = None) -> str:
    """Prices are in US dollars (the design's currency), shown with the locale's separators."""
    if value is None:
        return ""
    locale = locale or QLocale()
    return locale.toCurrencyString(float(value), "$", 2)


def format_date(value: date | None, locale: QLocale | None = None) -> str:
    if value is None:
        return ""
    locale = locale or QLocale()
    return locale.toString(qdate(value), QLocale.FormatType.ShortFormat)


def format_datetime(value: datetime | None, locale: QLocale | None = None) -> str:
    if value is None:
        return ""
    locale = locale or QLocale()
    return locale.toString(qdatetime(value), QLocale.FormatType.ShortFormat)


def long_date(value: date) -> str:
    return QLocale().toString(qdate(value), LONG_DATE)


def date_range(start: date, end: date) -> str:
    """A stay as a person reads it: "3-10 May 2027", "28 Apr - 5 May 2027" (with en dashes)."""
    locale = QLocale()

    def month(d: date) -> str:
        return locale.monthName(d.month, QLocale.FormatType.ShortFormat)

    if (start.year, start.month) == (end.year, end.month):
        return tr("{0}–{1} {2} {3}").format(  # noqa: RUF001 - typographic en dash
            start.day, end.day, month(end), end.year
        )
    if start.year == end.year:
        return tr("{0} {1} – {2} {3} {4}").format(  # noqa: RUF001
            start.day, month(start), end.day, month(end), end.year
        )
    return tr("{0} – {1}").format(long_date(start), long_date(end))  # noqa: RUF001


def nights_text(nights: int) -> str:
    return tr("1 night") if nights == 1 else tr("{0} nights").format(nights)


def guests_text(guests: int) -> str:
    return tr("1 guest") if guests == 1 else tr("{0} guests").format(guests)


def days_text(days: int) -> str:
    return tr("1 day") if days == 1 else tr("{0} days").format(days)
