"""The booking dialogs over a real database, driven as a counter clerk would drive them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.enums import BookingStatus, PaymentStatus, Role
from desktop.domain.errors import ValidationError
from desktop.domain.listing import BookingFilter, PageRequest, PersonFilter, Sort
from desktop.domain.permissions import Actor
from desktop.domain.records import BookingRow, DestinationRow, PersonRow
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.booking_details import BookingDetailsDialog
from desktop.ui.dialogs.cancel_booking import CancelBookingDialog
from desktop.ui.dialogs.change_stay import ChangeStayDialog
from desktop.ui.dialogs.new_booking import NewBookingDialog
from desktop.ui.dialogs.payment import PaymentDialog
from desktop.ui.formats import date_range, format_money, long_date
from desktop.ui.widgets.availability import TAKEN_BACKGROUND
from desktop.ui.widgets.search_picker import SearchPicker
from tests.factories import let_days_pass
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import make_session, settle


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _quiet(qtbot: QtBot) -> None:
    """Let debounced searches fire, then wait for every worker to deliver."""
    qtbot.wait(400)
    settle(qtbot)


def _lagoon(office: BackOffice, admin: Actor) -> DestinationRow:
    return office.destinations.create(
        admin, destination_draft(name="Lagoon Villas", price=Decimal("1200.00"), duration=7)
    )


def _customer(office: BackOffice, agent: Actor, name: str, email: str) -> PersonRow:
    return office.customers.create(agent, PersonDetails(name, email, "+44 20 7946 0000"))


def _bookings(office: BackOffice, actor: Actor) -> list[BookingRow]:
    return list(
        office.bookings.page(actor, BookingFilter(), PageRequest(Sort("id"), limit=100)).rows
    )


def _click_first_result(qtbot: QtBot, results: QListWidget) -> None:
    rect = results.visualItemRect(results.item(0))
    qtbot.mouseClick(results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _pick(qtbot: QtBot, picker: SearchPicker, text: str, expected: str) -> None:
    """Type into the search, wait for the expected row, click it."""
    picker.search.setFocus()
    qtbot.keyClicks(picker.search, text)
    qtbot.waitUntil(
        lambda: bool(picker.result_rows()) and picker.result_rows()[0].name == expected,
        timeout=5000,
    )
    _click_first_result(qtbot, picker.results)
    assert picker.chosen is not None
    assert picker.chosen.name == expected


def _open_new_booking(qtbot: QtBot, office: BackOffice, actor: Actor) -> NewBookingDialog:
    dialog = NewBookingDialog(make_session(office, actor))
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot)
    return dialog


def _fill_stay(qtbot: QtBot, dialog: NewBookingDialog, start: date, guests: int) -> None:
    dialog.stay.start_date.setDate(_qdate(start))
    spin = dialog.stay.guests
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, str(guests))
    assert spin.value() == guests


def test_counter_flow_books_the_customer_on_the_destination(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    lagoon = _lagoon(office, admin)
    office.destinations.create(admin, destination_draft(name="Jungle Lodge"))
    ann = _customer(office, agent, "Ann Lee", "ann@example.com")
    _customer(office, agent, "Bob Ray", "bob@example.com")
    dialog = _open_new_booking(qtbot, office, agent)
    assert not dialog.save_button.isEnabled()
    # Browsing: every open destination is listed by name before anything is typed.
    assert [d.name for d in dialog.destination.result_rows()] == ["Jungle Lodge", "Lagoon Villas"]

    _pick(qtbot, dialog.customer, "ann", "Ann Lee")
    assert "ann@example.com" in dialog.customer.chosen_detail.text()
    _pick(qtbot, dialog.destination, "lag", "Lagoon Villas")
    facts = dialog.destination.chosen_detail.text()
    assert format_money(Decimal("1200.00")) in facts
    assert "7 days" in facts
    assert "up to 4 guests" in facts
    assert dialog.stay.guests_limit.text() == "at most 4"

    start = clock.today() + timedelta(days=30)
    _fill_stay(qtbot, dialog, start, 3)
    assert dialog.stay.end_date.date() == _qdate(start + timedelta(days=7))  # the duration
    assert dialog.stay.nights.text() == "7 nights"
    assert dialog.stay.total.text() == format_money(Decimal("3600.00"))
    assert "3 guests" in dialog.stay.breakdown.text()
    dialog.stay.requests.setFocus()
    qtbot.keyClicks(dialog.stay.requests, "Vegetarian meals")
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3000)

    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    row = saved.args[0]
    assert not dialog.isVisible()
    [stored] = _bookings(office, agent)
    assert stored.id == row.id
    assert (stored.customer_id, stored.destination_id) == (ann.id, lagoon.id)
    assert (stored.start_date, stored.end_date) == (start, start + timedelta(days=7))
    assert stored.guests == 3
    assert stored.total_price == Decimal("3600.00")
    assert stored.special_requests == "Vegetarian meals"
    assert stored.status is BookingStatus.PENDING


def test_keyboard_only_search_and_enter_picks(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    _lagoon(office, admin)
    _customer(office, agent, "Ann Lee", "ann@example.com")
    dialog = _open_new_booking(qtbot, office, agent)
    search = dialog.customer.search
    search.setFocus()
    qtbot.keyClicks(search, "ann@example")
    qtbot.waitUntil(lambda: len(dialog.customer.result_rows()) == 1, timeout=5000)
    qtbot.keyClick(search, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.customer.results, Qt.Key.Key_Return)
    assert dialog.customer.chosen is not None
    assert dialog.customer.chosen.name == "Ann Lee"
    assert not dialog.isHidden()  # Enter picked; it did not submit or close the dialog
    # Typed and Enter at once: the first of what the search finds is picked.
    dialog.destination.search.setFocus()
    qtbot.keyClicks(dialog.destination.search, "lagoon")
    qtbot.keyClick(dialog.destination.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.destination.chosen is not None, timeout=5000)
    assert dialog.destination.chosen.name == "Lagoon Villas"
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3000)
    # Enter in a field submits once the form is valid.
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.keyClick(dialog.stay.guests, Qt.Key.Key_Return)
    _quiet(qtbot)
    assert len(_bookings(office, agent)) == 1


def test_keyboard_mnemonics_tab_order_and_escape(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    _lagoon(office, admin)
    _customer(office, agent, "Ann Lee", "ann@example.com")
    dialog = _open_new_booking(qtbot, office, agent)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert dialog.destination.search.hasFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    assert dialog.stay.guests.hasFocus()
    qtbot.keyClick(dialog.stay.guests, Qt.Key.Key_Tab)
    assert dialog.stay.requests.hasFocus()
    qtbot.keyClick(dialog.stay.requests, Qt.Key.Key_Tab)
    assert dialog.cancel_button.hasFocus()  # Save is disabled (no customer yet): skipped
    qtbot.keyClick(dialog, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert dialog.customer.search.hasFocus()
    qtbot.keyClick(dialog.customer.search, Qt.Key.Key_Tab)  # no results listed yet
    assert dialog.new_customer_button.hasFocus()
    qtbot.keyClick(dialog.customer.search, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    _quiet(qtbot)


def test_a_new_customer_is_added_from_inside_the_dialog(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    _lagoon(office, admin)
    dialog = _open_new_booking(qtbot, office, agent)
    dialog.customer.search.setFocus()
    qtbot.keyClicks(dialog.customer.search, "Zoe Quinn")
    qtbot.waitUntil(lambda: "No customer matches" in dialog.customer.status.text(), timeout=5000)

    qtbot.mouseClick(dialog.new_customer_button, Qt.MouseButton.LeftButton)
    sub = dialog.customer_dialog
    assert sub is not None
    assert sub.name.text() == "Zoe Quinn"  # what was searched for
    assert not sub.save_button.isEnabled()
    sub.email.setFocus()
    qtbot.keyClicks(sub.email, "zoe@example.com")
    qtbot.waitUntil(sub.save_button.isEnabled, timeout=3000)
    with qtbot.waitSignal(sub.created, timeout=10_000):
        qtbot.mouseClick(sub.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)

    assert dialog.customer.chosen is not None
    assert dialog.customer.chosen.name == "Zoe Quinn"
    assert dialog.customer.chosen_name.text() == "Zoe Quinn"
    found = office.customers.page(
        agent, PersonFilter(text="zoe@example.com"), PageRequest(Sort("id"))
    ).rows
    assert [p.id for p in found] == [dialog.customer.chosen.id]


def test_a_taken_e_mail_is_said_under_the_field_of_the_new_customer(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    _customer(office, agent, "Ann Lee", "ann@example.com")
    dialog = _open_new_booking(qtbot, office, agent)
    qtbot.mouseClick(dialog.new_customer_button, Qt.MouseButton.LeftButton)
    sub = dialog.customer_dialog
    assert sub is not None
    qtbot.keyClicks(sub.name, "Another Ann")
    qtbot.keyClicks(sub.email, "ann@example.com")
    qtbot.waitUntil(sub.save_button.isEnabled, timeout=3000)
    qtbot.mouseClick(sub.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    assert sub.isVisible()
    assert sub.email.text() == "ann@example.com"
    messages = [m.text() for m in sub.findChildren(type(sub.message)) if m.isVisible()]
    assert any("already used by Ann Lee" in m for m in messages)


@pytest.mark.parametrize(
    ("email", "taken"),
    [
        ("zoe@example.com", True),
        ("zoe.quinn@mail.example.org", True),
        ("zoe quinn@example.com", False),
        ("zoe@@example.com", False),
        ("zoe@exa mple.com", False),
        ("zoe@example", False),
    ],
)
def test_the_new_customer_form_takes_the_e_mail_addresses_the_service_takes(
    qtbot: QtBot, office: BackOffice, agent: Actor, email: str, taken: bool
) -> None:
    dialog = _open_new_booking(qtbot, office, agent)
    qtbot.mouseClick(dialog.new_customer_button, Qt.MouseButton.LeftButton)
    sub = dialog.customer_dialog
    assert sub is not None
    qtbot.keyClicks(sub.name, "Zoe Quinn")
    qtbot.keyClicks(sub.email, email)
    qtbot.wait(300)  # the form says new problems once the typing pauses
    assert sub.save_button.isEnabled() is taken
    if taken:
        assert sub.form.message("email") == ""
    else:
        assert "name@example.com" in sub.form.message("email")
        with pytest.raises(ValidationError) as refused:
            office.customers.create(agent, PersonDetails("Zoe Quinn", email))
        assert "email" in refused.value.fields


def test_an_overlapping_booking_is_refused_naming_the_other_and_keeping_the_form(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    lagoon = _lagoon(office, admin)
    bob = _customer(office, agent, "Bob Ray", "bob@example.com")
    _customer(office, agent, "Ann Lee", "ann@example.com")
    taken_start = clock.today() + timedelta(days=20)
    other = office.bookings.create(
        agent, NewBooking(bob.id, lagoon.id, taken_start, taken_start + timedelta(days=7), 2)
    )
    dialog = _open_new_booking(qtbot, office, agent)
    _pick(qtbot, dialog.customer, "ann", "Ann Lee")
    _pick(qtbot, dialog.destination, "lagoon", "Lagoon Villas")
    start = taken_start + timedelta(days=3)
    _fill_stay(qtbot, dialog, start, 2)
    dialog.stay.requests.setFocus()
    qtbot.keyClicks(dialog.stay.requests, "Sea view")
    _quiet(qtbot)
    # The hint already says so; saving anyway is refused by the database's rule.
    hint = dialog.stay.hint
    assert [t.booking_id for t in hint.overlapping] == [other.id]
    assert f"#{other.id}" in hint.status.text()
    assert dialog.save_button.isEnabled()

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message.isVisible, timeout=10_000)
    _quiet(qtbot)
    assert f"booking #{other.id} for Bob Ray" in dialog.message.text()
    assert dialog.isVisible()
    assert dialog.customer.chosen.name == "Ann Lee"
    assert dialog.destination.chosen.name == "Lagoon Villas"
    assert dialog.stay.start_date.date() == _qdate(start)
    assert dialog.stay.guests.value() == 2
    assert dialog.stay.requests.toPlainText() == "Sea view"
    assert dialog.save_button.isEnabled()  # the clerk can change the dates and try again
    assert [b.id for b in _bookings(office, agent)] == [other.id]


def test_the_availability_hint_lists_taken_dates_and_marks_the_calendar(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    lagoon = _lagoon(office, admin)
    bob = _customer(office, agent, "Bob Ray", "bob@example.com")
    _customer(office, agent, "Ann Lee", "ann@example.com")
    taken_start = clock.today() + timedelta(days=25)
    taken_end = taken_start + timedelta(days=7)
    other = office.bookings.create(agent, NewBooking(bob.id, lagoon.id, taken_start, taken_end, 1))
    dialog = _open_new_booking(qtbot, office, agent)
    _pick(qtbot, dialog.customer, "ann", "Ann Lee")
    _pick(qtbot, dialog.destination, "lagoon", "Lagoon Villas")
    dialog.stay.start_date.setDate(_qdate(clock.today() + timedelta(days=10)))  # +7: free
    _quiet(qtbot)

    hint = dialog.stay.hint
    assert hint.overlapping == []
    assert "free" in hint.status.text()
    assert hint.taken.count() == 1
    item = hint.taken.item(0).text()
    assert date_range(taken_start, taken_end) in item
    assert f"booking #{other.id}" in item
    calendar = dialog.stay.start_date.calendarWidget()
    taken_night = calendar.dateTextFormat(_qdate(taken_start + timedelta(days=2)))
    assert taken_night.background().color() == QColor(TAKEN_BACKGROUND)
    free_day = calendar.dateTextFormat(_qdate(taken_end))  # the day they leave is free
    assert free_day.background().color() != QColor(TAKEN_BACKGROUND)

    dialog.stay.start_date.setDate(_qdate(taken_end - timedelta(days=1)))
    _quiet(qtbot)
    assert [t.booking_id for t in hint.overlapping] == [other.id]
    assert "overlap" in hint.status.text()


def test_double_clicking_save_makes_one_booking(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    _lagoon(office, admin)
    _customer(office, agent, "Ann Lee", "ann@example.com")
    dialog = _open_new_booking(qtbot, office, agent)
    _pick(qtbot, dialog.customer, "ann", "Ann Lee")
    _pick(qtbot, dialog.destination, "lagoon", "Lagoon Villas")
    _fill_stay(qtbot, dialog, clock.today() + timedelta(days=12), 2)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3000)
    emitted: list[object] = []
    dialog.saved.connect(emitted.append)

    qtbot.mouseDClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog.stay.guests, Qt.Key.Key_Return)  # and Enter, for good measure
    qtbot.waitUntil(lambda: bool(emitted), timeout=10_000)
    _quiet(qtbot)
    assert len(emitted) == 1
    assert len(_bookings(office, agent)) == 1
    assert office.bookings.find_by_request_token(agent, dialog.request_token) is not None


def _booking(
    office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock, *, days: int = 30
) -> BookingRow:
    lagoon = _lagoon(office, admin)
    ann = _customer(office, agent, "Ann Lee", "ann@example.com")
    start = clock.today() + timedelta(days=days)
    return office.bookings.create(
        agent, NewBooking(ann.id, lagoon.id, start, start + timedelta(days=7), 2)
    )


def test_cancelling_needs_a_reason(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    booking = _booking(office, admin, agent, clock)
    dialog = CancelBookingDialog(make_session(office, agent), booking)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.summary.values["customer"].text().startswith("Ann Lee")
    assert dialog.refund_note.isHidden()  # not paid: no refund to mention
    assert not dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.reason, "   ")
    qtbot.wait(300)
    assert not dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.reason, "Customer asked by phone")
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3000)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    assert saved.args[0].status is BookingStatus.CANCELLED
    stored = office.bookings.get(agent, booking.id)
    assert stored.status is BookingStatus.CANCELLED
    assert stored.cancellation_reason == "Customer asked by phone"
    assert stored.cancelled_at is not None


def test_payment_paid_with_reference_then_refunded_after_cancelling(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    booking = _booking(office, admin, agent, clock)
    session = make_session(office, agent)
    dialog = PaymentDialog(session, booking)
    qtbot.addWidget(dialog)
    dialog.show()
    names = sorted(b.objectName() for b in dialog.outcome.buttons())
    assert names == ["paymentFailed", "paymentPaid"]  # no refund of an unpaid booking
    paid = next(b for b in dialog.outcome.buttons() if b.objectName() == "paymentPaid")
    qtbot.mouseClick(paid, Qt.MouseButton.LeftButton, pos=paid.rect().center())
    assert dialog.outcome.value() is PaymentStatus.PAID
    qtbot.wait(300)
    assert not dialog.save_button.isEnabled()  # paid needs its reference
    qtbot.keyClicks(dialog.reference, "POS-2291")
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3000)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    paid_row = saved.args[0]
    stored = office.bookings.get(agent, booking.id)
    assert stored.payment_status is PaymentStatus.PAID
    assert stored.payment_intent_id == "POS-2291"

    # Paid and still pending: nothing to record; the dialog says to cancel first.
    nothing = PaymentDialog(session, paid_row)
    qtbot.addWidget(nothing)
    nothing.show()
    assert nothing.outcome.buttons() == []
    assert "cancel the booking first" in nothing.nothing.text()
    assert not nothing.save_button.isVisible()

    cancel = CancelBookingDialog(session, paid_row)
    qtbot.addWidget(cancel)
    cancel.show()
    assert cancel.refund_note.isVisible()
    assert "Refunded" in cancel.refund_note.text()
    qtbot.keyClicks(cancel.reason, "Illness")
    qtbot.waitUntil(cancel.save_button.isEnabled, timeout=3000)
    with qtbot.waitSignal(cancel.saved, timeout=10_000) as cancelled:
        qtbot.mouseClick(cancel.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)

    refund = PaymentDialog(session, cancelled.args[0])
    qtbot.addWidget(refund)
    refund.show()
    assert [b.objectName() for b in refund.outcome.buttons()] == ["paymentRefunded"]
    assert refund.outcome.value() is PaymentStatus.REFUNDED  # the only choice, chosen
    qtbot.keyClicks(refund.reference, "RF-77")
    qtbot.waitUntil(refund.save_button.isEnabled, timeout=3000)
    with qtbot.waitSignal(refund.saved, timeout=10_000):
        qtbot.mouseClick(refund.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    stored = office.bookings.get(agent, booking.id)
    assert stored.payment_status is PaymentStatus.REFUNDED
    assert stored.payment_intent_id == "RF-77"


def test_changing_dates_or_guests_updates_the_price(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    booking = _booking(office, admin, agent, clock)
    lagoon = office.destinations.get(admin, booking.destination_id)
    office.destinations.update(  # the price went up since the booking was made
        admin,
        lagoon.id,
        lagoon.version,
        destination_draft(name="Lagoon Villas", price=Decimal("1500.00"), duration=7),
    )
    dialog = ChangeStayDialog(make_session(office, agent), booking)
    qtbot.addWidget(dialog)
    dialog.show()
    _quiet(qtbot)  # the destination's current price is in
    assert dialog.stay.total.text() == format_money(Decimal("3000.00"))
    assert dialog.stay.start_date.date() == _qdate(booking.start_date)
    spin = dialog.stay.guests
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "3")
    assert dialog.stay.total.text() == format_money(Decimal("4500.00"))
    assert format_money(Decimal("2400.00")) in dialog.previous_total.text()
    new_end = booking.end_date + timedelta(days=2)
    dialog.stay.end_date.setDate(_qdate(new_end))
    assert dialog.stay.nights.text() == "9 nights"
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3000)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    assert saved.args[0].total_price == Decimal("4500.00")
    stored = office.bookings.get(agent, booking.id)
    assert (stored.guests, stored.end_date, stored.total_price) == (3, new_end, Decimal("4500.00"))


def test_a_stale_booking_says_so_and_reloads_on_request(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    booking = _booking(office, admin, agent, clock)
    dialog = ChangeStayDialog(make_session(office, agent), booking)
    qtbot.addWidget(dialog)
    dialog.show()
    _quiet(qtbot)
    office.bookings.change_stay(  # someone else, meanwhile
        admin,
        booking.id,
        booking.version,
        StayChange(booking.start_date, booking.end_date, 1, "From the other desk"),
    )
    spin = dialog.stay.guests
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "4")
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3000)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    reload_button = dialog.bar.reload_button
    qtbot.waitUntil(reload_button.isVisible, timeout=10_000)
    assert "Someone else changed this booking" in dialog.bar.message.text()
    assert spin.value() == 4  # what was typed stays until they choose to reload

    qtbot.mouseClick(reload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: spin.value() == 1, timeout=10_000)
    _quiet(qtbot)
    assert dialog.stay.requests.toPlainText() == "From the other desk"
    assert not reload_button.isVisible()
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "3")
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=3000)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    assert office.bookings.get(agent, booking.id).guests == 3


def _shown(dialog: BookingDetailsDialog) -> set[str]:
    return {b.objectName() for b in dialog.action_buttons() if b.isVisibleTo(dialog)}


def test_details_show_every_field_and_the_actions_the_status_allows(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    booking = _booking(office, admin, agent, clock)
    dialog = BookingDetailsDialog(make_session(office, agent), booking)
    qtbot.addWidget(dialog)
    dialog.show()
    values = dialog.summary.values
    assert values["customer"].text() == "Ann Lee  ·  ann@example.com"
    assert values["destination"].text() == "Lagoon Villas"
    assert "7 nights" in values["stay"].text()
    assert values["guests"].text() == "2"
    assert values["total"].text() == format_money(Decimal("2400.00"))
    assert values["status"].text() == "Pending"
    assert values["payment"].text() == "Pending"
    assert values["reason"].isHidden()
    assert _shown(dialog) == {"confirmBooking", "changeBooking", "cancelBooking", "recordPayment"}
    assert dialog.close_button.hasFocus() or not dialog.isActiveWindow()

    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    assert saved.args[0].status is BookingStatus.CONFIRMED
    assert values["status"].text() == "Confirmed"
    assert _shown(dialog) == {"changeBooking", "cancelBooking", "completeBooking", "recordPayment"}

    # Cancel from the details: the action dialog opens over it; the summary follows.
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    cancel = dialog.action_dialog
    assert isinstance(cancel, CancelBookingDialog)
    qtbot.keyClicks(cancel.reason, "Weather warning")
    qtbot.waitUntil(cancel.save_button.isEnabled, timeout=3000)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(cancel.save_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    assert values["status"].text() == "Cancelled"
    assert values["reason"].text() == "Weather warning"
    assert values["reason"].isVisibleTo(dialog)
    assert _shown(dialog) == set()  # cancelled and never paid: nothing more to do
    assert "Nothing more to do" in dialog.actions_note.text()


def test_completing_is_offered_for_a_confirmed_booking_and_waits_for_its_end_date(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    booking = _booking(office, admin, agent, clock, days=2)
    booking = office.bookings.confirm(agent, booking.id, booking.version)
    dialog = BookingDetailsDialog(make_session(office, agent), booking)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "completeBooking" in _shown(dialog)
    # Not before its end date: off, saying from when (no refusal box after a click).
    assert not dialog.complete_button.isEnabled()
    tip = dialog.complete_button.toolTip()
    assert "can be completed from its end date" in tip
    assert long_date(booking.end_date) in tip
    qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    assert dialog.summary.values["status"].text() == "Confirmed"
    assert not dialog.bar.message.isVisible()


def test_a_stay_that_has_ended_is_completed_from_its_details(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    booking = _booking(office, admin, agent, clock, days=2)
    office.bookings.confirm(agent, booking.id, booking.version)
    let_days_pass(office.engine, 20)  # the stay ended last week ("today" is the server's)
    booking = office.bookings.get(agent, booking.id)
    dialog = BookingDetailsDialog(make_session(office, agent), booking)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.complete_button.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    _quiet(qtbot)
    assert dialog.summary.values["status"].text() == "Completed"
    assert _shown(dialog) == {"recordPayment"}  # a completed stay can still be paid


def test_details_offer_no_actions_to_a_role_that_cannot_manage_bookings(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    booking = _booking(office, admin, agent, clock)
    onlooker = Actor(id=agent.id, name="Cy Customer", email="cy@example.com", role=Role.USER)
    dialog = BookingDetailsDialog(make_session(office, onlooker), booking)
    qtbot.addWidget(dialog)
    dialog.show()
    assert _shown(dialog) == set()
    assert dialog.actions_note.isVisible()
    assert "not change" in dialog.actions_note.text()
