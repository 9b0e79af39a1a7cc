"""A save whose connection dies on the way: it landed once or not at all, and the clerk is told.

Two ways to lose a save in flight. A real one: the save waits for a row lock that
another connection holds, and its backend is ended with ``pg_terminate_backend``
(nothing was committed). And the one no timing can produce on demand: the commit
happened but its answer was lost (``OUTCOME_UNKNOWN``), played by a thin stand-in
for the service that calls the real method and then raises.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QListWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import URL, Connection, create_engine, text
from sqlalchemy.pool import NullPool

from desktop.bootstrap import BackOffice
from desktop.db.uow import CONNECTION_LOST, OUTCOME_UNKNOWN
from desktop.domain.enums import BookingStatus
from desktop.domain.errors import DatabaseUnavailable
from desktop.domain.listing import BookingFilter, PageRequest, Sort
from desktop.domain.permissions import Actor
from desktop.domain.records import BookingRow, DestinationRow, PersonRow
from desktop.services.bookings import NewBooking
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.booking_details import BookingDetailsDialog
from desktop.ui.dialogs.cancel_booking import CancelBookingDialog
from desktop.ui.dialogs.customer_editor import CustomerEditor
from desktop.ui.dialogs.new_booking import NewBookingDialog
from desktop.ui.live import connection
from desktop.ui.widgets.search_picker import SearchPicker
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import SECOND_MS, make_session, settle


class LosesTheAnswer:
    """A service whose chosen method commits, then loses its connection (or never starts).

    ``after=True``: the real method runs and commits, then the caller hears only
    ``DatabaseUnavailable(OUTCOME_UNKNOWN)``. ``after=False``: the call fails first
    with ``CONNECTION_LOST`` and nothing is written. Only the first call fails.
    """

    def __init__(self, real: Any, method: str, *, after: bool) -> None:
        self._real = real
        self._method = method
        self._after = after
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._real, name)
        if name != self._method:
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls > 1:
                return attribute(*args, **kwargs)
            if not self._after:
                raise DatabaseUnavailable(CONNECTION_LOST)
            attribute(*args, **kwargs)
            raise DatabaseUnavailable(OUTCOME_UNKNOWN)

        return call


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    """What the dialogs open over (some delete themselves once they close)."""
    host = QWidget()
    qtbot.addWidget(host)
    return host


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _quiet(qtbot: QtBot) -> None:
    """Let debounced searches and hints fire, then wait for every worker."""
    qtbot.wait(400)
    settle(qtbot)


def _bookings(office: BackOffice, actor: Actor) -> list[BookingRow]:
    return list(
        office.bookings.page(actor, BookingFilter(), PageRequest(Sort("id"), limit=100)).rows
    )


def _lagoon_and_ann(
    office: BackOffice, admin: Actor, agent: Actor
) -> tuple[DestinationRow, PersonRow]:
    lagoon = office.destinations.create(
        admin, destination_draft(name="Lagoon Villas", price=Decimal("1200.00"), duration=7)
    )
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    return lagoon, ann


def _pick(qtbot: QtBot, picker: SearchPicker, typed: str, expected: str) -> None:
    picker.search.setFocus()
    qtbot.keyClicks(picker.search, typed)
    qtbot.waitUntil(
        lambda: bool(picker.result_rows()) and picker.result_rows()[0].name == expected,
        timeout=5 * SECOND_MS,
    )
    results: QListWidget = picker.results
    rect = results.visualItemRect(results.item(0))
    qtbot.mouseClick(results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert picker.chosen is not None


def _new_booking_form(
    qtbot: QtBot, office: BackOffice, agent: Actor, window: QWidget, clock: FakeClock
) -> NewBookingDialog:
    dialog = NewBookingDialog(make_session(office, agent), window)
    dialog.show()
    settle(qtbot)
    _pick(qtbot, dialog.customer, "ann", "Ann Lee")
    _pick(qtbot, dialog.destination, "lag", "Lagoon Villas")
    dialog.stay.start_date.setDate(_qdate(clock.today() + timedelta(days=30)))
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3 * SECOND_MS)
    return dialog


def _count(signal_owner: Any) -> list[Any]:
    seen: list[Any] = []
    signal_owner.saved.connect(seen.append)
    return seen


def test_a_booking_committed_as_the_connection_died_is_reported_saved_once(
    qtbot: QtBot,
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
    window: QWidget,
) -> None:
    _lagoon_and_ann(office, admin, agent)
    bookings = LosesTheAnswer(office.bookings, "create", after=True)
    workstation = dataclasses.replace(office, bookings=bookings)
    dialog = _new_booking_form(qtbot, workstation, agent, window, clock)
    saved = _count(dialog)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    # The answer is lost and, as the listener would say, the database is unreachable.
    connection().set_online(False)
    qtbot.waitUntil(lambda: "checking whether the booking was made" in dialog.message.text())
    assert dialog.isVisible()
    assert not dialog.save_button.isEnabled()
    assert dialog.customer.chosen is not None  # the form is kept
    qtbot.wait(300)
    assert "checking" in dialog.message.text()  # it waits for the connection to come back

    connection().set_online(True)
    qtbot.waitUntil(lambda: "It was saved" in dialog.message.text(), timeout=5 * SECOND_MS)
    _quiet(qtbot)
    [stored] = _bookings(office, agent)
    assert dialog.message.text() == f"It was saved: booking #{stored.id}."
    assert [row.id for row in saved] == [stored.id]  # told once, as a save
    assert bookings.calls == 1
    assert dialog.save_button.isHidden()
    assert dialog.cancel_button.text() == "Close"
    assert dialog.isVisible()  # the clerk reads it before closing


def test_a_booking_not_saved_as_the_connection_died_saves_once_on_the_second_press(
    qtbot: QtBot,
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
    window: QWidget,
) -> None:
    _lagoon_and_ann(office, admin, agent)
    bookings = LosesTheAnswer(office.bookings, "create", after=False)
    workstation = dataclasses.replace(office, bookings=bookings)
    dialog = _new_booking_form(qtbot, workstation, agent, window, clock)
    saved = _count(dialog)
    token = dialog.request_token

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "It was not saved" in dialog.message.text(), timeout=5 * SECOND_MS)
    assert "press Save again" in dialog.message.text()
    assert _bookings(office, agent) == []
    assert saved == []
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3 * SECOND_MS)

    with qtbot.waitSignal(dialog.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    [stored] = _bookings(office, agent)
    assert [row.id for row in saved] == [stored.id]
    assert dialog.request_token == token  # the same request: a double save stays one booking
    assert office.bookings.find_by_request_token(agent, token) == stored


@pytest.fixture
def lock_holder(database_url: URL) -> Iterator[Connection]:
    """Another client of the database, with its own connection."""
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def _terminate_when_waiting(qtbot: QtBot, conn: Connection) -> None:
    """End the backend that waits for the lock ``conn`` holds (the save in flight)."""
    waiting = text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    pids: list[int] = []

    def found() -> bool:
        with conn.engine.connect() as probe:
            pids[:] = list(probe.execute(waiting).scalars())
        return bool(pids)

    qtbot.waitUntil(found, timeout=4 * SECOND_MS)
    with conn.engine.connect() as killer:
        for pid in pids:
            killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_save_whose_backend_is_terminated_is_reported_not_saved(
    qtbot: QtBot,
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
    window: QWidget,
    lock_holder: Connection,
) -> None:
    lagoon, _ann = _lagoon_and_ann(office, admin, agent)
    dialog = _new_booking_form(qtbot, office, agent, window, clock)
    saved = _count(dialog)
    # Someone holds the destination's row: the save waits there, mid-transaction.
    lock_holder.execute(
        text("SELECT id FROM destinations WHERE id = :id FOR UPDATE"), {"id": lagoon.id}
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _terminate_when_waiting(qtbot, lock_holder)
    lock_holder.rollback()

    qtbot.waitUntil(lambda: "It was not saved" in dialog.message.text(), timeout=5 * SECOND_MS)
    assert _bookings(office, agent) == []
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3 * SECOND_MS)
    with qtbot.waitSignal(dialog.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    assert len(_bookings(office, agent)) == 1
    assert len(saved) == 1


def _open_customer(
    qtbot: QtBot, workstation: BackOffice, agent: Actor, ann: PersonRow, window: QWidget
) -> CustomerEditor:
    editor = CustomerEditor(make_session(workstation, agent), ann, window)
    editor.show()
    settle(qtbot)
    editor.phone.setFocus()
    editor.phone.selectAll()
    qtbot.keyClicks(editor.phone, "+44 20 7000 5555")
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2 * SECOND_MS)
    return editor


@pytest.mark.parametrize("after", [True, False], ids=["committed", "not-committed"])
def test_an_edit_whose_connection_died_is_checked_against_the_row(
    qtbot: QtBot,
    office: BackOffice,
    agent: Actor,
    window: QWidget,
    after: bool,
) -> None:
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    customers = LosesTheAnswer(office.customers, "update", after=after)
    workstation = dataclasses.replace(office, customers=customers)
    editor = _open_customer(qtbot, workstation, agent, ann, window)
    saved = _count(editor)

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    if after:
        qtbot.waitUntil(lambda: "It was saved" in editor.bar.text(), timeout=5 * SECOND_MS)
        settle(qtbot)
        stored = office.customers.get(agent, ann.id)
        assert stored.phone == "+44 20 7000 5555"
        assert [row.version for row in saved] == [stored.version]
        assert editor.isVisible()
        assert editor.close_button.text() == "Close"
        return
    qtbot.waitUntil(lambda: "It was not saved" in editor.bar.text(), timeout=5 * SECOND_MS)
    assert office.customers.get(agent, ann.id).phone is None
    assert saved == []
    assert editor.phone.text() == "+44 20 7000 5555"
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2 * SECOND_MS)
    with qtbot.waitSignal(editor.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert office.customers.get(agent, ann.id).phone == "+44 20 7000 5555"
    assert len(saved) == 1


def _booking(office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock) -> BookingRow:
    lagoon, ann = _lagoon_and_ann(office, admin, agent)
    start = clock.today() + timedelta(days=30)
    return office.bookings.create(
        agent, NewBooking(ann.id, lagoon.id, start, start + timedelta(days=7), 2)
    )


def test_a_cancellation_committed_as_the_connection_died_is_reported_saved(
    qtbot: QtBot,
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
    window: QWidget,
) -> None:
    booking = _booking(office, admin, agent, clock)
    bookings = LosesTheAnswer(office.bookings, "cancel", after=True)
    workstation = dataclasses.replace(office, bookings=bookings)
    dialog = CancelBookingDialog(make_session(workstation, agent), booking, window)
    dialog.show()
    saved = _count(dialog)
    qtbot.keyClicks(dialog.reason, "Weather warning")
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3 * SECOND_MS)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "It was saved" in dialog.bar.text(), timeout=5 * SECOND_MS)
    settle(qtbot)
    stored = office.bookings.get(agent, booking.id)
    assert (stored.status, stored.cancellation_reason) == (
        BookingStatus.CANCELLED,
        "Weather warning",
    )
    assert [row.version for row in saved] == [stored.version]
    assert dialog.summary.values["status"].text() == "Cancelled"
    assert dialog.save_button.isHidden()


def test_a_confirmation_not_saved_as_the_connection_died_says_so(
    qtbot: QtBot,
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
    window: QWidget,
) -> None:
    booking = _booking(office, admin, agent, clock)
    bookings = LosesTheAnswer(office.bookings, "confirm", after=False)
    workstation = dataclasses.replace(office, bookings=bookings)
    details = BookingDetailsDialog(make_session(workstation, agent), booking, window)
    details.show()
    saved = _count(details)
    qtbot.mouseClick(details.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "It was not saved" in details.bar.text(), timeout=5 * SECOND_MS)
    assert "still pending" in details.bar.text()
    assert saved == []
    assert details.confirm_button.isVisible()
    assert details.confirm_button.isEnabled()
    with qtbot.waitSignal(details.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(details.confirm_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert office.bookings.get(agent, booking.id).status is BookingStatus.CONFIRMED
