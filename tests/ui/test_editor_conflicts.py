"""Two workstations, one record: B's open editor hears of A's save and resolves the conflict.

Workstation A is the ``office`` services called directly; workstation B has its own
engine, its own listener (``LiveUpdates``) and the editor a person drives.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from desktop.bootstrap import BackOffice
from desktop.domain.enums import BookingStatus, Role
from desktop.domain.listing import PageRequest, PersonFilter, Sort
from desktop.domain.permissions import Actor
from desktop.domain.records import BookingRow, PersonRow
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.booking_details import BookingDetailsDialog
from desktop.ui.dialogs.cancel_booking import CancelBookingDialog
from desktop.ui.dialogs.change_stay import ChangeStayDialog
from desktop.ui.dialogs.conflict import MINE, THEIRS, ConflictDialog
from desktop.ui.dialogs.customer_editor import CustomerEditor
from desktop.ui.dialogs.destination_editor import DestinationEditor
from desktop.ui.dialogs.edited_record import EditedRecord
from desktop.ui.dialogs.staff_editor import StaffEditor
from desktop.ui.live import LiveUpdates, set_current_live
from tests.factories import png
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import SECOND_MS, make_session, settle


@pytest.fixture
def window_b(qtbot: QtBot) -> QWidget:
    """What B's dialogs open over (editors delete themselves once they close)."""
    window = QWidget()
    qtbot.addWidget(window)
    return window


@pytest.fixture
def live_b(qtbot: QtBot, office_b: BackOffice, window_b: QWidget) -> Iterator[LiveUpdates]:
    """B's listener, registered as the window's: B's editors find it as they would."""
    live = LiveUpdates(office_b, window_b)
    connected: list[bool] = []
    live.connection_changed.connect(connected.append)
    live.start()
    qtbot.waitUntil(lambda: connected == [True], timeout=10 * SECOND_MS)
    set_current_live(live)
    yield live
    set_current_live(None)
    live.stop()


def _type_over(qtbot: QtBot, edit: QWidget, value: str) -> None:
    edit.setFocus()
    edit.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(edit, value)


def _told_within_a_second(qtbot: QtBot, record: EditedRecord, committed: float) -> None:
    qtbot.waitUntil(lambda: "just now" in record.bar.text(), timeout=SECOND_MS)
    assert time.monotonic() - committed < 1.0


def _conflict_dialog(qtbot: QtBot, record: EditedRecord) -> ConflictDialog:
    qtbot.waitUntil(
        lambda: record.dialog is not None and record.dialog.isVisible(), timeout=10 * SECOND_MS
    )
    assert record.dialog is not None
    return record.dialog


def _staff_member(office: BackOffice, admin: Actor, person_id: int) -> PersonRow:
    rows = office.staff.page(admin, PersonFilter(), PageRequest(Sort("id"))).rows
    return next(p for p in rows if p.id == person_id)


def _quiet(qtbot: QtBot) -> None:
    """Let the availability hint's pause run out, then wait for every worker."""
    qtbot.wait(400)
    settle(qtbot)


def _customer(office: BackOffice, agent: Actor) -> PersonRow:
    return office.customers.create(
        agent, PersonDetails("Ann Lee", "ann@example.com", "+44 20 7946 0000")
    )


