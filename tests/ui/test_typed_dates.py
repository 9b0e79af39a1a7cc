"""Dates typed into the booking dialogs as a counter clerk types them: words, numbers, +7.

The dialogs' date fields read "21 Dec 2026", "21/12/2026", "21.12.", "21", "+7" and
"today", say under the field which date that is, and take it with Enter (or Tab, or
Save); the day/month order is the locale's (set here, as a workstation sets it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.listing import BookingFilter, PageRequest, Sort
from desktop.domain.permissions import Actor
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.new_booking import NewBookingDialog
from desktop.ui.widgets.date_edit import DateField
from tests.services.conftest import destination_draft
from tests.ui.conftest import make_session, settle


@pytest.fixture
def british() -> Iterator[QLocale]:
    """A workstation set to English (United Kingdom): day before month."""
    before = QLocale()
    locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    QLocale.setDefault(locale)
    yield locale
    QLocale.setDefault(before)


@pytest.fixture
def american() -> Iterator[QLocale]:
    """A workstation set to English (United States): month before day."""
    before = QLocale()
    locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    QLocale.setDefault(locale)
    yield locale
    QLocale.setDefault(before)


def _today() -> date:
    return date.today()


def _shown(value: date) -> str:
    """The long form the field shows, spelt out here rather than asked of the field."""
    locale = QLocale()
    weekday = locale.dayName(value.isoweekday(), QLocale.FormatType.ShortFormat)
    month = locale.monthName(value.month, QLocale.FormatType.ShortFormat)
    return f"{weekday} {value.day} {month} {value.year}"


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _dialog(qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor) -> NewBookingDialog:
    """A new booking with the customer and the destination picked: only the stay to type."""
    office.destinations.create(
        admin, destination_draft(name="Lagoon Villas", price=Decimal("1200.00"), duration=7)
    )
    office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    dialog = NewBookingDialog(make_session(office, agent))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot)
    for picker, text in ((dialog.customer, "ann"), (dialog.destination, "lagoon")):
        picker.search.setFocus()
        qtbot.keyClicks(picker.search, text)
        qtbot.waitUntil(lambda p=picker: bool(p.result_rows()), timeout=5000)
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda p=picker: p.chosen is not None, timeout=5000)
    settle(qtbot)
    return dialog


def _type(qtbot: QtBot, field: DateField, text: str, *, enter: bool = False) -> None:
    """Click into the field, select what it shows, type over it (and press Enter)."""
    qtbot.mouseClick(field.edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(field.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field.edit, text)
    if enter:
        qtbot.keyClick(field.edit, Qt.Key.Key_Return)


def _booking_count(office: BackOffice, actor: Actor) -> int:
    page = office.bookings.page(actor, BookingFilter(), PageRequest(Sort("id"), limit=10))
    return len(page.rows)


def test_a_date_typed_in_words_is_read_shown_and_taken_with_enter(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, british: QLocale
) -> None:
    dialog = _dialog(qtbot, office, admin, agent)
    start, field = _today() + timedelta(days=40), dialog.stay.start_date
    month = british.monthName(start.month, QLocale.FormatType.ShortFormat)
    _type(qtbot, field, f"{start.day} {month} {start.year}")

    # Which date that is shows under the field; the field keeps its date until Enter.
    assert dialog.form.note("start_date") == _shown(start)
    assert field.edit.text() == f"{start.day} {month} {start.year}"
    assert field.date() == _qdate(_today())

    # Enter takes the date (the field shows it in full); it does not save yet.
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert field.date() == _qdate(start)
    assert field.edit.text() == _shown(start)
    assert dialog.form.note("start_date") == ""
    assert dialog.stay.end_date.date() == _qdate(start + timedelta(days=7))  # the duration
    assert dialog.isVisible()
    settle(qtbot)
    assert _booking_count(office, agent) == 0

    # A second Enter reaches the dialog: the form is complete, so it saves.
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    settle(qtbot)
    assert saved.args[0].start_date == start
    assert saved.args[0].end_date == start + timedelta(days=7)


def test_numbers_short_forms_and_today_in_the_start_date(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, british: QLocale
) -> None:
    dialog = _dialog(qtbot, office, admin, agent)
    field, today = dialog.stay.start_date, _today()

    later = today + timedelta(days=75)
    _type(qtbot, field, f"{later.day}/{later.month}/{later.year}", enter=True)  # day first
    assert field.date() == _qdate(later)

    # Day and month alone: the next such date (this year's, or next year's once passed).
    soon = today + timedelta(days=3)
    _type(qtbot, field, f"{soon.day}.{soon.month}.")
    assert dialog.form.note("start_date") == f"{_shown(soon)}: " + (
        "this year" if soon.year == today.year else "next year"
    )
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert field.date() == _qdate(soon)

    # A day alone: the 28th of this month, or of next month once it has passed.
    this_month = today.replace(day=28)
    if this_month >= today:
        expected, which = this_month, "this month"
    else:
        expected = (today.replace(day=1) + timedelta(days=32)).replace(day=28)
        which = "next month"
    _type(qtbot, field, "28")
    assert dialog.form.note("start_date") == f"{_shown(expected)}: the 28th of {which}"
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert field.date() == _qdate(expected)

    _type(qtbot, field, "today")
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)  # leaving the field takes it, too
    assert field.date() == _qdate(today)
    assert field.edit.text() == _shown(today)


def test_plus_days_in_the_end_date_count_from_the_start(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, british: QLocale
) -> None:
    dialog = _dialog(qtbot, office, admin, agent)
    start = _today() + timedelta(days=20)
    _type(qtbot, dialog.stay.start_date, f"{start.day}/{start.month}/{start.year}", enter=True)

    end, ten_later = dialog.stay.end_date, start + timedelta(days=10)
    _type(qtbot, end, "+10")
    assert dialog.form.note("end_date") == f"{_shown(ten_later)}: 10 days after the start date"
    qtbot.keyClick(end.edit, Qt.Key.Key_Return)
    assert end.date() == _qdate(ten_later)
    assert end.edit.text() == _shown(ten_later)
    assert dialog.stay.nights.text() == "10 nights"

    # In the start date, +7 counts from today.
    _type(qtbot, dialog.stay.start_date, "+7")
    assert "7 days after today" in dialog.form.note("start_date")
    qtbot.keyClick(dialog.stay.start_date.edit, Qt.Key.Key_Return)
    assert dialog.stay.start_date.date() == _qdate(_today() + timedelta(days=7))


def test_a_text_that_is_no_date_says_so_and_stays_as_typed(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, british: QLocale
) -> None:
    dialog = _dialog(qtbot, office, admin, agent)
    field = dialog.stay.start_date
    before = field.date()
    assert dialog.save_button.isEnabled()

    _type(qtbot, field, "31/13/2026")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)  # nothing to take: it stays
    qtbot.waitUntil(lambda: dialog.form.message("start_date") != "", timeout=2000)
    assert "“31/13/2026” is not a date" in dialog.form.message("start_date")
    assert field.edit.text() == "31/13/2026"
    assert field.date() == before  # nothing moved behind the person's back
    assert not dialog.save_button.isEnabled()
    assert dialog.isVisible()

    # Escape in the field goes back to the date it had; the dialog stays open.
    qtbot.keyClick(field.edit, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert field.edit.text() == _shown(date(before.year(), before.month(), before.day()))
    qtbot.waitUntil(lambda: dialog.form.message("start_date") == "", timeout=2000)
    assert dialog.save_button.isEnabled()


def test_a_date_before_the_earliest_is_said_not_moved(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, british: QLocale
) -> None:
    dialog = _dialog(qtbot, office, admin, agent)
    _type(qtbot, dialog.stay.start_date, "yesterday", enter=True)
    yesterday = _today() - timedelta(days=1)
    assert dialog.stay.start_date.date() == _qdate(yesterday)
    qtbot.waitUntil(lambda: "in the past" in dialog.form.message("start_date"), timeout=2000)
    assert not dialog.save_button.isEnabled()

    start = _today() + timedelta(days=10)
    _type(qtbot, dialog.stay.start_date, f"{start.day}/{start.month}/{start.year}", enter=True)
    _type(qtbot, dialog.stay.end_date, f"{start.day}/{start.month}/{start.year}", enter=True)
    assert dialog.stay.end_date.date() == _qdate(start)
    qtbot.waitUntil(
        lambda: "must be after the start date" in dialog.form.message("end_date"), timeout=2000
    )


def test_arrows_and_the_calendar_still_work(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, british: QLocale
) -> None:
    dialog = _dialog(qtbot, office, admin, agent)
    field = dialog.stay.start_date
    start = _today() + timedelta(days=30)
    _type(qtbot, field, f"{start.day}/{start.month}/{start.year}")
    qtbot.keyClick(field.edit, Qt.Key.Key_Up)  # takes the typed date, then a day on
    assert field.date() == _qdate(start + timedelta(days=1))
    assert field.edit.text() == _shown(start + timedelta(days=1))
    qtbot.keyClick(field.edit, Qt.Key.Key_Down)
    qtbot.keyClick(field.edit, Qt.Key.Key_Down)
    assert field.date() == _qdate(start - timedelta(days=1))

    qtbot.keyClick(field.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = field.calendarWidget()
    qtbot.waitUntil(calendar.isVisible, timeout=2000)
    assert calendar.selectedDate() == _qdate(start - timedelta(days=1))
    days = QApplication.focusWidget()  # the calendar's grid of days has the keyboard
    assert days is not None
    assert calendar.isAncestorOf(days)
    qtbot.keyClick(days, Qt.Key.Key_Right)  # the calendar's own keys: a day on
    qtbot.keyClick(days, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not calendar.isVisible(), timeout=2000)
    assert field.date() == _qdate(start)
    assert field.edit.text() == _shown(start)
    assert QApplication.focusWidget() is field.edit


def test_month_first_where_the_locale_writes_it_so(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, american: QLocale
) -> None:
    dialog = _dialog(qtbot, office, admin, agent)
    field, today = dialog.stay.start_date, _today()
    # A day and a month that both could be months: the locale's order decides.
    wanted = date(today.year + 1, 3, 4)
    _type(qtbot, field, f"{wanted.month}/{wanted.day}/{wanted.year}", enter=True)
    assert field.date() == _qdate(wanted)
    assert field.edit.toolTip().count("12/21/") == 1  # the example follows the locale
