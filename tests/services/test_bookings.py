"""The booking rules of issue 3, proved through the services against a real PostgreSQL.

Expected outcomes (allowed transitions, prices, messages) are written out here
independently of the domain tables, so a change to a rule has to be made twice.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from sqlalchemy import URL, Engine, Table, create_engine, func, select, text, update
from sqlalchemy.pool import NullPool

from desktop.bootstrap import BackOffice, build
from desktop.db.models import AuditLog, Booking
from desktop.domain.bookings import check_payment_change, check_status_change
from desktop.domain.enums import BookingStatus, PaymentStatus, Role
from desktop.domain.errors import (
    BackOfficeError,
    Conflict,
    DatabaseUnavailable,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from desktop.domain.listing import BookingFilter, PageRequest, Sort
from desktop.domain.permissions import Actor
from desktop.domain.records import BookingRow, DestinationRow, PersonRow
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.people import PersonDetails
from tests.factories import let_days_pass, server_today
from tests.services.conftest import TEST_AUDIT, FakeClock, destination_draft

B = BookingStatus
P = PaymentStatus
BOOKINGS = cast(Table, Booking.__table__)

# What the issue allows, written independently of desktop.domain.bookings.
ALLOWED_STATUS_CHANGES = {
    (B.PENDING, B.CONFIRMED),
    (B.PENDING, B.CANCELLED),
    (B.CONFIRMED, B.CANCELLED),
    (B.CONFIRMED, B.COMPLETED),
}
ALLOWED_PAYMENT_CHANGES: dict[tuple[PaymentStatus, PaymentStatus], set[BookingStatus]] = {
    (P.PENDING, P.PAID): {B.PENDING, B.CONFIRMED, B.COMPLETED},
    (P.PENDING, P.FAILED): {B.PENDING, B.CONFIRMED},
    (P.FAILED, P.PAID): {B.PENDING, B.CONFIRMED, B.COMPLETED},
    (P.FAILED, P.FAILED): {B.PENDING, B.CONFIRMED},
    (P.PAID, P.REFUNDED): {B.CANCELLED},
}
ACTION_VERBS = {B.CONFIRMED: "confirm", B.CANCELLED: "cancel", B.COMPLETED: "complete"}
ACTIONS = {
    B.CONFIRMED: "booking.confirm",
    B.CANCELLED: "booking.cancel",
    B.COMPLETED: "booking.complete",
}
PRICE = Decimal("1200.00")  # destination_draft()'s price per person
MAX_GUESTS = 4  # destination_draft()'s max_guests


# -- helpers ------------------------------------------------------------------------


def shown(d: date) -> str:
    """A date as a counter clerk reads it in the messages."""
    return f"{d:%d %b %Y}"


def stored_booking(engine: Engine, booking_id: int) -> dict[str, Any] | None:
    """The booking's row as the database holds it, with its row version."""
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(BOOKINGS, text("bookings.xmin::text AS version")).where(
                    BOOKINGS.c.id == booking_id
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row is not None else None


def booking_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(BOOKINGS)).scalar_one())


def audit_rows(engine: Engine, booking_id: int | None = None) -> list[dict[str, Any]]:
    """The booking audit rows (of one booking, or all), oldest first."""
    stmt = select(
        AuditLog.action,
        AuditLog.user_id,
        AuditLog.resource_id,
        AuditLog.old_values,
        AuditLog.new_values,
        func.host(AuditLog.ip_address).label("ip_address"),
        AuditLog.user_agent,
    ).where(AuditLog.resource_type == "booking")
    if booking_id is not None:
        stmt = stmt.where(AuditLog.resource_id == booking_id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt.order_by(AuditLog.id)).mappings()]


def set_state(
    engine: Engine, booking_id: int, status: BookingStatus, payment: PaymentStatus | None
) -> None:
    """Put a booking into a state directly (below the services), as another client could."""
    with engine.begin() as conn:
        conn.execute(
            update(BOOKINGS)
            .where(BOOKINGS.c.id == booking_id)
            .values(status=status.value, payment_status=payment.value if payment else None)
        )


def stay_ends_today(
    office: BackOffice, engine: Engine, agent: Actor, row: BookingRow
) -> BookingRow:
    """Days pass on the server's calendar until the stay ends today; the booking read again.

    The services take "today" from the database server, so the stays move
    (``let_days_pass``), not a clock.
    """
    days = (row.end_date - server_today(engine)).days
    if days > 0:
        let_days_pass(engine, days)
    return office.bookings.get(agent, row.id)


def server_now(engine: Engine) -> datetime:
    with engine.connect() as conn:
        now: datetime = conn.execute(text("SELECT now()")).scalar_one()
    return now


def refused(call: Callable[[], object], error: type[BackOfficeError]) -> Any:
    with pytest.raises(error) as caught:
        call()
    return caught.value


# -- fixtures -----------------------------------------------------------------------


@pytest.fixture
def lagoon(office: BackOffice, admin: Actor) -> DestinationRow:
    return office.destinations.create(admin, destination_draft())


@pytest.fixture
def ann(office: BackOffice, agent: Actor) -> PersonRow:
    return office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))


@pytest.fixture
def bob(office: BackOffice, agent: Actor) -> PersonRow:
    return office.customers.create(agent, PersonDetails("Bob Ray", "bob@example.com"))


@pytest.fixture
def start(engine: Engine) -> date:
    """A start date ten days ahead: bookable, and not yet ended."""
    return server_today(engine) + timedelta(days=10)


@pytest.fixture
def customer_actor() -> Actor:
    """Someone whose role has no booking rights at all (a customer record)."""
    return Actor(id=999_999, name="Cy Customer", email="cy@example.com", role=Role.USER)