def test_a_customer_changed_in_a_is_told_in_b_and_the_save_keeps_the_fields_chosen(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    live_b: LiveUpdates,
    agent: Actor,
) -> None:
    ann = _customer(office, agent)
    editor = CustomerEditor(make_session(office_b, agent), ann, window_b)
    editor.show()
    settle(qtbot)
    _type_over(qtbot, editor.name, "Ann Lee-Smith")
    _type_over(qtbot, editor.phone, "+44 20 7000 1111")
    assert editor.bar.text() == ""

    office.customers.update(
        agent, ann.id, ann.version, PersonDetails("Ann Smith", "ann.smith@example.com", ann.phone)
    )
    committed = time.monotonic()
    _told_within_a_second(qtbot, editor.record, committed)
    assert "Someone else changed this customer" in editor.bar.text()
    assert "Name" in editor.bar.text()
    assert "E-mail" in editor.bar.text()
    assert editor.reload_button.isVisible()
    assert editor.compare_button.isVisible()
    assert editor.name.text() == "Ann Lee-Smith"  # nothing typed is replaced unasked

    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2 * SECOND_MS)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    dialog = _conflict_dialog(qtbot, editor.record)
    assert set(dialog.to_decide()) == {"name", "email", "phone"}
    # Defaults: mine where I changed the field, theirs where only they did.
    assert dialog.choice("name") == MINE
    assert dialog.choice("phone") == MINE
    assert dialog.choice("email") == THEIRS
    assert dialog.shown("name", "original") == "Ann Lee"
    assert dialog.shown("name", THEIRS) == "Ann Smith"
    assert dialog.shown("name", MINE) == "Ann Lee-Smith"
    assert dialog.shown("email", MINE) == "ann@example.com"
    assert office.customers.get(agent, ann.id).name == "Ann Smith"  # nothing saved yet

    qtbot.mouseClick(dialog.radio("name", THEIRS), Qt.MouseButton.LeftButton)
    assert dialog.choice("name") == THEIRS
    with qtbot.waitSignal(editor.saved, timeout=10 * SECOND_MS) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    stored = office.customers.get(agent, ann.id)
    assert (stored.name, stored.email, stored.phone) == (
        "Ann Smith",
        "ann.smith@example.com",
        "+44 20 7000 1111",
    )
    assert saved.args[0].version == stored.version


