"""How long a stay may be, how far ahead it may start, and what a closed destination allows.

The limits are written out here independently of desktop.domain.bookings: at
most 60 nights, or the destination's own trip length when that is longer; a
start at most three years from the server's today. Closing a destination stops
new bookings and new dates; its existing bookings keep every other change.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text

from desktop.bootstrap import BackOffice
from desktop.domain.bookings import booking_horizon, max_stay_nights, proposed_end
from desktop.domain.enums import BookingStatus, PaymentStatus
from desktop.domain.errors import ValidationError
from desktop.domain.permissions import Actor
from desktop.domain.records import BookingRow, DestinationRow, PersonRow
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.people import PersonDetails
from tests.factories import server_today
from tests.services.conftest import destination_draft

LONGEST_STAY = 60
HORIZON_YEARS = 3


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def _three_years_after(day: date) -> date:
    try:
        return day.replace(year=day.year + HORIZON_YEARS)
    except ValueError:
        return day.replace(year=day.year + HORIZON_YEARS, day=28)


@pytest.fixture
def lagoon(office: BackOffice, admin: Actor) -> DestinationRow:
    return office.destinations.create(admin, destination_draft(duration=7))


@pytest.fixture
def ann(office: BackOffice, agent: Actor) -> PersonRow:
    return office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))


@pytest.fixture
def today(engine: Engine) -> date:
    return server_today(engine)


def _book(
    office: BackOffice, agent: Actor, who: PersonRow, where: DestinationRow, start: date, end: date
) -> BookingRow:
    return office.bookings.create(agent, NewBooking(who.id, where.id, start, end, 2))


# -- the longest stay ---------------------------------------------------------------------------


def test_a_stay_of_sixty_nights_is_taken_and_sixty_one_are_refused(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    today: date,
) -> None:
    start = today + timedelta(days=5)
    longest = _book(office, agent, ann, lagoon, start, start + timedelta(days=LONGEST_STAY))
    assert (longest.end_date - longest.start_date).days == LONGEST_STAY

    later = longest.end_date + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        _book(office, agent, ann, lagoon, later, later + timedelta(days=LONGEST_STAY + 1))

    assert set(refused.value.fields) == {"end_date"}
    message = refused.value.message
    assert f"{LONGEST_STAY + 1} nights" in message
    assert f"at most {LONGEST_STAY} nights" in message
    assert "earlier end date" in message
    assert _count(engine, "SELECT count(*) FROM bookings") == 1


def test_a_stay_ending_in_the_year_9999_is_refused_and_holds_nothing(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    today: date,
) -> None:
    start = today + timedelta(days=5)
    with pytest.raises(ValidationError) as refused:
        _book(office, agent, ann, lagoon, start, date(9999, 12, 31))
    assert set(refused.value.fields) == {"end_date"}
    assert _count(engine, "SELECT count(*) FROM bookings") == 0
    # The destination stays bookable the week after.
    _book(office, agent, ann, lagoon, start + timedelta(days=7), start + timedelta(days=14))


def test_a_trip_longer_than_sixty_nights_may_be_booked_for_its_own_length(
    office: BackOffice, admin: Actor, agent: Actor, ann: PersonRow, today: date
) -> None:
    voyage = office.destinations.create(
        admin, destination_draft(name="Antarctic Voyage", duration=90)
    )
    start = today + timedelta(days=30)
    whole = _book(office, agent, ann, voyage, start, start + timedelta(days=90))
    assert (whole.end_date - whole.start_date).days == 90

    later = whole.end_date
    with pytest.raises(ValidationError) as refused:
        _book(office, agent, ann, voyage, later, later + timedelta(days=91))
    assert "at most 90 nights" in refused.value.message


def test_a_stay_cannot_be_stretched_past_the_longest_stay(
    office: BackOffice, agent: Actor, ann: PersonRow, lagoon: DestinationRow, today: date
) -> None:
    start = today + timedelta(days=5)
    booking = _book(office, agent, ann, lagoon, start, start + timedelta(days=7))
    stretched = StayChange(start, start + timedelta(days=LONGEST_STAY + 1), 2, None)

    with pytest.raises(ValidationError) as refused:
        office.bookings.change_stay(agent, booking.id, booking.version, stretched)

    assert set(refused.value.fields) == {"end_date"}
    assert office.bookings.get(agent, booking.id) == booking


def test_a_longer_stay_another_client_booked_keeps_its_dates_and_takes_new_requests(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    today: date,
) -> None:
    start = today + timedelta(days=5)
    booking = _book(office, agent, ann, lagoon, start, start + timedelta(days=7))
    with engine.begin() as conn:  # the schema is shared: another client booked 100 nights
        conn.execute(
            text("UPDATE bookings SET end_date = start_date + 100 WHERE id = :id"),
            {"id": booking.id},
        )
    booking = office.bookings.get(agent, booking.id)

    changed = office.bookings.change_stay(
        agent,
        booking.id,
        booking.version,
        StayChange(booking.start_date, booking.end_date, booking.guests, "Late arrival"),
    )

    assert changed.special_requests == "Late arrival"
    assert (changed.start_date, changed.end_date) == (booking.start_date, booking.end_date)


# -- the booking horizon --------------------------------------------------------------------------


def test_a_stay_may_start_three_years_ahead_and_not_a_day_later(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    today: date,
) -> None:
    last = _three_years_after(today)
    furthest = _book(office, agent, ann, lagoon, last, last + timedelta(days=7))
    assert furthest.start_date == last

    beyond = last + timedelta(days=8)
    with pytest.raises(ValidationError) as refused:
        _book(office, agent, ann, lagoon, beyond, beyond + timedelta(days=7))

    assert set(refused.value.fields) == {"start_date"}
    assert f"until {last:%d %b %Y}" in refused.value.message
    assert "3 years ahead" in refused.value.message
    assert _count(engine, "SELECT count(*) FROM bookings") == 1


def test_a_booking_cannot_be_moved_beyond_the_horizon(
    office: BackOffice, agent: Actor, ann: PersonRow, lagoon: DestinationRow, today: date
) -> None:
    start = today + timedelta(days=5)
    booking = _book(office, agent, ann, lagoon, start, start + timedelta(days=7))
    beyond = _three_years_after(today) + timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        office.bookings.change_stay(
            agent,
            booking.id,
            booking.version,
            StayChange(beyond, beyond + timedelta(days=7), 2, None),
        )

    assert set(refused.value.fields) == {"start_date"}
    assert office.bookings.get(agent, booking.id) == booking


def test_the_rules_in_the_domain_match_the_issue() -> None:
    assert max_stay_nights(7) == LONGEST_STAY
    assert max_stay_nights(90) == 90
    assert booking_horizon(date(2027, 3, 14)) == date(2030, 3, 14)
    assert booking_horizon(date(2028, 2, 29)) == date(2031, 2, 28)
    # The stay editor's proposal never overflows the calendar, whatever date it holds.
    assert proposed_end(date(2027, 3, 14), 7) == date(2027, 3, 21)
    assert proposed_end(date(9999, 12, 30), 7) == date.max


# -- a closed destination ---------------------------------------------------------------------


@pytest.fixture
def booked_then_closed(
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    today: date,
) -> BookingRow:
    start = today + timedelta(days=10)
    booking = office.bookings.create(
        agent, NewBooking(ann.id, lagoon.id, start, start + timedelta(days=7), 2, "Sea view")
    )
    current = office.destinations.get(admin, lagoon.id)
    office.destinations.set_active(admin, lagoon.id, current.version, False)
    return booking


def test_a_closed_destinations_booking_still_takes_new_special_requests(
    office: BackOffice, agent: Actor, booked_then_closed: BookingRow
) -> None:
    b = booked_then_closed
    changed = office.bookings.change_stay(
        agent, b.id, b.version, StayChange(b.start_date, b.end_date, b.guests, "Late check-in")
    )
    assert changed.special_requests == "Late check-in"
    assert changed.total_price == b.total_price


def test_a_closed_destinations_booking_still_takes_another_guest(
    office: BackOffice, agent: Actor, booked_then_closed: BookingRow
) -> None:
    b = booked_then_closed
    changed = office.bookings.change_stay(
        agent, b.id, b.version, StayChange(b.start_date, b.end_date, 3, b.special_requests)
    )
    assert changed.guests == 3
    assert changed.total_price == Decimal("3600.00")


def test_a_closed_destinations_booking_cannot_take_new_dates(
    office: BackOffice, agent: Actor, booked_then_closed: BookingRow
) -> None:
    b = booked_then_closed
    moved = StayChange(
        b.start_date + timedelta(days=1), b.end_date + timedelta(days=1), 2, b.special_requests
    )

    with pytest.raises(ValidationError) as refused:
        office.bookings.change_stay(agent, b.id, b.version, moved)

    assert set(refused.value.fields) == {"destination"}
    assert "not open for booking" in refused.value.message
    assert "keeps its dates" in refused.value.message
    assert office.bookings.get(agent, b.id) == b


def test_a_closed_destinations_booking_is_still_confirmed_paid_and_cancelled(
    office: BackOffice, agent: Actor, booked_then_closed: BookingRow
) -> None:
    b = office.bookings.confirm(agent, booked_then_closed.id, booked_then_closed.version)
    b = office.bookings.record_payment(agent, b.id, b.version, PaymentStatus.PAID, "pi_1")
    b = office.bookings.cancel(agent, b.id, b.version, "Resort closed")
    assert b.status is BookingStatus.CANCELLED


def test_a_closed_destination_takes_no_new_booking(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    booked_then_closed: BookingRow,
) -> None:
    later = booked_then_closed.end_date + timedelta(days=7)
    with pytest.raises(ValidationError) as refused:
        office.bookings.create(
            agent,
            NewBooking(
                ann.id, booked_then_closed.destination_id, later, later + timedelta(days=7), 2
            ),
        )
    assert set(refused.value.fields) == {"destination"}
    assert _count(engine, "SELECT count(*) FROM bookings") == 1
