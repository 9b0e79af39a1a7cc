"""The typed hand-off between services and repositories.

Locked rows are records, a broken constraint is one typed error naming it, a
held lock is ``DatabaseBusy``, rows built by position fail at import when their
statement drifts, the server's clock is one reading per transaction, and list
positions that cannot fit their order are refused before they are sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, Select, insert, select, text
from sqlalchemy.orm import Session

from desktop.db.models import User
from desktop.db.repositories import audit, bookings, destinations, people, reviews
from desktop.db.uow import UnitOfWork, unit_of_work_factory
from desktop.domain.errors import ConstraintViolated, DatabaseBusy, NotFound, ValidationError
from desktop.domain.listing import (
    BookingFilter,
    Cursor,
    DestinationFilter,
    PageRequest,
    ReviewFilter,
    Sort,
)
from desktop.domain.records import (
    AuditRow,
    BookingRow,
    DestinationRow,
    PersonRow,
    ReviewRow,
    record_builder,
)
from tests.factories import make_booking


@pytest.fixture
def uow(engine: Engine) -> Iterator[UnitOfWork]:
    with unit_of_work_factory(engine)() as unit:
        yield unit


@pytest.fixture
def booking_id(engine: Engine) -> int:
    with Session(engine) as session:
        booking = make_booking(session)
        session.commit()
        return booking.id


# -- rows built by position ------------------------------------------------------------------


def test_a_record_built_by_position_refuses_a_statement_whose_columns_drifted() -> None:
    names = [f.name for f in fields(BookingRow)]
    swapped = [names[1], names[0], *names[2:]]
    with pytest.raises(TypeError, match="BookingRow is built by position"):
        record_builder(BookingRow, swapped)
    with pytest.raises(TypeError, match="BookingRow is built by position"):
        record_builder(BookingRow, names[:-1])
    record_builder(BookingRow, names)  # the right order builds


@pytest.mark.parametrize(
    ("statement", "record"),
    [
        (bookings._base(), BookingRow),
        (select(*destinations._COLUMNS), DestinationRow),
        (select(*people._COLUMNS), PersonRow),
        (select(*reviews._COLUMNS), ReviewRow),
        (select(*audit._COLUMNS), AuditRow),
    ],
    ids=["bookings", "destinations", "people", "reviews", "audit"],
)
def test_each_repository_statement_labels_its_columns_as_the_record_names_its_fields(
    statement: Select[Any], record: type
) -> None:
    assert list(statement.selected_columns.keys()) == [f.name for f in fields(record)]


def test_the_modules_that_build_rows_by_position_were_checked_when_imported() -> None:
    # Importing them ran record_builder with their statements' labels; a drift would
    # have failed the import (and this test's collection) already.
    assert all(callable(m._row) for m in (bookings, destinations, people, reviews))


# -- locked rows -----------------------------------------------------------------------------


def test_a_locked_booking_is_a_typed_record_and_locks_only_the_booking_row(
    engine: Engine, uow: UnitOfWork, booking_id: int
) -> None:
    row = uow.bookings.get(booking_id)
    locked = uow.bookings.lock_versioned(booking_id, row.version)
    assert isinstance(locked, BookingRow)
    assert locked == row

    # The names come from joined rows, which stay free: another workstation may edit
    # the customer while the booking is locked.
    with engine.begin() as other:
        other.execute(text("SET LOCAL lock_timeout = '1s'"))
        other.execute(
            text("UPDATE users SET phone = '+1 555 0100' WHERE id = :id"),
            {"id": locked.customer_id},
        )
        with pytest.raises(Exception, match="lock timeout"):
            other.execute(text("UPDATE bookings SET guests = 3 WHERE id = :id"), {"id": booking_id})


@pytest.mark.parametrize("ident", [2**63, -(2**63) - 1, 2**80])
def test_ids_beyond_64_bits_are_not_found(uow: UnitOfWork, ident: int) -> None:
    with pytest.raises(NotFound):
        uow.bookings.get(ident)
    with pytest.raises(NotFound):
        uow.bookings.lock_versioned(ident, None)
    with pytest.raises(NotFound):
        uow.destinations.get_for_booking(ident)


# -- one typed error for a broken constraint --------------------------------------------------


def test_a_savepoint_names_the_broken_constraint_and_keeps_the_unit_of_work_usable(
    engine: Engine, uow: UnitOfWork
) -> None:
    values = {"name": "Ann", "email": "ann@example.com", "password_hash": "!"}
    with uow.savepoint():
        uow.session.execute(insert(User).values(**values))

    with pytest.raises(ConstraintViolated) as broken:
        with uow.savepoint():
            uow.session.execute(insert(User).values(**{**values, "name": "Ann again"}))

    assert broken.value.constraint == "users_email_key"
    assert "nothing was saved" in broken.value.message
    uow.commit()  # the first insert survives the second's failure
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM users")).scalars().all() == ["Ann"]


def test_a_savepoint_reports_a_held_lock_as_busy_and_keeps_the_unit_of_work_usable(
    engine: Engine, uow: UnitOfWork, booking_id: int
) -> None:
    with engine.begin() as other:
        other.execute(text("SELECT 1 FROM bookings WHERE id = :id FOR UPDATE"), {"id": booking_id})
        uow.session.execute(text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(DatabaseBusy, match="Try again"), uow.savepoint():
            uow.session.execute(
                text("UPDATE bookings SET guests = 3 WHERE id = :id"), {"id": booking_id}
            )
        assert uow.bookings.get(booking_id).id == booking_id  # still usable


# -- the server's clock ----------------------------------------------------------------------


def test_the_server_clock_is_read_once_per_transaction(engine: Engine, uow: UnitOfWork) -> None:
    first = uow.database_now()
    assert isinstance(first, datetime)
    assert first.tzinfo is not None
    assert uow.database_now() == first  # now() is the transaction's start
    with engine.connect() as conn:
        today: date = conn.execute(text("SELECT current_date")).scalar_one()
        later: datetime = conn.execute(text("SELECT now()")).scalar_one()
    assert uow.database_today() == today
    assert first <= later
    uow.commit()
    assert uow.database_now() > first  # a new transaction has a time of its own


# -- list positions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "value"),
    [
        pytest.param("created_at", "yesterday", id="text for a time"),
        pytest.param("start_date", datetime(2026, 1, 1, 12, 0), id="a time for a date"),
        pytest.param("guests", 2**31, id="beyond INTEGER"),
        pytest.param("guests", True, id="yes for a number"),
        pytest.param("total_price", Decimal("1E+8"), id="beyond NUMERIC(10,2)"),
        pytest.param("total_price", Decimal("NaN"), id="not a number"),
        pytest.param("customer_name", 7, id="a number for a name"),
    ],
)
def test_a_list_position_that_cannot_fit_its_order_is_refused_before_it_is_sent(
    uow: UnitOfWork, sort: str, value: object
) -> None:
    request = PageRequest(Sort(sort), after=Cursor(value, 1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as refused:
        uow.bookings.page(BookingFilter(), request)
    assert set(refused.value.fields) == {"after"}


def test_a_position_must_be_a_value_its_column_can_hold(uow: UnitOfWork) -> None:
    """NUMERIC(3,2): 9.99 is a rating, 10 and 9.995 are not, nor 1E-20000 (no numeric holds it)."""
    fits = PageRequest(Sort("rating"), after=Cursor(Decimal("9.99"), 1))
    assert uow.destinations.page(DestinationFilter(), fits).rows == ()
    for beyond in (Decimal("10"), Decimal("9.995"), Decimal("1E-20000")):
        request = PageRequest(Sort("rating"), after=Cursor(beyond, 1))
        with pytest.raises(ValidationError):
            uow.destinations.page(DestinationFilter(), request)


def test_a_position_with_an_id_beyond_64_bits_is_refused(uow: UnitOfWork) -> None:
    request = PageRequest(Sort("id"), after=Cursor(1, 2**63))
    with pytest.raises(ValidationError):
        uow.reviews.page(ReviewFilter(), request)
