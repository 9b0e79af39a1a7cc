"""Actions act on the row a person sees selected, and an action that is off says why.

Qt gives a table that takes the focus a current row of its own (the first one, not
highlighted); nothing may act on it until the person selects a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QApplication, QDateEdit
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.permissions import Actor
from desktop.domain.records import BookingRow
from desktop.services.bookings import NewBooking
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.booking_details import BookingDetailsDialog
from desktop.ui.dialogs.destination_editor import DestinationEditor
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.bookings import BookingsPage
from desktop.ui.table_model import ROW_ROLE
from tests.factories import let_days_pass
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import make_session, settle


@pytest.fixture
def american() -> Iterator[QLocale]:
    """A workstation set to English (United States), whose short dates have two-digit years."""
    before = QLocale()
    locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    QLocale.setDefault(locale)
    yield locale
    QLocale.setDefault(before)


def _window(qtbot: QtBot, office: BackOffice, actor: Actor) -> MainWindow:
    window = MainWindow(make_session(office, actor))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    settle(qtbot)
    return window


def _bookings(office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock) -> list[BookingRow]:
    lagoon = office.destinations.create(admin, destination_draft())
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    start = clock.today() + timedelta(days=5)
    made = []
    for weeks in range(3):
        begin = start + timedelta(days=7 * weeks)
        made.append(
            office.bookings.create(
                agent, NewBooking(ann.id, lagoon.id, begin, begin + timedelta(days=7), 2)
            )
        )
    return made


def _selected_rows(page: BookingsPage | object) -> list[object]:
    view = page.view  # type: ignore[attr-defined]
    return [index.data(ROW_ROLE) for index in view.selectionModel().selectedRows()]


def _click_row(qtbot: QtBot, page: object, row: int) -> None:
    view = page.view  # type: ignore[attr-defined]
    rect = view.visualRect(view.model().index(row, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_after_sign_in_nothing_is_selected_and_row_actions_wait(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    _bookings(office, admin, agent, clock)
    window = _window(qtbot, office, agent)
    page = window.pages["bookings"]
    assert isinstance(page, BookingsPage)
    assert page.view.hasFocus()
    assert page.model.rowCount() == 3
    assert _selected_rows(page) == []  # nothing shows selected...
    for action in (page.payment_action, page.open_action, page.cancel_action):
        assert not action.isEnabled()  # ...so nothing acts on a row
        assert action.toolTip() == "Select a booking in the list first."
    assert page.new_action.isEnabled()

    # Down starts at the first row (Qt would skip it, moving on from its unseen one).
    qtbot.keyClick(page.view, Qt.Key.Key_Down)
    first = page.model.row(0)
    assert _selected_rows(page) == [first]
    assert page.payment_action.isEnabled()

    _click_row(qtbot, page, 2)
    assert _selected_rows(page) == [page.model.row(2)]
    assert page.selected() is page.model.row(2)


def test_enter_on_a_row_nobody_selected_selects_it_first(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    _bookings(office, admin, agent, clock)
    window = _window(qtbot, office, agent)
    page = window.pages["bookings"]
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    settle(qtbot)
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, BookingDetailsDialog)]
    assert _selected_rows(page) == [page.model.row(0)]  # now it shows which one


def test_a_destination_just_added_is_the_one_selected(
    qtbot: QtBot, office: BackOffice, admin: Actor
) -> None:
    office.destinations.create(admin, destination_draft(name="Aurora Lodge"))
    window = _window(qtbot, office, admin)
    page = window.show_page("destinations")
    assert page is not None
    settle(qtbot)
    page.view.setFocus()
    assert not page.edit_action.isEnabled()

    page.new_action.trigger()
    editor = next(d for d in page.findChildren(DestinationEditor) if d.isVisible())
    for field, text in (
        (editor.name, "Coral Bay"),
        (editor.country, "Fiji"),
        (editor.city, "Nadi"),
        (editor.price, "950"),
    ):
        field.setFocus()
        qtbot.keyClicks(field, text)
    editor.description.setFocus()
    qtbot.keyClicks(editor.description, "Reef walks and a quiet beach.")
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=3000)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    settle(qtbot)
    window.activateWindow()
    page.view.setFocus()
    settle(qtbot)
    selected = _selected_rows(page)
    assert [row.name for row in selected] == ["Coral Bay"]  # type: ignore[attr-defined]
    assert page.selected() is selected[0]
    assert page.toggle_action.isEnabled()


def test_complete_waits_for_the_end_of_the_stay_and_says_so(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    lagoon = office.destinations.create(admin, destination_draft(name="Jungle Lodge"))
    bob = office.customers.create(agent, PersonDetails("Bob Ray", "bob@example.com"))
    start = clock.today() + timedelta(days=10)
    past = office.bookings.create(
        agent, NewBooking(bob.id, lagoon.id, start, start + timedelta(days=7), 2)
    )
    office.bookings.confirm(agent, past.id, past.version)
    let_days_pass(office.engine, 30)  # booked a month ago, ended last week: the server's today
    future = _bookings(office, admin, agent, clock)[0]
    office.bookings.confirm(agent, future.id, future.version)

    window = _window(qtbot, office, agent)
    page = window.pages["bookings"]
    assert isinstance(page, BookingsPage)
    rows = [page.model.row(i) for i in range(page.model.rowCount())]
    _click_row(qtbot, page, next(i for i, r in enumerate(rows) if r and r.id == future.id))
    assert not page.complete_action.isEnabled()
    end = future.end_date
    assert page.complete_action.toolTip() == (
        f"Booking #{future.id} can be completed from its end date, "
        f"{QLocale().toString(QDate(end.year, end.month, end.day), 'ddd d MMM yyyy')}, on."
    )
    assert page.cancel_action.isEnabled()

    _click_row(qtbot, page, next(i for i, r in enumerate(rows) if r and r.id == past.id))
    assert page.complete_action.isEnabled()
    assert page.complete_action.toolTip() == "Complete"
    page.complete_action.trigger()
    qtbot.waitUntil(lambda: page.selected().status.value == "completed", timeout=10_000)
    settle(qtbot)
    assert not page.complete_action.isEnabled()
    assert "only a confirmed booking" in page.complete_action.toolTip().lower()
    assert "completed" in page.cancel_action.toolTip()


def test_lists_and_their_filters_show_four_digit_years(
    qtbot: QtBot,
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
    american: QLocale,
) -> None:
    booking = _bookings(office, admin, agent, clock)[0]
    window = _window(qtbot, office, agent)
    page = window.pages["bookings"]
    start: date = booking.start_date
    keys = [column.key for column in page.model.columns]
    row = next(i for i in range(page.model.rowCount()) if page.model.row(i).id == booking.id)
    cell = page.model.index(row, keys.index("start_date")).data()
    assert cell == f"{start.month}/{start.day}/{start.year}"
    created = page.model.index(row, keys.index("created_at")).data()
    assert f"/{booking.created_at.astimezone().year} " in created
    for edit in page.findChildren(QDateEdit):
        assert edit.displayFormat() == "M/d/yyyy"

    # A dialog shows the long date.
    page.view.selectRow(row)
    page.open_selected()
    details = next(w for w in QApplication.topLevelWidgets() if isinstance(w, BookingDetailsDialog))
    weekday = american.dayName(start.isoweekday(), QLocale.FormatType.ShortFormat)
    month = american.monthName(start.month, QLocale.FormatType.ShortFormat)
    assert (
        details.summary.values["stay"]
        .text()
        .startswith(f"{weekday} {start.day} {month} {start.year} → ")
    )
    details.reject()