def new_booking(
    customer: PersonRow,
    destination: DestinationRow,
    start: date,
    *,
    nights: int = 7,
    guests: int = 2,
    special_requests: str | None = None,
    token: uuid.UUID | None = None,
) -> NewBooking:
    return NewBooking(
        customer.id,
        destination.id,
        start,
        start + timedelta(days=nights),
        guests,
        special_requests,
        token,
    )


@pytest.fixture
def booking(
    office: BackOffice, agent: Actor, ann: PersonRow, lagoon: DestinationRow, start: date
) -> BookingRow:
    """Ann's pending booking of the Lagoon Villas: 7 nights from ``start``, 2 guests."""
    return office.bookings.create(agent, new_booking(ann, lagoon, start, special_requests="Quiet"))


# -- create -------------------------------------------------------------------------


def test_new_booking_form_has_no_price_to_type_in() -> None:
    assert "total_price" not in {f.name for f in dataclass_fields(NewBooking)}
    assert "total_price" not in {f.name for f in dataclass_fields(StayChange)}


def test_create_prices_the_stay_as_price_per_person_times_guests(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    start: date,
) -> None:
    created = office.bookings.create(agent, new_booking(ann, lagoon, start, guests=3))

    stored = stored_booking(engine, created.id)
    assert stored is not None
    assert stored["total_price"] == Decimal("3600.00")
    assert stored["status"] == "pending"
    assert stored["payment_status"] == "pending"
    assert stored["user_id"] == ann.id
    assert created.total_price == Decimal("3600.00")
    assert created.customer_name == "Ann Lee"
    assert created.version == stored["version"]


def test_create_rounds_the_price_to_cents(
    office: BackOffice, admin: Actor, agent: Actor, ann: PersonRow, start: date
) -> None:
    odd = office.destinations.create(
        admin, destination_draft(name="Odd Price", price=Decimal("333.33"))
    )
    created = office.bookings.create(agent, new_booking(ann, odd, start, guests=3))
    assert created.total_price == Decimal("999.99")


def test_create_accepts_today_and_the_guest_limits(
    office: BackOffice, engine: Engine, agent: Actor, ann: PersonRow, lagoon: DestinationRow
) -> None:
    today = server_today(engine)
    one = office.bookings.create(agent, new_booking(ann, lagoon, today, nights=1, guests=1))
    most = office.bookings.create(
        agent, new_booking(ann, lagoon, today + timedelta(days=1), nights=1, guests=MAX_GUESTS)
    )
    assert (one.guests, one.total_price) == (1, PRICE)
    assert (most.guests, most.total_price) == (MAX_GUESTS, PRICE * MAX_GUESTS)


def test_create_trims_special_requests_and_stores_blank_as_none(
    office: BackOffice, agent: Actor, ann: PersonRow, lagoon: DestinationRow, start: date
) -> None:
    sea = office.bookings.create(
        agent, new_booking(ann, lagoon, start, special_requests="  Sea view  ")
    )
    blank = office.bookings.create(
        agent,
        new_booking(ann, lagoon, start + timedelta(days=7), special_requests="   "),
    )
    assert sea.special_requests == "Sea view"
    assert blank.special_requests is None


@pytest.mark.parametrize(
    ("start_offset", "nights", "guests", "fields", "advice"),
    [
        pytest.param(-1, 7, 2, {"start_date"}, "Choose today or a later date", id="start-past"),
        pytest.param(10, 0, 2, {"end_date"}, "must be after the start date", id="end-is-start"),
        pytest.param(10, -3, 2, {"end_date"}, "must be after the start date", id="end-before"),
        pytest.param(10, 7, 0, {"guests"}, "must be at least 1", id="no-guests"),
        pytest.param(10, 7, -2, {"guests"}, "must be at least 1", id="negative-guests"),
        pytest.param(10, 7, 5, {"guests"}, "takes at most 4 guests", id="too-many-guests"),
        pytest.param(
            -1,
            -2,
            0,
            {"start_date", "end_date", "guests"},
            "must be after the start date",
            id="every-problem-at-once",
        ),
    ],
)
def test_create_refuses_a_stay_that_breaks_the_rules(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    clock: FakeClock,
    start_offset: int,
    nights: int,
    guests: int,
    fields: set[str],
    advice: str,
) -> None:
    first = server_today(engine) + timedelta(days=start_offset)
    request = new_booking(ann, lagoon, first, nights=nights, guests=guests)

    error = refused(lambda: office.bookings.create(agent, request), ValidationError)

    assert set(error.fields) == fields
    assert advice in error.message
    assert booking_count(engine) == 0
    assert audit_rows(engine) == []


def test_create_refuses_an_inactive_destination(
    office: BackOffice, engine: Engine, admin: Actor, agent: Actor, ann: PersonRow, start: date
) -> None:
    closed = office.destinations.create(admin, destination_draft(name="Closed Reef", active=False))

    error = refused(
        lambda: office.bookings.create(agent, new_booking(ann, closed, start)), ValidationError
    )

    assert set(error.fields) == {"destination"}
    assert "Closed Reef is not open for booking" in error.message
    assert "Choose another destination" in error.message
    assert booking_count(engine) == 0


def test_create_refuses_a_destination_another_client_left_without_a_price(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    start: date,
) -> None:
    with engine.begin() as conn:  # the schema is shared; nothing there forbids a zero price
        conn.execute(text("UPDATE destinations SET price = 0 WHERE id = :id"), {"id": lagoon.id})

    error = refused(
        lambda: office.bookings.create(agent, new_booking(ann, lagoon, start)), ValidationError
    )

    assert set(error.fields) == {"destination"}
    assert "Lagoon Villas has no price per person" in error.message
    assert "Ask a moderator" in error.message
    assert booking_count(engine) == 0


