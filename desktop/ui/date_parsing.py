"""Reading a date as a person types it: "21 Dec 2026", "21/12/2026", "21.12.", "21", "+7", "today".

Pure logic, without Qt, so that every reading is tested without a window. The date
field (``desktop.ui.widgets.date_edit``) gives it the locale's words and its
day/month order, and says back what it read.

The rules a person can rely on:

- a full date is that date, in any of the usual spellings: ``21 Dec 2026``,
  ``Mon 21 Dec 2026`` (the weekday is ignored), ``December 21, 2026``,
  ``21/12/2026`` and ``21.12.26`` (day and month in the locale's order; when that
  order gives no date and the other one does, the other one), ``2026-12-21``;
- a short form means the first such date on or after the *anchor* (the earliest
  date the field offers): ``21`` is the next 21st (this month's, or next month's
  once it has passed), ``21.12.`` or ``21 Dec`` the next 21 December, ``Fri`` the
  next Friday;
- ``+7`` (``+7d``, ``+2w``, ``-3``) counts days or weeks from the *base*: the start
  date for an end date, today for anything else;
- ``today``, ``tomorrow`` and ``yesterday`` (in the locale's words too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum, auto

ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})  # 21st, 2nd, 3rd, 4th
FILLER_WORDS = frozenset({"of", "the"})  # "the 21st of December"
YEARS_AHEAD = 8  # how far a short form may look for its date (29 February)
_RELATIVE = re.compile(r"^([+-])\s*(\d{1,4})\s*([^\W\d_]*)$")
_TOKEN = re.compile(r"\d+|[^\W\d_]+")


class Reading(Enum):
    """How a typed text became its date (the field says so beside the date)."""

    FULL = auto()  # day, month and year were typed
    DAY = auto()  # a day of the month alone: the next such day
    DAY_AND_MONTH = auto()  # day and month: the next such date
    WEEKDAY = auto()  # a weekday alone: the next such day
    RELATIVE = auto()  # days or weeks counted from the base
    WORD = auto()  # today, tomorrow, yesterday


@dataclass(frozen=True)
class DateWords:
    """The words and order a date may be typed in (casefolded, without dots)."""

    months: Mapping[str, int]  # "dec", "december" -> 12
    weekdays: Mapping[str, int] = field(default_factory=dict)  # "mon", "monday" -> 0
    days_from_today: Mapping[str, int] = field(default_factory=dict)  # "today" -> 0
    day_units: frozenset[str] = frozenset({"d", "day", "days"})
    week_units: frozenset[str] = frozenset({"w", "wk", "week", "weeks"})
    day_first: bool = True  # "5/12" is 5 December; False: May 12


@dataclass(frozen=True)
class TypedDate:
    """A date read from what was typed, and how it was read."""

    value: date
    reading: Reading
    days: int = 0  # RELATIVE: the days counted from the base (negative: before it)


def day_first(short_format: str) -> bool:
    """Whether a date format (Qt's "dd/MM/yyyy", "M/d/yy") puts the day before the month."""
    unquoted = re.sub(r"'[^']*'", "", short_format)
    day, month = unquoted.find("d"), unquoted.find("M")
    return day < 0 or month < 0 or day < month


def read_date(
    text: str, *, anchor: date, base: date, today: date, words: DateWords
) -> TypedDate | None:
    """The date ``text`` means, or None when it is no date.

    ``anchor`` is the earliest date a short form (``21``, ``21.12.``, ``Fri``) may
    mean; ``base`` is what ``+7`` counts from.
    """
    typed = text.strip().casefold()
    if not typed:
        return None
    relative = _RELATIVE.match(typed)
    if relative is not None:
        return _relative(relative, base, words)
    if typed in words.days_from_today:
        moved = _moved(today, words.days_from_today[typed])
        return TypedDate(moved, Reading.WORD) if moved is not None else None
    numbers: list[str] = []
    month: int | None = None
    weekday: int | None = None
    for token in _TOKEN.findall(typed):
        if token.isdigit():
            numbers.append(token)
        elif (token in ORDINAL_SUFFIXES and numbers) or token in FILLER_WORDS:
            continue
        elif (found := _month(token, words)) is not None and month is None:
            month = found
        elif (day := _weekday(token, words)) is not None and weekday is None:
            weekday = day
        else:
            return None  # a word that is no month, weekday or ordinal
    if month is not None:
        return _with_month_name(numbers, month, anchor)
    if not numbers:
        if weekday is None:
            return None
        return TypedDate(anchor + timedelta(days=(weekday - anchor.weekday()) % 7), Reading.WEEKDAY)
    return _numeric(numbers, anchor, words.day_first)


def _relative(match: re.Match[str], base: date, words: DateWords) -> TypedDate | None:
    sign, amount, unit = match.groups()
    if unit and unit not in words.day_units | words.week_units:
        return None
    days = int(amount) * (7 if unit in words.week_units else 1)
    if sign == "-":
        days = -days
    moved = _moved(base, days)
    return TypedDate(moved, Reading.RELATIVE, days) if moved is not None else None


def _moved(start: date, days: int) -> date | None:
    """``start`` moved by ``days``, or None past the calendar's ends."""
    try:
        return start + timedelta(days=days)
    except OverflowError:
        return None


def _month(token: str, words: DateWords) -> int | None:
    """A month by its name, its abbreviation, or the start of one name (3 letters or more)."""
    word = token.rstrip(".")
    if word in words.months:
        return words.months[word]
    if len(word) < 3:
        return None
    starts = {number for name, number in words.months.items() if name.startswith(word)}
    return starts.pop() if len(starts) == 1 else None


def _weekday(token: str, words: DateWords) -> int | None:
    word = token.rstrip(".")
    if word in words.weekdays:
        return words.weekdays[word]
    if len(word) < 3:
        return None
    starts = {number for name, number in words.weekdays.items() if name.startswith(word)}
    return starts.pop() if len(starts) == 1 else None


def _with_month_name(numbers: list[str], month: int, anchor: date) -> TypedDate | None:
    """ "21 Dec", "Dec 21, 2026", "21 Dec 26", "2026 Dec 21"."""
    if len(numbers) == 1:
        if len(numbers[0]) > 2:
            return None  # "Dec 2026": a month, not a day
        return _next_day_and_month(int(numbers[0]), month, anchor)
    if len(numbers) != 2:
        return None
    first, second = numbers
    day, year = (second, first) if len(first) == 4 else (first, second)
    if len(day) > 2:
        return None
    return _full(_year(year), month, int(day))


def _numeric(numbers: list[str], anchor: date, day_first_order: bool) -> TypedDate | None:
    """ "21", "21.12.", "21/12/2026", "12/21/26", "2026-12-21"."""
    if len(numbers) == 1:
        if len(numbers[0]) > 2:
            return None
        return _next_day(int(numbers[0]), anchor)
    if len(numbers) == 2:
        if any(len(n) > 2 for n in numbers):
            return None
        first, second = int(numbers[0]), int(numbers[1])
        for day, month in _orders(first, second, day_first_order):
            found = _next_day_and_month(day, month, anchor)
            if found is not None:
                return found
        return None
    if len(numbers) != 3:
        return None
    if len(numbers[0]) == 4:  # ISO: year, month, day
        if any(len(n) > 2 for n in numbers[1:]):
            return None
        return _full(int(numbers[0]), int(numbers[1]), int(numbers[2]))
    if any(len(n) > 2 for n in numbers[:2]):
        return None
    year = _year(numbers[2])
    for day, month in _orders(int(numbers[0]), int(numbers[1]), day_first_order):
        found = _full(year, month, day)
        if found is not None:
            return found
    return None


def _orders(first: int, second: int, day_first_order: bool) -> list[tuple[int, int]]:
    """(day, month) readings: the locale's order first, then the other one."""
    if day_first_order:
        return [(first, second), (second, first)]
    return [(second, first), (first, second)]


def _year(digits: str) -> int:
    """Two digits are this century's year ("26" is 2026); other lengths are no year."""
    if len(digits) == 2:
        return 2000 + int(digits)
    if len(digits) == 4:
        return int(digits)
    return 0  # no date has it: the caller's date() refuses it


def _full(year: int, month: int, day: int) -> TypedDate | None:
    return _made(year, month, day, Reading.FULL)


def _next_day(day: int, anchor: date) -> TypedDate | None:
    """The first ``day`` of a month on or after the anchor (months without it skipped)."""
    if not 1 <= day <= 31:
        return None
    year, month = anchor.year, anchor.month
    for _ in range(13):
        candidate = _made(year, month, day, Reading.DAY)
        if candidate is not None and candidate.value >= anchor:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _next_day_and_month(day: int, month: int, anchor: date) -> TypedDate | None:
    """The first ``day`` of ``month`` on or after the anchor (29 February: a leap year)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    for year in range(anchor.year, anchor.year + YEARS_AHEAD + 1):
        candidate = _made(year, month, day, Reading.DAY_AND_MONTH)
        if candidate is not None and candidate.value >= anchor:
            return candidate
    return None


def _made(year: int, month: int, day: int, reading: Reading) -> TypedDate | None:
    """That date, or None when the calendar has no such date (31 April, year 0)."""
    try:
        return TypedDate(date(year, month, day), reading)
    except ValueError:
        return None
