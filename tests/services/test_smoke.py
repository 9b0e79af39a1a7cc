"""The everyday path through the services, end to end."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from desktop.bootstrap import BackOffice
from desktop.domain.enums import BookingStatus, PaymentStatus
from desktop.domain.errors import Conflict
from desktop.domain.listing import BookingFilter, PageRequest, Sort
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking
from desktop.services.people import PersonDetails
from desktop.services.reviews import NewReview
from tests.factories import let_days_pass
from tests.services.conftest import FakeClock, destination_draft


def test_counter_day(
    office: BackOffice, engine: Engine, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    dest = office.destinations.create(admin, destination_draft())
    ann = office.customers.create(
        agent, PersonDetails("Ann Lee", "Ann@Example.com", "+44 20 7946 0000")
    )
    assert ann.email == "ann@example.com"
    start = clock.today() + timedelta(days=10)
    token = uuid.uuid4()
    request = NewBooking(ann.id, dest.id, start, start + timedelta(days=7), 2, "Sea view", token)
    booking = office.bookings.create(agent, request)
    assert booking.total_price == Decimal("2400.00")
    assert office.bookings.create(agent, request).id == booking.id  # double submission

    bob = office.customers.create(agent, PersonDetails("Bob Ray", "bob@example.com"))
    with pytest.raises(Conflict, match=f"overlap booking #{booking.id} for Ann Lee"):
        office.bookings.create(
            agent,
            NewBooking(bob.id, dest.id, start + timedelta(days=3), start + timedelta(days=9), 1),
        )

    booking = office.bookings.confirm(agent, booking.id, booking.version)
    booking = office.bookings.record_payment(
        agent, booking.id, booking.version, PaymentStatus.PAID, "pi_123"
    )
    let_days_pass(engine, 17)
    booking = office.bookings.get(agent, booking.id)
    booking = office.bookings.complete(agent, booking.id, booking.version)
    assert booking.status is BookingStatus.COMPLETED

    review = office.reviews.create(agent, NewReview(ann.id, booking.id, 4, "Lovely"))
    assert office.destinations.get(agent, dest.id).rating == Decimal("4.00")
    assert office.reviews.mark_helpful(agent, review.id) == 1

    page = office.bookings.page(
        agent, BookingFilter(text="ann"), PageRequest(Sort("created_at", True))
    )
    assert [b.id for b in page.rows] == [booking.id]
    assert office.bookings.count(agent, BookingFilter()).value == 1