def test_create_refuses_a_total_price_too_large_to_record(
    office: BackOffice, engine: Engine, admin: Actor, agent: Actor, ann: PersonRow, start: date
) -> None:
    palace = office.destinations.create(
        admin, destination_draft(name="Palace", price=Decimal("60000000.00"))
    )

    error = refused(
        lambda: office.bookings.create(agent, new_booking(ann, palace, start, guests=2)),
        ValidationError,
    )

    assert set(error.fields) == {"guests"}
    assert "120,000,000.00" in error.message
    assert "Book fewer guests" in error.message
    assert booking_count(engine) == 0


def test_far_too_many_guests_are_refused_by_the_guest_limit_not_the_price(
    office: BackOffice, agent: Actor, ann: PersonRow, lagoon: DestinationRow, start: date
) -> None:
    request = new_booking(ann, lagoon, start, guests=10**12)

    error = refused(lambda: office.bookings.create(agent, request), ValidationError)

    assert error.fields == {"guests": "Lagoon Villas takes at most 4 guests."}


def test_create_refuses_special_requests_longer_than_the_form_allows(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    start: date,
) -> None:
    request = new_booking(ann, lagoon, start, special_requests="x" * 10_001)

    error = refused(lambda: office.bookings.create(agent, request), ValidationError)

    assert set(error.fields) == {"special_requests"}
    assert "at most 10000" in error.message
    assert "Shorten it" in error.message
    assert booking_count(engine) == 0


def test_create_refuses_a_staff_account_as_the_customer(
    office: BackOffice,
    engine: Engine,
    admin: Actor,
    agent: Actor,
    lagoon: DestinationRow,
    start: date,
) -> None:
    request = NewBooking(admin.id, lagoon.id, start, start + timedelta(days=7), 2)

    error = refused(lambda: office.bookings.create(agent, request), ValidationError)

    assert set(error.fields) == {"customer"}
    assert "Ada Admin is a staff account" in error.message
    assert "choose a customer" in error.message
    assert booking_count(engine) == 0


def test_create_for_a_missing_destination_or_customer_is_not_found(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    start: date,
) -> None:
    first = start
    no_place = NewBooking(ann.id, 987_654, first, first + timedelta(days=3), 2)
    no_person = NewBooking(987_654, lagoon.id, first, first + timedelta(days=3), 2)

    assert "refresh" in refused(lambda: office.bookings.create(agent, no_place), NotFound).message
    assert "refresh" in refused(lambda: office.bookings.create(agent, no_person), NotFound).message
    assert booking_count(engine) == 0


# -- overlap --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "nights"),
    [
        pytest.param(0, 7, id="same-dates"),
        pytest.param(3, 7, id="starts-inside"),
        pytest.param(-3, 4, id="ends-inside"),
        pytest.param(1, 2, id="within"),
        pytest.param(-1, 9, id="around"),
    ],
)
def test_overlapping_booking_is_a_conflict_naming_the_other_booking(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    bob: PersonRow,
    lagoon: DestinationRow,
    booking: BookingRow,
    offset: int,
    nights: int,
) -> None:
    request = new_booking(bob, lagoon, booking.start_date + timedelta(days=offset), nights=nights)

    error = refused(lambda: office.bookings.create(agent, request), Conflict)

    assert f"booking #{booking.id} for Ann Lee" in error.message
    assert f"{shown(booking.start_date)} to {shown(booking.end_date)}" in error.message
    assert "Choose other dates or another destination" in error.message
    assert error.current == {"booking_id": booking.id}
    assert booking_count(engine) == 1
    assert [r["action"] for r in audit_rows(engine)] == ["booking.create"]


def test_back_to_back_stays_other_destinations_and_ended_bookings_do_not_overlap(
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    bob: PersonRow,
    lagoon: DestinationRow,
    booking: BookingRow,
) -> None:
    after = office.bookings.create(agent, new_booking(bob, lagoon, booking.end_date, nights=3))
    before = office.bookings.create(
        agent, new_booking(bob, lagoon, booking.start_date - timedelta(days=3), nights=3)
    )
    elsewhere = office.destinations.create(admin, destination_draft(name="Jungle Lodge"))
    same_dates_elsewhere = office.bookings.create(
        agent, new_booking(bob, elsewhere, booking.start_date)
    )
    office.bookings.cancel(agent, booking.id, booking.version, "Changed plans")
    same_dates_after_cancel = office.bookings.create(
        agent, new_booking(bob, lagoon, booking.start_date)
    )
    assert len({after.id, before.id, same_dates_elsewhere.id, same_dates_after_cancel.id}) == 4


# -- request tokens -----------------------------------------------------------------


def test_double_submitted_create_makes_one_booking(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    start: date,
) -> None:
    request = new_booking(ann, lagoon, start, token=uuid.uuid4())

    first = office.bookings.create(agent, request)
    second = office.bookings.create(agent, request)

    assert second == first
    assert booking_count(engine) == 1
    assert [r["action"] for r in audit_rows(engine)] == ["booking.create"]
    assert office.bookings.find_by_request_token(agent, cast(uuid.UUID, request.request_token))
    assert office.bookings.find_by_request_token(agent, uuid.uuid4()) is None


def test_resubmitting_a_token_after_the_booking_changed_returns_the_booking_as_it_is_now(
    office: BackOffice, agent: Actor, ann: PersonRow, lagoon: DestinationRow, start: date
) -> None:
    request = new_booking(ann, lagoon, start, token=uuid.uuid4())
    first = office.bookings.create(agent, request)
    confirmed = office.bookings.confirm(agent, first.id, first.version)

    again = office.bookings.create(agent, request)

    assert again.id == first.id
    assert again.status is B.CONFIRMED
    assert again.version == confirmed.version