def test_reload_from_the_notice_replaces_what_was_typed_only_when_clicked(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    live_b: LiveUpdates,
    agent: Actor,
) -> None:
    ann = _customer(office, agent)
    editor = CustomerEditor(make_session(office_b, agent), ann, window_b)
    editor.show()
    settle(qtbot)
    _type_over(qtbot, editor.phone, "+44 20 7000 2222")
    changed = office.customers.update(
        agent, ann.id, ann.version, PersonDetails("Ann Smith", ann.email, ann.phone)
    )
    _told_within_a_second(qtbot, editor.record, time.monotonic())
    assert editor.phone.text() == "+44 20 7000 2222"

    qtbot.mouseClick(editor.reload_button, Qt.MouseButton.LeftButton)
    assert editor.name.text() == "Ann Smith"
    assert editor.phone.text() == ann.phone
    assert editor.bar.text() == ""
    assert not editor.reload_button.isVisible()
    assert editor.customer is not None
    assert editor.customer.version == changed.version
    # Saving now goes over their version: no conflict.
    _type_over(qtbot, editor.phone, "+44 20 7000 3333")
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2 * SECOND_MS)
    with qtbot.waitSignal(editor.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    stored = office.customers.get(agent, ann.id)
    assert (stored.name, stored.phone) == ("Ann Smith", "+44 20 7000 3333")


def test_a_second_conflict_while_the_dialog_is_open_opens_it_again(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    live_b: LiveUpdates,
    admin: Actor,
    moderator: Actor,
) -> None:
    lagoon = office.destinations.create(admin, destination_draft())
    editor = DestinationEditor(make_session(office_b, admin), lagoon, window_b)
    editor.show()
    settle(qtbot)
    _type_over(qtbot, editor.price, "1500")
    first = office.destinations.update(
        moderator, lagoon.id, lagoon.version, destination_draft(name="Lagoon Villas Deluxe")
    )
    _told_within_a_second(qtbot, editor.record, time.monotonic())

    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2 * SECOND_MS)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    dialog = _conflict_dialog(qtbot, editor.record)
    assert set(dialog.to_decide()) == {"name", "price"}
    assert (dialog.choice("name"), dialog.choice("price")) == (THEIRS, MINE)
    assert dialog.shown("description", "original") == lagoon.description  # shown, dimmed
    assert dialog.shown("price", MINE) == "$1,500.00"

    # Meanwhile A saves again: the merge goes over a version that is no longer the newest.
    second = office.destinations.update(
        moderator,
        lagoon.id,
        first.version,
        destination_draft(
            name="Lagoon Villas Deluxe",
            description="Overwater villas, now with a dive centre.",
            max_guests=6,
        ),
    )
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: editor.record.dialog is not None and editor.record.dialog is not dialog,
        timeout=10 * SECOND_MS,
    )
    again = _conflict_dialog(qtbot, editor.record)
    assert set(again.to_decide()) == {"description", "max_guests", "price"}
    assert again.original["name"] == "Lagoon Villas Deluxe"  # over the version merged with
    assert again.theirs["max_guests"] == 6
    assert again.choice("price") == MINE
    assert again.choice("description") == THEIRS
    assert office.destinations.get(admin, lagoon.id).version == second.version  # nothing saved

    qtbot.mouseClick(again.radio("max_guests", MINE), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(editor.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(again.ok_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    stored = office.destinations.get(admin, lagoon.id)
    assert stored.name == "Lagoon Villas Deluxe"
    assert stored.description == "Overwater villas, now with a dive centre."
    assert stored.price == Decimal("1500.00")
    assert stored.max_guests == 4  # mine: the value the editor opened with
    assert stored.features == ("snorkelling", "spa")


def test_cancelling_the_conflict_dialog_saves_nothing_and_keeps_the_form(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    live_b: LiveUpdates,
    admin: Actor,
    moderator: Actor,
) -> None:
    lagoon = office.destinations.create(admin, destination_draft())
    editor = DestinationEditor(make_session(office_b, admin), lagoon, window_b)
    editor.show()
    settle(qtbot)
    _type_over(qtbot, editor.price, "1500")
    theirs = office.destinations.update(
        moderator, lagoon.id, lagoon.version, destination_draft(price=Decimal("1300.00"))
    )
    _told_within_a_second(qtbot, editor.record, time.monotonic())
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    dialog = _conflict_dialog(qtbot, editor.record)
    assert dialog.to_decide() == ["price"]
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert editor.isVisible()
    assert editor.price.text() == "1500"
    assert editor.compare_button.isVisible()
    assert office.destinations.get(admin, lagoon.id).version == theirs.version


def _booking(office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock) -> BookingRow:
    lagoon = office.destinations.create(admin, destination_draft(price=Decimal("1200.00")))
    ann = _customer(office, agent)
    start = clock.today() + timedelta(days=30)
    return office.bookings.create(
        agent, NewBooking(ann.id, lagoon.id, start, start + timedelta(days=7), 2)
    )


def _qdate(value: object) -> QDate:
    return QDate(value.year, value.month, value.day)  # type: ignore[attr-defined]


def test_a_booking_changed_in_a_while_bs_change_stay_dialog_is_open(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    live_b: LiveUpdates,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
) -> None:
    booking = _booking(office, admin, agent, clock)
    dialog = ChangeStayDialog(make_session(office_b, agent), booking, window_b)
    dialog.show()
    _quiet(qtbot)
    spin = dialog.stay.guests
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "3")
    later_end = booking.end_date + timedelta(days=2)
    theirs = office.bookings.change_stay(
        admin,
        booking.id,
        booking.version,
        StayChange(booking.start_date, later_end, 2, "Late check-in"),
    )
    _told_within_a_second(qtbot, dialog.record, time.monotonic())
    assert "Someone else changed this booking" in dialog.bar.text()
    assert spin.value() == 3

    # Compare: their version beside mine; the choices go into the form, not the database.
    qtbot.mouseClick(dialog.bar.compare_button, Qt.MouseButton.LeftButton)
    compare = _conflict_dialog(qtbot, dialog.record)
    assert set(compare.to_decide()) == {"end_date", "guests", "special_requests"}
    assert (compare.choice("end_date"), compare.choice("guests")) == (THEIRS, MINE)
    assert compare.choice("special_requests") == THEIRS
    assert compare.shown("status", THEIRS) == "Pending"
    qtbot.mouseClick(compare.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.stay.end_date.date() == _qdate(later_end)
    assert dialog.stay.requests.toPlainText() == "Late check-in"
    assert spin.value() == 3
    assert dialog.booking.version == theirs.version
    assert office.bookings.get(agent, booking.id).guests == 2  # nothing saved by Compare

    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3 * SECOND_MS)
    with qtbot.waitSignal(dialog.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    stored = office.bookings.get(agent, booking.id)
    assert (stored.end_date, stored.guests, stored.special_requests) == (
        later_end,
        3,
        "Late check-in",
    )
    assert stored.total_price == Decimal("3600.00")


def test_a_stale_stay_change_goes_through_the_conflict_dialog(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
) -> None:
    """Without a listener (B never heard): the save's refusal opens the dialog itself."""
    booking = _booking(office, admin, agent, clock)
    dialog = ChangeStayDialog(make_session(office_b, agent), booking, window_b)
    dialog.show()
    _quiet(qtbot)
    office.bookings.confirm(admin, booking.id, booking.version)
    dialog.stay.requests.setFocus()
    qtbot.keyClicks(dialog.stay.requests, "Vegetarian")
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3 * SECOND_MS)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    conflict = _conflict_dialog(qtbot, dialog.record)
    assert conflict.to_decide() == ["special_requests"]
    assert conflict.shown("status", "original") == "Pending"
    assert conflict.shown("status", THEIRS) == "Confirmed"
    with qtbot.waitSignal(dialog.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(conflict.ok_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    stored = office.bookings.get(agent, booking.id)
    assert (stored.status, stored.special_requests) == (BookingStatus.CONFIRMED, "Vegetarian")


def test_a_customer_deleted_underneath_an_open_editor(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    live_b: LiveUpdates,
    agent: Actor,
) -> None:
    ann = _customer(office, agent)
    editor = CustomerEditor(make_session(office_b, agent), ann, window_b)
    editor.show()
    settle(qtbot)
    _type_over(qtbot, editor.phone, "+44 20 7000 4444")
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2 * SECOND_MS)
    with office.engine.begin() as conn:  # another client of the database deletes the row
        conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": ann.id})
    _told_within_a_second(qtbot, editor.record, time.monotonic())
    assert "deleted this customer" in editor.bar.text()
    assert not editor.save_button.isEnabled()
    assert not editor.reload_button.isVisible()
    assert editor.phone.text() == "+44 20 7000 4444"  # still there to copy


def test_a_password_reset_elsewhere_is_no_conflict_for_the_staff_editor(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    live_b: LiveUpdates,
    admin: Actor,
    agent: Actor,
) -> None:
    """A new version that changes nothing the form shows is taken quietly."""
    alex = _staff_member(office, admin, agent.id)
    editor = StaffEditor(make_session(office_b, admin), alex, window_b)
    editor.show()
    settle(qtbot)
    editor.role.setCurrentIndex(editor.role.findData(Role.MODERATOR.value))
    office.staff.reset_password(admin, alex.id, "a brand new passphrase")
    qtbot.waitUntil(lambda: editor.person.version != alex.version, timeout=SECOND_MS)  # type: ignore[union-attr]
    assert editor.bar.text() == ""
    with qtbot.waitSignal(editor.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert editor.record.dialog is None
    assert _staff_member(office, admin, alex.id).role is Role.MODERATOR


def test_a_staff_member_changed_in_a_merges_field_by_field_in_b(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    live_b: LiveUpdates,
    admin: Actor,
    agent: Actor,
) -> None:
    alex = _staff_member(office, admin, agent.id)
    editor = StaffEditor(make_session(office_b, admin), alex, window_b)
    editor.show()
    settle(qtbot)
    editor.role.setCurrentIndex(editor.role.findData(Role.MODERATOR.value))
    office.staff.update(
        admin, alex.id, alex.version, PersonDetails(alex.name, alex.email, "+1 555 0100"), alex.role
    )
    _told_within_a_second(qtbot, editor.record, time.monotonic())
    assert "Phone" in editor.bar.text()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    dialog = _conflict_dialog(qtbot, editor.record)
    assert set(dialog.to_decide()) == {"phone", "role"}
    assert (dialog.choice("phone"), dialog.choice("role")) == (THEIRS, MINE)
    assert dialog.shown("role", THEIRS) == "Counter agent"
    assert dialog.shown("role", MINE) == "Moderator"
    with qtbot.waitSignal(editor.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    stored = _staff_member(office, admin, alex.id)
    assert (stored.phone, stored.role) == ("+1 555 0100", Role.MODERATOR)


def test_the_details_show_a_change_from_a_at_once_and_bs_own_action_is_not_news(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    live_b: LiveUpdates,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
) -> None:
    booking = _booking(office, admin, agent, clock)
    details = BookingDetailsDialog(make_session(office_b, agent), booking, window_b)
    details.show()
    with qtbot.waitSignal(details.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(details.confirm_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    qtbot.wait(500)  # the notice of B's own save arrives and is recognised
    settle(qtbot)
    assert "Someone else" not in details.bar.text()
    assert details.summary.values["status"].text() == "Confirmed"

    confirmed = details.booking
    office.bookings.change_stay(
        admin,
        booking.id,
        confirmed.version,
        StayChange(booking.start_date, booking.end_date, 3, None),
    )
    qtbot.waitUntil(lambda: details.summary.values["guests"].text() == "3", timeout=SECOND_MS)
    assert "Someone else changed this booking" in details.bar.text()
    assert "3 guests" in details.bar.text()


def test_a_booking_changed_in_a_while_bs_cancel_dialog_is_open_reloads_on_request(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    live_b: LiveUpdates,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
) -> None:
    booking = _booking(office, admin, agent, clock)
    dialog = CancelBookingDialog(make_session(office_b, agent), booking, window_b)
    dialog.show()
    qtbot.keyClicks(dialog.reason, "Family emergency")
    office.bookings.change_stay(
        admin,
        booking.id,
        booking.version,
        StayChange(booking.start_date, booking.end_date, 3, None),
    )
    qtbot.waitUntil(lambda: "just now" in dialog.bar.text(), timeout=SECOND_MS)
    assert f"Someone else changed booking #{booking.id}" in dialog.bar.text()
    assert "3 guests" in dialog.bar.text()
    assert dialog.bar.reload_button.isVisible()
    assert not dialog.bar.compare_button.isVisible()  # nothing here to merge
    assert dialog.summary.values["guests"].text() == "2"  # shown as opened until asked

    qtbot.mouseClick(dialog.bar.reload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.summary.values["guests"].text() == "3", timeout=SECOND_MS)
    assert dialog.reason.toPlainText() == "Family emergency"  # the reason is the clerk's
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3 * SECOND_MS)
    with qtbot.waitSignal(dialog.saved, timeout=10 * SECOND_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    stored = office.bookings.get(agent, booking.id)
    assert (stored.status, stored.guests) == (BookingStatus.CANCELLED, 3)


def test_pictures_changed_on_both_workstations_are_compared_in_words(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    window_b: QWidget,
    live_b: LiveUpdates,
    admin: Actor,
    moderator: Actor,
) -> None:
    hut = office.images.store(admin, png(3, 2)).reference
    reef = office.images.store(admin, png(4, 2)).reference
    lagoon = office.destinations.create(admin, destination_draft(images=(hut,)))
    editor = DestinationEditor(make_session(office_b, admin), lagoon, window_b)
    editor.show()
    settle(qtbot)
    editor.images.set_images([])  # B removes the hut's picture
    office.destinations.update(  # while A adds the reef's
        moderator, lagoon.id, lagoon.version, destination_draft(images=(hut, reef))
    )
    _told_within_a_second(qtbot, editor.record, time.monotonic())
    qtbot.waitUntil(editor.compare_button.isVisible, timeout=2 * SECOND_MS)
    qtbot.mouseClick(editor.compare_button, Qt.MouseButton.LeftButton)
    dialog = _conflict_dialog(qtbot, editor.record)
    assert dialog.to_decide() == ["images"]

    def words(reference: str) -> str:
        return f"• picture stored in the database ({reference.removeprefix('db-image:')[:12]}…)"

    assert dialog.shown("images", "original") == words(hut)
    assert dialog.shown("images", THEIRS) == f"{words(hut)}\n{words(reef)}"
    assert dialog.shown("images", MINE) == "(none)"
    assert "db-image:" not in "".join(
        dialog.shown("images", column) for column in ("original", THEIRS, MINE)
    )
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
