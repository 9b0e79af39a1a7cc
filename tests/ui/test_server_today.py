"""The window's "today" is the database server's, whatever this computer's clock says.

The services judge every rule by the server's date; a workstation whose clock is
days off used to offer start dates and Complete actions the service then
refused. Here the workstation's clock (the tests' ``FakeClock``, given to the
window's ``ServerClock`` as the services get it) runs days off the server's, and
the window must still agree with the server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import shiboken6
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from desktop.bootstrap import BackOffice
from desktop.domain.bookings import booking_horizon
from desktop.domain.errors import ValidationError
from desktop.domain.permissions import Actor
from desktop.domain.records import DestinationRow, PersonRow
from desktop.services.bookings import NewBooking
from desktop.services.people import PersonDetails
from desktop.ui.dates import ServerClock, pydate, today
from desktop.ui.dialogs.change_stay import ChangeStayDialog
from desktop.ui.dialogs.new_booking import NewBookingDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.bookings import BookingsPage
from desktop.ui.session import Session
from desktop.ui.widgets.date_edit import DateField
from tests.factories import let_days_pass, server_today
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import TEST_CONNECTION, make_session, settle


def _window(qtbot: QtBot, office: BackOffice, actor: Actor, clock: FakeClock) -> MainWindow:
    """The main window on a workstation whose clock is ``clock``; it has read the server's."""
    session = Session(office, actor, TEST_CONNECTION, ServerClock(workstation=clock))
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: session.clock.offset is not None, timeout=5000)
    settle(qtbot)
    return window


def _select_booking(qtbot: QtBot, page: BookingsPage, booking_id: int) -> None:
    qtbot.waitUntil(lambda: booking_id in [r.id for r in page.model.rows()], timeout=5000)
    row = [r.id for r in page.model.rows()].index(booking_id)
    index = page.model.index(row, 0)
    qtbot.mouseClick(
        page.view.viewport(), Qt.MouseButton.LeftButton, pos=page.view.visualRect(index).center()
    )
    selected = page.selected()
    assert selected is not None
    assert selected.id == booking_id


def _type_date(qtbot: QtBot, field: DateField, text: str) -> None:
    field.edit.setFocus()
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, text)
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)


def _lagoon_and_ann(
    office: BackOffice, admin: Actor, agent: Actor
) -> tuple[DestinationRow, PersonRow]:
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    lagoon = office.destinations.create(admin, destination_draft(name="Lagoon Villas", duration=7))
    return lagoon, ann


@pytest.mark.parametrize("days_off", [2, -2])
def test_complete_waits_for_the_end_date_by_the_servers_today(
    qtbot: QtBot,
    engine: Engine,
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
    days_off: int,
) -> None:
    server = server_today(engine)
    lagoon, ann = _lagoon_and_ann(office, admin, agent)
    # Ends the day after tomorrow by the server: not yet to be completed.
    stay = NewBooking(ann.id, lagoon.id, server + timedelta(days=1), server + timedelta(days=2), 2)
    booking = office.bookings.create(agent, stay)
    office.bookings.confirm(agent, booking.id, booking.version)
    clock.advance(days=days_off)  # this computer's clock is days off the server's
    assert clock.today() != server

    window = _window(qtbot, office, agent, clock)
    assert today() == server
    page = window.pages["bookings"]
    assert isinstance(page, BookingsPage)
    window.show_page("bookings")
    settle(qtbot)
    _select_booking(qtbot, page, booking.id)
    assert not page.complete_action.isEnabled()
    assert "can be completed from its end date" in page.complete_action.toolTip()
    current = office.bookings.get(agent, booking.id)
    with pytest.raises(ValidationError):  # and the service agrees
        office.bookings.complete(agent, booking.id, current.version)


def test_a_new_booking_offers_and_judges_dates_by_the_servers_today(
    qtbot: QtBot,
    engine: Engine,
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
) -> None:
    server = server_today(engine)
    _lagoon_and_ann(office, admin, agent)
    clock.advance(days=2)  # two days fast: its "today" is the server's day after tomorrow
    window = _window(qtbot, office, agent, clock)
    page = window.pages["bookings"]
    assert isinstance(page, BookingsPage)
    page.new_booking()
    qtbot.waitUntil(lambda: window.findChild(NewBookingDialog) is not None, timeout=3000)
    dialog = window.findChild(NewBookingDialog)
    assert isinstance(dialog, NewBookingDialog)
    settle(qtbot)
    start = dialog.stay.start_date
    # The earliest start offered is the server's today, the latest its booking horizon.
    assert pydate(start.date()) == server
    assert pydate(start.minimumDate()) == server
    assert pydate(start.maximumDate()) == booking_horizon(server)

    _type_date(qtbot, start, "today")
    assert pydate(start.date()) == server
    _type_date(qtbot, start, (server + timedelta(days=1)).isoformat())
    settle(qtbot)
    assert dialog.form.message("start_date") == ""  # tomorrow is bookable by the server

    too_far = booking_horizon(server) + timedelta(days=1)
    _type_date(qtbot, start, too_far.isoformat())
    qtbot.waitUntil(
        lambda: "is more than 3 years ahead" in dialog.form.message("start_date"), timeout=2000
    )
    assert dialog.form.message("start_date").startswith("The start date is more than 3 years")
    assert not dialog.save_button.isEnabled()
    dialog.reject()