def test_a_new_token_for_the_same_dates_is_a_new_request_and_overlaps(
    office: BackOffice, agent: Actor, ann: PersonRow, lagoon: DestinationRow, start: date
) -> None:
    first = office.bookings.create(agent, new_booking(ann, lagoon, start, token=uuid.uuid4()))
    error = refused(
        lambda: office.bookings.create(agent, new_booking(ann, lagoon, start, token=uuid.uuid4())),
        Conflict,
    )
    assert f"#{first.id}" in error.message


# -- change dates or guests -----------------------------------------------------------


def test_change_recomputes_the_price_and_audits_only_what_changed(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow
) -> None:
    later = booking.start_date + timedelta(days=2)
    change = StayChange(later, later + timedelta(days=7), 3, booking.special_requests)

    changed = office.bookings.change_stay(agent, booking.id, booking.version, change)

    stored = stored_booking(engine, booking.id)
    assert stored is not None
    assert (stored["start_date"], stored["end_date"], stored["guests"]) == (
        later,
        later + timedelta(days=7),
        3,
    )
    assert stored["total_price"] == Decimal("3600.00")
    assert changed.version == stored["version"] != booking.version
    change_rows = [r for r in audit_rows(engine, booking.id) if r["action"] == "booking.change"]
    assert len(change_rows) == 1
    row = change_rows[0]
    assert row["user_id"] == agent.id
    assert row["old_values"] == {
        "start_date": booking.start_date.isoformat(),
        "end_date": booking.end_date.isoformat(),
        "guests": 2,
        "total_price": "2400.00",
    }
    assert row["new_values"] == {
        "start_date": later.isoformat(),
        "end_date": (later + timedelta(days=7)).isoformat(),
        "guests": 3,
        "total_price": "3600.00",
    }


def test_change_prices_the_stay_at_the_destinations_current_price(
    office: BackOffice,
    engine: Engine,
    admin: Actor,
    agent: Actor,
    lagoon: DestinationRow,
    booking: BookingRow,
) -> None:
    office.destinations.update(
        admin, lagoon.id, lagoon.version, destination_draft(price=Decimal("1500.00"))
    )
    change = StayChange(booking.start_date, booking.end_date, 3, booking.special_requests)

    changed = office.bookings.change_stay(agent, booking.id, booking.version, change)

    assert changed.total_price == Decimal("4500.00")
    stored = stored_booking(engine, booking.id)
    assert stored is not None
    assert stored["total_price"] == Decimal("4500.00")


def test_change_may_overlap_its_own_old_dates(
    office: BackOffice, agent: Actor, booking: BookingRow
) -> None:
    shifted = booking.start_date + timedelta(days=1)
    change = StayChange(shifted, shifted + timedelta(days=7), 2, booking.special_requests)

    changed = office.bookings.change_stay(agent, booking.id, booking.version, change)

    assert changed.start_date == shifted


def test_change_that_changes_nothing_writes_nothing(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow
) -> None:
    same = StayChange(booking.start_date, booking.end_date, booking.guests, "  Quiet ")

    unchanged = office.bookings.change_stay(agent, booking.id, booking.version, same)

    assert unchanged.version == booking.version
    assert [r["action"] for r in audit_rows(engine, booking.id)] == ["booking.create"]


@pytest.mark.parametrize(
    ("start_offset", "nights", "guests", "requests", "fields"),
    [
        pytest.param(-1, 7, 2, None, {"start_date"}, id="start-past"),
        pytest.param(10, 0, 2, None, {"end_date"}, id="end-is-start"),
        pytest.param(10, 7, 0, None, {"guests"}, id="no-guests"),
        pytest.param(10, 7, 5, None, {"guests"}, id="too-many-guests"),
        pytest.param(10, 7, 2, "y" * 10_001, {"special_requests"}, id="requests-too-long"),
    ],
)
def test_refused_change_leaves_the_booking_exactly_as_it_was(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    clock: FakeClock,
    booking: BookingRow,
    start_offset: int,
    nights: int,
    guests: int,
    requests: str | None,
    fields: set[str],
) -> None:
    before = stored_booking(engine, booking.id)
    first = clock.today() + timedelta(days=start_offset)
    change = StayChange(first, first + timedelta(days=nights), guests, requests)

    error = refused(
        lambda: office.bookings.change_stay(agent, booking.id, booking.version, change),
        ValidationError,
    )

    assert set(error.fields) == fields
    assert stored_booking(engine, booking.id) == before
    assert office.bookings.get(agent, booking.id) == booking
    assert [r["action"] for r in audit_rows(engine, booking.id)] == ["booking.create"]


def test_change_onto_another_bookings_dates_is_a_conflict_and_writes_nothing(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    bob: PersonRow,
    lagoon: DestinationRow,
    booking: BookingRow,
) -> None:
    later = office.bookings.create(agent, new_booking(bob, lagoon, booking.end_date, nights=5))
    before = stored_booking(engine, later.id)
    change = StayChange(booking.start_date + timedelta(days=2), later.end_date, 2, None)

    error = refused(
        lambda: office.bookings.change_stay(agent, later.id, later.version, change), Conflict
    )

    assert f"booking #{booking.id} for Ann Lee" in error.message
    assert f"{shown(booking.start_date)} to {shown(booking.end_date)}" in error.message
    assert error.current == {"booking_id": booking.id}
    assert stored_booking(engine, later.id) == before
    assert [r["action"] for r in audit_rows(engine, later.id)] == ["booking.create"]


