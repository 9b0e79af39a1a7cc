"""How values read to a person: money, dates, moments, stays and counts, in the locale's way.

Lists, dialogs and messages all format through here, so a price or a stay reads
the same wherever it shows. Dates come in two forms only: lists and their filters
show the locale's short date with a four-digit year ("12/7/2026", "07/12/2026",
"07.12.2026"); dialogs show the long one ("Mon 7 Dec 2026").
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QLocale

from desktop.ui.dates import qdate, qdatetime

LONG_DATE = "ddd d MMM yyyy"  # dialogs and date fields: "Mon 7 Dec 2026"
STAY_DATE = "d MMM yyyy"  # a stay's ends across years, as the other ranges: "28 Dec 2026"
ISO_DATE = "yyyy-MM-dd"  # lists when no locale is chosen (the "C" locale has no real one)
ISO_TIME = "HH:mm"
_TWO_DIGIT_YEAR = re.compile(r"(?<!y)yy(?!y)")


def tr(text: str) -> str:
    return QCoreApplication.translate("Formats", text)


def format_money(value: Decimal | None, locale: QLocale | None = None) -> str:
    """Prices are in US dollars (the design's currency), shown with the locale's separators."""
    if value is None:
        return ""
    locale = locale or QLocale()
    return locale.toCurrencyString(float(value), "$", 2)


def short_date_format(locale: QLocale | None = None) -> str:
    """The locale's short date with a four-digit year: "12/7/26" would hide the century."""
    locale = locale or QLocale()
    if locale.language() == QLocale.Language.C:
        return ISO_DATE
    return _TWO_DIGIT_YEAR.sub("yyyy", locale.dateFormat(QLocale.FormatType.ShortFormat))


def short_datetime_format(locale: QLocale | None = None) -> str:
    """The short date (four-digit year) and the locale's short time."""
    locale = locale or QLocale()
    if locale.language() == QLocale.Language.C:
        return f"{ISO_DATE} {ISO_TIME}"
    return _TWO_DIGIT_YEAR.sub("yyyy", locale.dateTimeFormat(QLocale.FormatType.ShortFormat))


def format_date(value: date | None, locale: QLocale | None = None) -> str:
    """A date in a list or a filter: "12/7/2026" (in the locale's order)."""
    if value is None:
        return ""
    locale = locale or QLocale()
    return locale.toString(qdate(value), short_date_format(locale))


def format_datetime(value: datetime | None, locale: QLocale | None = None) -> str:
    """A moment in a list: "12/7/2026 3:04 PM" (in the locale's order)."""
    if value is None:
        return ""
    locale = locale or QLocale()
    return locale.toString(qdatetime(value), short_datetime_format(locale))


def long_date(value: date) -> str:
    """A date in a dialog: "Mon 7 Dec 2026"."""
    return QLocale().toString(qdate(value), LONG_DATE)


def long_datetime(value: datetime | None) -> str:
    """A moment in a dialog: "Mon 7 Dec 2026, 15:04" (the time in the locale's way)."""
    if value is None:
        return ""
    locale = QLocale()
    moment = qdatetime(value)
    time_format = (
        ISO_TIME
        if locale.language() == QLocale.Language.C
        else locale.timeFormat(QLocale.FormatType.ShortFormat)
    )
    return tr("{0}, {1}").format(
        locale.toString(moment.date(), LONG_DATE), locale.toString(moment.time(), time_format)
    )


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
    return tr("{0} – {1}").format(  # noqa: RUF001
        locale.toString(qdate(start), STAY_DATE), locale.toString(qdate(end), STAY_DATE)
    )


def nights_text(nights: int) -> str:
    return tr("1 night") if nights == 1 else tr("{0} nights").format(nights)


def guests_text(guests: int) -> str:
    return tr("1 guest") if guests == 1 else tr("{0} guests").format(guests)


def days_text(days: int) -> str:
    return tr("1 day") if days == 1 else tr("{0} days").format(days)
