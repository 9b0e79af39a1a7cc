"""Changing a stay under way, requests-only changes, repeated failed payments, held locks."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text

from desktop.bootstrap import BackOffice
from desktop.domain.enums import PaymentStatus
from desktop.domain.errors import Conflict
from desktop.domain.permissions import Actor
from desktop.domain.records import BookingRow
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.people import PersonDetails
from tests.factories import let_days_pass, server_today
from tests.services.conftest import FakeClock, destination_draft


@pytest.fixture
def booking(office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock) -> BookingRow:
    dest = office.destinations.create(admin, destination_draft(price=Decimal("100.00")))
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    start = clock.today() + timedelta(days=2)
    row = office.bookings.create(
        agent, NewBooking(ann.id, dest.id, start, start + timedelta(days=7), 2, "Sea view")
    )
    return office.bookings.confirm(agent, row.id, row.version)


def test_a_stay_under_way_can_take_another_guest(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow
) -> None:
    let_days_pass(engine, 4)  # the guests arrived two days ago
    booking = office.bookings.get(agent, booking.id)
    assert booking.start_date < server_today(engine) < booking.end_date
    changed = office.bookings.change_stay(
        agent,
        booking.id,
        booking.version,
        StayChange(booking.start_date, booking.end_date, 3, booking.special_requests),
    )
    assert changed.guests == 3
    assert changed.total_price == Decimal("300.00")
    assert changed.start_date == booking.start_date


def test_new_requests_alone_keep_the_price_even_after_a_price_change(
    office: BackOffice, admin: Actor, agent: Actor, booking: BookingRow
) -> None:
    dest = office.destinations.get(admin, booking.destination_id)
    draft = destination_draft(price=Decimal("150.00"), name=dest.name)
    office.destinations.update(admin, dest.id, dest.version, draft)
    changed = office.bookings.change_stay(
        agent,
        booking.id,
        booking.version,
        StayChange(booking.start_date, booking.end_date, booking.guests, "Late check-in"),
    )
    assert changed.special_requests == "Late check-in"
    assert changed.total_price == Decimal("200.00"), "no new price for new requests"
    moved = office.bookings.change_stay(
        agent,
        changed.id,
        changed.version,
        StayChange(
            booking.start_date + timedelta(days=1),
            booking.end_date + timedelta(days=1),
            2,
            "Late check-in",
        ),
    )
    assert moved.total_price == Decimal("300.00"), "new dates take today's price"


def test_a_second_failed_payment_is_audited_with_its_status(
    office: BackOffice, agent: Actor, engine: Engine, booking: BookingRow
) -> None:
    first = office.bookings.record_payment(
        agent, booking.id, booking.version, PaymentStatus.FAILED, None
    )
    office.bookings.record_payment(agent, first.id, first.version, PaymentStatus.FAILED, None)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT old_values, new_values FROM audit_logs "
                "WHERE action = 'booking.payment' AND resource_id = :id ORDER BY id"
            ),
            {"id": booking.id},
        ).all()
    assert [r.new_values for r in rows] == [
        {"payment_status": "failed"},
        {"payment_status": "failed"},
    ]
    assert rows[1].old_values == {"payment_status": "failed"}


def test_a_row_held_by_another_workstation_ends_in_try_again(
    office: BackOffice, agent: Actor, engine: Engine, booking: BookingRow
) -> None:
    holding = threading.Event()
    release = threading.Event()

    def hold_the_row() -> None:
        with engine.begin() as conn:
            conn.execute(
                text("SELECT 1 FROM bookings WHERE id = :id FOR UPDATE"), {"id": booking.id}
            )
            holding.set()
            release.wait(20)

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert holding.wait(10)
        with pytest.raises(Conflict, match="busy"):
            office.bookings.confirm(agent, booking.id, booking.version)
    finally:
        release.set()
        holder.join()
