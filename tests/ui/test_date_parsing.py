"""Reading typed dates: the pure rules, without Qt (the field's tests type into a window)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from desktop.ui.date_parsing import DateWords, Reading, day_first, read_date

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1}
BRITISH = DateWords(MONTHS, WEEKDAYS, WORDS, day_first=True)
AMERICAN = DateWords(MONTHS, WEEKDAYS, WORDS, day_first=False)
TODAY = date(2026, 12, 8)  # a Tuesday


def read(text: str, words: DateWords = BRITISH, *, base: date = TODAY) -> date | None:
    typed = read_date(text, anchor=TODAY, base=base, today=TODAY, words=words)
    return typed.value if typed is not None else None


@pytest.mark.parametrize(
    "text",
    [
        "21 Dec 2026",
        "21 dec 2026",
        "21 December 2026",
        "Mon 21 Dec 2026",
        "Monday, 21 December 2026",
        "December 21, 2026",
        "Dec 21st 2026",
        "the 21st of December 2026",
        "21/12/2026",
        "21.12.2026",
        "21-12-2026",
        "21/12/26",
        "2026-12-21",
        "2026/12/21",
        "  21 Dec 2026  ",
    ],
)
def test_full_dates_in_the_usual_spellings(text: str) -> None:
    assert read(text) == date(2026, 12, 21)


def test_the_weekday_typed_with_a_date_does_not_move_it() -> None:
    assert read("Tue 21 Dec 2026") == date(2026, 12, 21)  # 21 Dec 2026 is a Monday


def test_day_and_month_follow_the_locale_and_fall_back_when_only_the_other_order_fits() -> None:
    assert read("5/12/2026", BRITISH) == date(2026, 12, 5)
    assert read("5/12/2026", AMERICAN) == date(2026, 5, 12)
    assert read("21/12/2026", AMERICAN) == date(2026, 12, 21)  # no 21st month
    assert read("12/21/2026", BRITISH) == date(2026, 12, 21)


def test_a_day_alone_is_the_next_such_day_this_month_or_the_next() -> None:
    assert read("21") == date(2026, 12, 21)
    assert read("8") == date(2026, 12, 8)  # today counts
    assert read("7") == date(2027, 1, 7)  # passed this month: next month's
    typed = read_date("31", anchor=date(2027, 2, 3), base=TODAY, today=TODAY, words=BRITISH)
    assert typed is not None
    assert typed.value == date(2027, 3, 31)  # February has none
    assert typed.reading is Reading.DAY


def test_day_and_month_without_a_year_is_the_next_such_date() -> None:
    assert read("21.12.") == date(2026, 12, 21)
    assert read("21.12") == date(2026, 12, 21)
    assert read("21 Dec") == date(2026, 12, 21)
    assert read("1.12.") == date(2027, 12, 1)  # passed this year
    assert read("Feb 29") == date(2028, 2, 29)  # the next leap year


def test_a_weekday_alone_is_the_next_such_day() -> None:
    assert read("fri") == date(2026, 12, 11)
    assert read("Tuesday") == date(2026, 12, 8)  # today is one


def test_days_and_weeks_count_from_the_base() -> None:
    start = date(2027, 1, 10)
    assert read("+7", base=start) == date(2027, 1, 17)
    assert read("+ 7", base=start) == date(2027, 1, 17)
    assert read("+7d", base=start) == date(2027, 1, 17)
    assert read("+2w", base=start) == date(2027, 1, 24)
    assert read("-3") == date(2026, 12, 5)
    typed = read_date("+7", anchor=TODAY, base=start, today=TODAY, words=BRITISH)
    assert typed is not None
    assert (typed.reading, typed.days) == (Reading.RELATIVE, 7)


def test_words_count_from_today_whatever_the_base() -> None:
    later = date(2027, 3, 1)
    assert read("today", base=later) == TODAY
    assert read("Tomorrow") == date(2026, 12, 9)
    assert read("yesterday") == date(2026, 12, 7)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "32",
        "0",
        "31/02/2026",
        "13/13/2026",
        "21 Foo 2026",
        "Dec 2026",
        "2026",
        "21/12/026",
        "+7x",
        "next week",
        "21 12 2026 5",
        "Dec Jan 21",
    ],
)
def test_what_is_no_date_is_refused(text: str) -> None:
    assert read(text) is None


def test_the_order_comes_from_the_locale_format() -> None:
    assert day_first("dd/MM/yyyy")
    assert day_first("d MM yyyy")
    assert not day_first("M/d/yy")
    assert not day_first("yyyy/MM/dd")
    assert day_first("d.MM.yy 'Mg'")  # quoted text is no field


def test_the_parser_needs_no_qt() -> None:
    code = "import sys, desktop.ui.date_parsing; sys.exit('PySide6' in sys.modules)"
    ran = subprocess.run([sys.executable, "-c", code], check=False)  # noqa: S603 - fixed code
    assert ran.returncode == 0