@pytest.mark.parametrize("status", [B.CANCELLED, B.COMPLETED])
def test_only_active_bookings_can_change(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    booking: BookingRow,
    status: BookingStatus,
) -> None:
    set_state(engine, booking.id, status, P.PENDING)
    ended = office.bookings.get(agent, booking.id)
    change = StayChange(booking.start_date, booking.end_date, 3, None)

    error = refused(
        lambda: office.bookings.change_stay(agent, booking.id, ended.version, change),
        ValidationError,
    )

    assert set(error.fields) == {"status"}
    assert "Only pending or confirmed bookings can" in error.message
    assert office.bookings.get(agent, booking.id) == ended


# -- status transitions ---------------------------------------------------------------


def _booking_in(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow, status: BookingStatus
) -> BookingRow:
    """The fixture's booking moved through the services into ``status``."""
    if status is B.PENDING:
        return booking
    if status is B.CANCELLED:
        return office.bookings.cancel(agent, booking.id, booking.version, "Changed plans")
    confirmed = office.bookings.confirm(agent, booking.id, booking.version)
    if status is B.CONFIRMED:
        return confirmed
    confirmed = stay_ends_today(office, engine, agent, confirmed)
    return office.bookings.complete(agent, booking.id, confirmed.version)


def _move(office: BackOffice, agent: Actor, row: BookingRow, target: BookingStatus) -> BookingRow:
    if target is B.CONFIRMED:
        return office.bookings.confirm(agent, row.id, row.version)
    if target is B.CANCELLED:
        return office.bookings.cancel(agent, row.id, row.version, "Customer asked")
    return office.bookings.complete(agent, row.id, row.version)


@pytest.mark.parametrize(
    ("current", "target"),
    list(itertools.product(list(B), [B.CONFIRMED, B.CANCELLED, B.COMPLETED])),
    ids=lambda s: s.value,
)
def test_status_change_through_the_service_follows_the_table(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    clock: FakeClock,
    booking: BookingRow,
    current: BookingStatus,
    target: BookingStatus,
) -> None:
    row = _booking_in(office, engine, agent, booking, current)
    row = stay_ends_today(office, engine, agent, row)  # the completion date rule has its test
    audited_before = len(audit_rows(engine, booking.id))

    if (current, target) in ALLOWED_STATUS_CHANGES:
        moved = _move(office, agent, row, target)
        stored = stored_booking(engine, booking.id)
        assert stored is not None
        assert stored["status"] == target.value == moved.status.value
        new_audit = audit_rows(engine, booking.id)[audited_before:]
        assert [r["action"] for r in new_audit] == [ACTIONS[target]]
        assert new_audit[0]["old_values"]["status"] == current.value
        assert new_audit[0]["new_values"]["status"] == target.value
        return

    before = stored_booking(engine, booking.id)
    error = refused(lambda: _move(office, agent, row, target), ValidationError)
    assert set(error.fields) == {"status"}
    assert f"A {current.value} booking cannot become {target.value}" in error.message
    allowed = sorted(ACTION_VERBS[t] for (f, t) in ALLOWED_STATUS_CHANGES if f is current)
    for verb in allowed:
        assert verb in error.message.split("Allowed:")[1]
    if not allowed:
        assert "Allowed: no further change" in error.message
    assert stored_booking(engine, booking.id) == before
    assert len(audit_rows(engine, booking.id)) == audited_before


@pytest.mark.parametrize(("current", "target"), list(itertools.product(list(B), list(B))))
def test_status_table_allows_exactly_the_issues_changes(
    current: BookingStatus, target: BookingStatus
) -> None:
    if (current, target) in ALLOWED_STATUS_CHANGES:
        check_status_change(current, target)
        return
    with pytest.raises(ValidationError) as caught:
        check_status_change(current, target)
    assert "Allowed:" in caught.value.message


def test_cancel_sets_reason_and_the_servers_time_and_audits_them(
    office: BackOffice, engine: Engine, agent: Actor, clock: FakeClock, booking: BookingRow
) -> None:
    clock.advance(days=-3)  # this workstation's clock is three days slow
    before = server_now(engine)

    office.bookings.cancel(agent, booking.id, booking.version, "  Flight cancelled  ")

    stored = stored_booking(engine, booking.id)
    assert stored is not None
    assert stored["status"] == "cancelled"
    assert stored["cancellation_reason"] == "Flight cancelled"
    # The server's time: never before the booking was made, whatever the workstation says.
    assert stored["created_at"] <= stored["cancelled_at"]
    assert before <= stored["cancelled_at"] <= server_now(engine)
    cancel_rows = [r for r in audit_rows(engine, booking.id) if r["action"] == "booking.cancel"]
    assert len(cancel_rows) == 1
    assert cancel_rows[0]["old_values"] == {
        "status": "pending",
        "cancellation_reason": None,
        "cancelled_at": None,
    }
    assert cancel_rows[0]["new_values"] == {
        "status": "cancelled",
        "cancellation_reason": "Flight cancelled",
        "cancelled_at": stored["cancelled_at"].isoformat(),
    }


@pytest.mark.parametrize("reason", ["", "   ", "r" * 10_001])
def test_cancel_needs_a_reason_of_sensible_length(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow, reason: str
) -> None:
    before = stored_booking(engine, booking.id)

    error = refused(
        lambda: office.bookings.cancel(agent, booking.id, booking.version, reason),
        ValidationError,
    )

    assert set(error.fields) == {"cancellation_reason"}
    assert "Reason is required" in error.message or "Shorten it" in error.message
    assert stored_booking(engine, booking.id) == before