def test_the_stay_editor_says_the_longest_stay_before_save(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    office.destinations.create(admin, destination_draft(name="Lagoon Villas", duration=7))
    office.destinations.create(admin, destination_draft(name="Long Trek", duration=90))
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
    start: date = pydate(dialog.stay.start_date.date())

    _type_date(qtbot, dialog.stay.end_date, (start + timedelta(days=61)).isoformat())
    qtbot.waitUntil(lambda: dialog.form.message("end_date") != "", timeout=2000)
    assert dialog.form.message("end_date") == (
        "The end date makes a stay of 61 nights; a stay at Lagoon Villas can be at most "
        "60 nights (60, or the trip's own length if longer). Choose an earlier end date, "
        "or book the rest as a second stay."
    )
    assert not dialog.save_button.isEnabled()
    _type_date(qtbot, dialog.stay.end_date, (start + timedelta(days=60)).isoformat())
    qtbot.waitUntil(lambda: dialog.form.message("end_date") == "", timeout=2000)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=2000)

    # A trip longer than 60 nights may be stayed whole, and no longer.
    dialog.destination.change_button.click()
    dialog.destination.search.setFocus()
    qtbot.keyClicks(dialog.destination.search, "trek")
    qtbot.waitUntil(lambda: bool(dialog.destination.result_rows()), timeout=5000)
    qtbot.keyClick(dialog.destination.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.destination.chosen is not None, timeout=5000)
    _type_date(qtbot, dialog.stay.end_date, (start + timedelta(days=91)).isoformat())
    qtbot.waitUntil(lambda: "at most 90 nights" in dialog.form.message("end_date"), timeout=2000)
    dialog.reject()


def test_the_server_clock_keeps_its_offset_and_turns_at_the_servers_midnight() -> None:
    workstation = FakeClock(datetime(2026, 12, 8, 20, 30, tzinfo=UTC))
    clock = ServerClock(workstation=workstation)
    assert clock.today() == workstation.today()  # the workstation's until the server answers
    # The server is two days and ten minutes ahead, in a zone five hours behind UTC.
    eastern = timezone(timedelta(hours=-5))
    server_now = (workstation() + timedelta(days=2, minutes=10)).astimezone(eastern)
    asked = workstation()
    workstation.advance(seconds=2)  # the answer took two seconds
    clock.learn(server_now, server_now.date(), asked=asked, answered=workstation())
    assert clock.offset == timedelta(days=2, minutes=10, seconds=-1)
    assert clock.today() == date(2026, 12, 10)  # 15:41 on the 10th, east coast
    workstation.advance(hours=8, minutes=20)  # past midnight there
    assert clock.today() == date(2026, 12, 11)


def test_a_stay_under_way_keeps_its_start_and_changes_what_the_service_takes(
    qtbot: QtBot, engine: Engine, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    server = server_today(engine)
    lagoon, ann = _lagoon_and_ann(office, admin, agent)
    stay = NewBooking(ann.id, lagoon.id, server + timedelta(days=1), server + timedelta(days=8), 2)
    made = office.bookings.create(agent, stay)
    let_days_pass(engine, 3)  # under way: it started two days ago by the server's calendar
    booking = office.bookings.get(agent, made.id)
    assert booking.start_date < server

    dialog = ChangeStayDialog(make_session(office, agent), booking)
    dialog.show()  # not qtbot's to close: a saved dialog closes and deletes itself
    qtbot.waitExposed(dialog)
    qtbot.wait(300)
    settle(qtbot)
    # The start as booked is no "date in the past": the service keeps it too.
    assert dialog.form.message("start_date") == ""
    dialog.stay.requests.setFocus()
    qtbot.keyClicks(dialog.stay.requests, "Late checkout")
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=2000)
    # Moving the start, though, is judged as a new start.
    _type_date(qtbot, dialog.stay.start_date, (server - timedelta(days=1)).isoformat())
    qtbot.waitUntil(lambda: "in the past" in dialog.form.message("start_date"), timeout=2000)
    assert not dialog.save_button.isEnabled()
    _type_date(qtbot, dialog.stay.start_date, booking.start_date.isoformat())
    _type_date(qtbot, dialog.stay.end_date, booking.end_date.isoformat())
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=2000)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert office.bookings.get(agent, booking.id).special_requests == "Late checkout"
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())


def test_the_servers_clock_is_read_again_when_the_connection_is_back(
    qtbot: QtBot, engine: Engine, office: BackOffice, agent: Actor, clock: FakeClock
) -> None:
    server = server_today(engine)
    window = _window(qtbot, office, agent, clock)
    assert today() == server
    clock.advance(days=5)  # this computer's clock is set wrong while the network is down
    assert today() != server
    window.live.reconnected.emit()
    qtbot.waitUntil(lambda: today() == server, timeout=5000)