def test_complete_is_refused_before_the_end_date_and_allowed_on_it(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow
) -> None:
    confirmed = office.bookings.confirm(agent, booking.id, booking.version)
    let_days_pass(engine, (booking.end_date - server_today(engine)).days - 1)
    confirmed = office.bookings.get(agent, booking.id)  # the stay ends tomorrow
    before = stored_booking(engine, booking.id)

    error = refused(
        lambda: office.bookings.complete(agent, booking.id, confirmed.version), ValidationError
    )

    assert set(error.fields) == {"status"}
    assert f"from its end date, {shown(confirmed.end_date)}, on" in error.message
    assert stored_booking(engine, booking.id) == before

    confirmed = stay_ends_today(office, engine, agent, confirmed)
    completed = office.bookings.complete(agent, booking.id, confirmed.version)
    assert completed.status is B.COMPLETED


def test_a_workstation_clock_30_days_fast_does_not_complete_a_stay(
    office: BackOffice, engine: Engine, agent: Actor, clock: FakeClock, booking: BookingRow
) -> None:
    confirmed = office.bookings.confirm(agent, booking.id, booking.version)
    clock.advance(days=30)  # by this workstation's clock the stay ended two weeks ago
    assert clock.today() > booking.end_date
    before = stored_booking(engine, booking.id)

    error = refused(
        lambda: office.bookings.complete(agent, booking.id, confirmed.version), ValidationError
    )

    assert f"from its end date, {shown(booking.end_date)}, on" in error.message
    assert stored_booking(engine, booking.id) == before


def test_a_workstation_clock_days_slow_still_refuses_a_start_in_the_past(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    clock: FakeClock,
) -> None:
    clock.advance(days=-3)  # to this workstation, the day before yesterday is still to come
    yesterday = server_today(engine) - timedelta(days=1)
    assert clock.today() < yesterday

    error = refused(
        lambda: office.bookings.create(agent, new_booking(ann, lagoon, yesterday)),
        ValidationError,
    )

    assert set(error.fields) == {"start_date"}
    assert booking_count(engine) == 0


# -- payments ---------------------------------------------------------------------------


@pytest.mark.parametrize("booking_status", list(B), ids=lambda s: s.value)
def test_payment_changes_follow_the_table_exhaustively(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    clock: FakeClock,
    booking_status: BookingStatus,
) -> None:
    """Every (payment now, payment recorded) pair, in a booking of ``booking_status``."""
    mismatches: list[str] = []
    first = clock.today() + timedelta(days=1)
    for n, (current, target) in enumerate(itertools.product(list(P), list(P))):
        start = first + timedelta(days=2 * n)
        made = office.bookings.create(agent, new_booking(ann, lagoon, start, nights=1))
        set_state(engine, made.id, booking_status, current)
        row = office.bookings.get(agent, made.id)
        before = stored_booking(engine, made.id)
        audited = len(audit_rows(engine, made.id))
        case = f"{booking_status.value} booking, payment {current.value} -> {target.value}"
        expected = booking_status in ALLOWED_PAYMENT_CHANGES.get((current, target), set())
        try:
            office.bookings.record_payment(agent, made.id, row.version, target, f"pi_{n}")
        except ValidationError as error:
            if expected:
                mismatches.append(f"{case}: refused ({error.message})")
            elif set(error.fields) != {"payment_status"} or "Allowed:" not in error.message:
                mismatches.append(f"{case}: unhelpful refusal {error.fields} {error.message}")
            elif stored_booking(engine, made.id) != before:
                mismatches.append(f"{case}: refused but the row changed")
            continue
        stored = stored_booking(engine, made.id)
        assert stored is not None
        if not expected:
            mismatches.append(f"{case}: allowed")
        elif (stored["payment_status"], stored["payment_intent_id"]) != (target.value, f"pi_{n}"):
            mismatches.append(f"{case}: stored {stored['payment_status']}")
        elif len(audit_rows(engine, made.id)) != audited + 1:
            mismatches.append(f"{case}: not exactly one audit row")
    assert mismatches == []


@pytest.mark.parametrize(
    ("booking_status", "current", "target"),
    list(itertools.product(list(B), list(P), list(P))),
)
def test_payment_table_allows_exactly_the_issues_changes(
    booking_status: BookingStatus, current: PaymentStatus, target: PaymentStatus
) -> None:
    allowed = {
        to
        for (frm, to), statuses in ALLOWED_PAYMENT_CHANGES.items()
        if frm is current and booking_status in statuses
    }
    if target in allowed:
        check_payment_change(booking_status, current, target)
        return
    with pytest.raises(ValidationError) as caught:
        check_payment_change(booking_status, current, target)
    message = caught.value.message
    assert set(caught.value.fields) == {"payment_status"}
    assert all(to.value in message.split("Allowed:")[1] for to in allowed)


def test_refund_of_a_cancelled_paid_booking_records_the_refund_reference(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow
) -> None:
    paid = office.bookings.record_payment(agent, booking.id, booking.version, P.PAID, "pi_1")
    cancelled = office.bookings.cancel(agent, booking.id, paid.version, "Illness")
    assert cancelled.payment_status is P.PAID  # the money is refunded when the refund is recorded

    refunded = office.bookings.record_payment(
        agent, booking.id, cancelled.version, P.REFUNDED, "re_1"
    )

    stored = stored_booking(engine, booking.id)
    assert stored is not None
    assert (stored["payment_status"], stored["payment_intent_id"]) == ("refunded", "re_1")
    assert refunded.version == stored["version"]
    payment_rows = [r for r in audit_rows(engine, booking.id) if r["action"] == "booking.payment"]
    assert [r["new_values"] for r in payment_rows] == [
        {"payment_status": "paid", "payment_intent_id": "pi_1"},
        {"payment_status": "refunded", "payment_intent_id": "re_1"},
    ]
    assert payment_rows[1]["old_values"] == {"payment_status": "paid", "payment_intent_id": "pi_1"}


def test_refund_of_a_booking_that_is_not_cancelled_says_to_cancel_first(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow
) -> None:
    paid = office.bookings.record_payment(agent, booking.id, booking.version, P.PAID, "pi_1")
    before = stored_booking(engine, booking.id)

    error = refused(
        lambda: office.bookings.record_payment(agent, booking.id, paid.version, P.REFUNDED, "re"),
        ValidationError,
    )

    assert set(error.fields) == {"payment_status"}
    assert "cancel" in error.message.lower()
    assert stored_booking(engine, booking.id) == before


def test_refund_of_an_unpaid_cancelled_booking_is_refused(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow
) -> None:
    cancelled = office.bookings.cancel(agent, booking.id, booking.version, "Illness")

    error = refused(
        lambda: office.bookings.record_payment(
            agent, booking.id, cancelled.version, P.REFUNDED, "re"
        ),
        ValidationError,
    )

    assert set(error.fields) == {"payment_status"}
    assert "paid" in error.message
    stored = stored_booking(engine, booking.id)
    assert stored is not None
    assert stored["payment_status"] == "pending"


@pytest.mark.parametrize("target", [P.PAID, P.REFUNDED])
@pytest.mark.parametrize("reference", [None, "", "   "])
def test_paid_and_refunded_need_the_payment_reference(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    booking: BookingRow,
    target: PaymentStatus,
    reference: str | None,
) -> None:
    before = stored_booking(engine, booking.id)

    error = refused(
        lambda: office.bookings.record_payment(
            agent, booking.id, booking.version, target, reference
        ),
        ValidationError,
    )

    assert set(error.fields) == {"payment_intent_id"}
    assert "Payment reference is required" in error.message
    assert stored_booking(engine, booking.id) == before


def test_failed_payment_needs_no_reference_and_keeps_the_old_one(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow
) -> None:
    failed = office.bookings.record_payment(agent, booking.id, booking.version, P.FAILED, "pi_1")
    again = office.bookings.record_payment(agent, booking.id, failed.version, P.FAILED, None)

    stored = stored_booking(engine, booking.id)
    assert stored is not None
    assert (stored["payment_status"], stored["payment_intent_id"]) == ("failed", "pi_1")
    assert again.version == stored["version"]


def test_payment_reference_longer_than_the_column_is_refused(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow
) -> None:
    error = refused(
        lambda: office.bookings.record_payment(
            agent, booking.id, booking.version, P.PAID, "p" * 256
        ),
        ValidationError,
    )
    assert set(error.fields) == {"payment_intent_id"}
    assert "at most 255" in error.message


def test_a_booking_without_payment_status_is_treated_as_unpaid(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow
) -> None:
    set_state(engine, booking.id, B.PENDING, None)  # the design's column is nullable
    row = office.bookings.get(agent, booking.id)

    paid = office.bookings.record_payment(agent, booking.id, row.version, P.PAID, "pi_9")

    assert paid.payment_status is P.PAID


# -- row versions -------------------------------------------------------------------


def _edits(
    booking: BookingRow,
) -> dict[str, Callable[[BackOffice, Actor, str], BookingRow]]:
    stay = StayChange(booking.start_date, booking.end_date, 3, booking.special_requests)
    return {
        "change_stay": lambda o, a, v: o.bookings.change_stay(a, booking.id, v, stay),
        "confirm": lambda o, a, v: o.bookings.confirm(a, booking.id, v),
        "cancel": lambda o, a, v: o.bookings.cancel(a, booking.id, v, "Stale"),
        "record_payment": lambda o, a, v: o.bookings.record_payment(
            a, booking.id, v, P.PAID, "pi_stale"
        ),
    }


@pytest.mark.parametrize("edit", ["change_stay", "confirm", "cancel", "record_payment"])
def test_saving_over_a_booking_someone_else_changed_is_a_conflict_with_their_values(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    moderator: Actor,
    booking: BookingRow,
    edit: str,
) -> None:
    theirs = office.bookings.change_stay(
        moderator,
        booking.id,
        booking.version,
        StayChange(booking.start_date, booking.end_date, 4, "Late arrival"),
    )
    before = stored_booking(engine, booking.id)
    audited = len(audit_rows(engine, booking.id))

    error = refused(lambda: _edits(booking)[edit](office, agent, booking.version), Conflict)

    assert "Someone else changed this booking" in error.message
    assert "Nothing was saved" in error.message
    assert error.current is not None
    assert error.current["guests"] == 4
    assert error.current["special_requests"] == "Late arrival"
    assert error.current["version"] == theirs.version
    assert stored_booking(engine, booking.id) == before
    assert len(audit_rows(engine, booking.id)) == audited


def test_edit_of_a_deleted_booking_is_not_found(
    office: BackOffice, engine: Engine, agent: Actor, booking: BookingRow
) -> None:
    with engine.begin() as conn:
        conn.execute(BOOKINGS.delete().where(BOOKINGS.c.id == booking.id))

    error = refused(lambda: office.bookings.confirm(agent, booking.id, booking.version), NotFound)

    assert f"Booking {booking.id} does not exist any more" in error.message


# -- permissions ----------------------------------------------------------------------


def test_every_staff_role_manages_bookings(
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    moderator: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    start: date,
) -> None:
    for n, actor in enumerate((admin, agent, moderator)):
        made = office.bookings.create(
            actor, new_booking(ann, lagoon, start + timedelta(days=10 * n))
        )
        assert office.bookings.confirm(actor, made.id, made.version).status is B.CONFIRMED


def test_a_role_without_booking_rights_is_refused_everything(
    office: BackOffice,
    engine: Engine,
    customer_actor: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    booking: BookingRow,
    start: date,
) -> None:
    v = booking.version
    stay = StayChange(booking.start_date, booking.end_date, 3, None)
    bookings = office.bookings
    attempts: dict[str, Callable[[], object]] = {
        "create": lambda: bookings.create(
            customer_actor, new_booking(ann, lagoon, start + timedelta(days=30))
        ),
        "change_stay": lambda: bookings.change_stay(customer_actor, booking.id, v, stay),
        "confirm": lambda: bookings.confirm(customer_actor, booking.id, v),
        "cancel": lambda: bookings.cancel(customer_actor, booking.id, v, "Mine"),
        "cancel without reason": lambda: bookings.cancel(customer_actor, booking.id, v, ""),
        "complete": lambda: bookings.complete(customer_actor, booking.id, v),
        "record_payment": lambda: bookings.record_payment(
            customer_actor, booking.id, v, P.PAID, "pi_1"
        ),
        "record_payment without reference": lambda: bookings.record_payment(
            customer_actor, booking.id, v, P.PAID, None
        ),
        "get": lambda: bookings.get(customer_actor, booking.id),
        "page": lambda: bookings.page(customer_actor, BookingFilter(), PageRequest(Sort("id"))),
        "count": lambda: bookings.count(customer_actor, BookingFilter()),
        "find_by_request_token": lambda: bookings.find_by_request_token(
            customer_actor, uuid.uuid4()
        ),
    }
    before = stored_booking(engine, booking.id)
    outcomes: dict[str, str] = {}
    for name, attempt in attempts.items():
        try:
            attempt()
        except PermissionDenied as error:
            outcomes[name] = error.message
        except BackOfficeError as error:
            outcomes[name] = f"{type(error).__name__} instead of PermissionDenied"
        else:
            outcomes[name] = "allowed"

    expected = {
        name: "Customers may not "
        + (
            "view bookings"
            if name in {"get", "page", "count", "find_by_request_token"}
            else "manage bookings"
        )
        + ". Ask an administrator if you need this."
        for name in attempts
    }
    assert outcomes == expected
    assert stored_booking(engine, booking.id) == before
    assert booking_count(engine) == 1
    assert [r["action"] for r in audit_rows(engine)] == ["booking.create"]


# -- the audit trail --------------------------------------------------------------------


def test_each_change_writes_exactly_one_audit_row_with_the_changed_fields_only(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    ann: PersonRow,
    lagoon: DestinationRow,
    clock: FakeClock,
    start: date,
) -> None:
    token = uuid.uuid4()
    made = office.bookings.create(
        agent, new_booking(ann, lagoon, start, guests=2, special_requests="Quiet", token=token)
    )
    changed = office.bookings.change_stay(
        agent, made.id, made.version, StayChange(made.start_date, made.end_date, 2, "Sea view")
    )
    confirmed = office.bookings.confirm(agent, made.id, changed.version)
    paid = office.bookings.record_payment(agent, made.id, confirmed.version, P.PAID, "pi_7")
    paid = stay_ends_today(office, engine, agent, paid)
    office.bookings.complete(agent, made.id, paid.version)

    rows = audit_rows(engine, made.id)

    assert [(r["action"], r["user_id"]) for r in rows] == [
        ("booking.create", agent.id),
        ("booking.change", agent.id),
        ("booking.confirm", agent.id),
        ("booking.payment", agent.id),
        ("booking.complete", agent.id),
    ]
    assert all(r["ip_address"] == TEST_AUDIT.ip_address for r in rows)
    assert all(r["user_agent"] == TEST_AUDIT.user_agent for r in rows)
    create, change, confirm, payment, complete = rows
    assert create["old_values"] is None
    assert create["new_values"] == {
        "user_id": ann.id,
        "destination_id": lagoon.id,
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=7)).isoformat(),
        "guests": 2,
        "total_price": "2400.00",
        "special_requests": "Quiet",
        "status": "pending",
        "payment_status": "pending",
    }
    assert (change["old_values"], change["new_values"]) == (
        {"special_requests": "Quiet"},
        {"special_requests": "Sea view"},
    )
    assert (confirm["old_values"], confirm["new_values"]) == (
        {"status": "pending"},
        {"status": "confirmed"},
    )
    assert (payment["old_values"], payment["new_values"]) == (
        {"payment_status": "pending", "payment_intent_id": None},
        {"payment_status": "paid", "payment_intent_id": "pi_7"},
    )
    assert (complete["old_values"], complete["new_values"]) == (
        {"status": "confirmed"},
        {"status": "completed"},
    )


# -- the database going away ------------------------------------------------------------


def test_unreachable_database_is_reported_as_unavailable(
    database_url: URL, clock: FakeClock, agent: Actor, booking: BookingRow
) -> None:
    gone = create_engine(database_url.set(database="no_such_database"), poolclass=NullPool)
    try:
        office = build(gone, clock=clock, audit=TEST_AUDIT)
        error = refused(lambda: office.bookings.get(agent, booking.id), DatabaseUnavailable)
    finally:
        gone.dispose()
    assert "nothing was saved" in error.message


def test_warm_up_prepares_the_bookings_list_and_changes_nothing(
    office: BackOffice, engine: Engine
) -> None:
    """Run while the sign-in dialog waits: no actor, no rows kept, no audit row."""
    with engine.connect() as conn:
        audit_rows = conn.scalar(select(func.count()).select_from(AuditLog))
    compiled_before = len(engine._compiled_cache or {})

    office.bookings.warm_up()

    # The list's page and count statements are compiled and kept for the page to reuse.
    assert len(engine._compiled_cache or {}) >= compiled_before + 2
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AuditLog)) == audit_rows
