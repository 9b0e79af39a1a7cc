"""Random counter days: whatever clerks do, no two active bookings of a destination overlap.

Hypothesis plays sequences of create, change of dates or guests, and cancel
over two or three destinations and a two-week window, so overlaps are common.
A small model of the bookings predicts each outcome; the database is checked
for overlaps after every example. The services run against one database per
test; the bookings are deleted between examples (the audit trail is
append-only and stays).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from desktop.bootstrap import BackOffice
from desktop.domain.errors import BackOfficeError, Conflict, ValidationError
from desktop.domain.permissions import Actor
from desktop.domain.records import BookingRow, DestinationRow, PersonRow
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.people import PersonDetails
from tests.services.conftest import FakeClock, destination_draft

MAX_GUESTS = 3
PRICES = (Decimal("100.00"), Decimal("250.50"))
WINDOW_DAYS = 10

OVERLAPPING_ACTIVE_PAIRS = text(
    """
    SELECT a.id, b.id
    FROM bookings a
    JOIN bookings b
      ON a.destination_id = b.destination_id
     AND a.id < b.id
     AND daterange(a.start_date, a.end_date) && daterange(b.start_date, b.end_date)
    WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')
    """
)


@dataclass(frozen=True)
class Create:
    destination: int  # index into the destinations
    start: int  # days from today; negative is in the past
    nights: int  # zero or negative is an invalid stay
    guests: int


@dataclass(frozen=True)
class Change:
    booking: int  # index into the bookings made so far in the example
    start: int
    nights: int
    guests: int
    stale: bool  # send a version from before the booking's last change


@dataclass(frozen=True)
class Cancel:
    booking: int


Step = Create | Change | Cancel


def mostly(
    valid: st.SearchStrategy[int], invalid: st.SearchStrategy[int]
) -> st.SearchStrategy[int]:
    """A valid value about nine times in ten, so most steps reach the database."""
    return st.tuples(st.integers(0, 9), valid, invalid).map(lambda t: t[2] if t[0] == 0 else t[1])


starts = mostly(st.integers(0, WINDOW_DAYS), st.just(-1))  # -1: yesterday
nights = mostly(st.integers(1, 6), st.integers(-1, 0))
guests = mostly(st.integers(1, MAX_GUESTS), st.sampled_from([0, MAX_GUESTS + 1]))
steps: st.SearchStrategy[Step] = st.one_of(
    st.builds(Create, st.integers(0, len(PRICES) - 1), starts, nights, guests),
    st.builds(Change, st.integers(0, 30), starts, nights, guests, st.booleans()),
    st.builds(Cancel, st.integers(0, 30)),
)


@dataclass
class Kept:
    """The model's view of one booking."""

    row: BookingRow
    first_version: str
    active: bool = True


@pytest.fixture
def destinations(office: BackOffice, admin: Actor) -> list[DestinationRow]:
    return [
        office.destinations.create(
            admin, destination_draft(name=f"Island {n}", price=price, max_guests=MAX_GUESTS)
        )
        for n, price in enumerate(PRICES)
    ]


@pytest.fixture
def customer(office: BackOffice, agent: Actor) -> PersonRow:
    return office.customers.create(agent, PersonDetails("Pat Guest", "pat@example.com"))


@dataclass
class CounterDay:
    """The services, and a model of the bookings that predicts each outcome."""

    office: BackOffice
    agent: Actor
    customer: PersonRow
    destinations: list[DestinationRow]
    today: date
    kept: list[Kept] = field(default_factory=list)

    def first_overlap(
        self, destination_id: int, start: date, end: date, except_id: int | None
    ) -> int | None:
        """The model's active booking overlapping [start, end) that starts first, if any."""
        clashes = [
            k.row
            for k in self.kept
            if k.active
            and k.row.id != except_id
            and k.row.destination_id == destination_id
            and k.row.start_date < end
            and start < k.row.end_date
        ]
        return min(clashes, key=lambda row: row.start_date).id if clashes else None

    def stay_is_valid(self, start: date, end: date, guest_count: int) -> bool:
        return start >= self.today and end > start and 1 <= guest_count <= MAX_GUESTS

    def price(self, destination_id: int, guest_count: int) -> Decimal:
        index = [d.id for d in self.destinations].index(destination_id)
        return PRICES[index] * guest_count

    def play(self, step: Step) -> BookingRow | BackOfficeError | None:
        """Run one step; any exception that is not a BackOfficeError fails the test."""
        if isinstance(step, Create):
            return self.create(step)
        if not self.kept:
            return None
        if isinstance(step, Change):
            return self.change(step)
        return self.cancel(step)

    def create(self, step: Create) -> BookingRow | BackOfficeError:
        dest = self.destinations[step.destination]
        start = self.today + timedelta(days=step.start)
        end = start + timedelta(days=step.nights)
        outcome: BookingRow | BackOfficeError
        try:
            outcome = self.office.bookings.create(
                self.agent, NewBooking(self.customer.id, dest.id, start, end, step.guests)
            )
        except BackOfficeError as error:
            outcome = error
        if not self.stay_is_valid(start, end, step.guests):
            assert isinstance(outcome, ValidationError), (step, outcome)
        elif (clash := self.first_overlap(dest.id, start, end, None)) is not None:
            assert isinstance(outcome, Conflict), (step, outcome)
            assert f"booking #{clash} " in outcome.message
        else:
            assert isinstance(outcome, BookingRow), (step, outcome)
            assert outcome.total_price == self.price(dest.id, step.guests)
            self.kept.append(Kept(outcome, outcome.version))
        return outcome

    def change(self, step: Change) -> BookingRow | BackOfficeError:
        target = self.kept[step.booking % len(self.kept)]
        row = target.row
        start = self.today + timedelta(days=step.start)
        end = start + timedelta(days=step.nights)
        version = target.first_version if step.stale else row.version
        outcome: BookingRow | BackOfficeError
        try:
            outcome = self.office.bookings.change_stay(
                self.agent,
                row.id,
                version,
                StayChange(start, end, step.guests, row.special_requests),
            )
        except BackOfficeError as error:
            outcome = error
        if version != row.version:
            assert isinstance(outcome, Conflict), (step, outcome)
            assert outcome.current is not None
            assert outcome.current["version"] == row.version
        elif not target.active or not self.stay_is_valid(start, end, step.guests):
            assert isinstance(outcome, ValidationError), (step, outcome)
        elif (clash := self.first_overlap(row.destination_id, start, end, row.id)) is not None:
            assert isinstance(outcome, Conflict), (step, outcome)
            assert f"booking #{clash} " in outcome.message
        else:
            assert isinstance(outcome, BookingRow), (step, outcome)
            assert outcome.total_price == self.price(row.destination_id, step.guests)
            unchanged = (start, end, step.guests) == (row.start_date, row.end_date, row.guests)
            assert (outcome.version == row.version) is unchanged
            target.row = outcome
        return outcome

    def cancel(self, step: Cancel) -> BookingRow | BackOfficeError:
        target = self.kept[step.booking % len(self.kept)]
        outcome: BookingRow | BackOfficeError
        try:
            outcome = self.office.bookings.cancel(
                self.agent, target.row.id, target.row.version, "Plans changed"
            )
        except BackOfficeError as error:
            outcome = error
        if target.active:
            assert isinstance(outcome, BookingRow), (step, outcome)
            target.row, target.active = outcome, False
        else:
            assert isinstance(outcome, ValidationError), (step, outcome)
        return outcome

    def expected_statuses(self) -> dict[int, str]:
        return {k.row.id: "pending" if k.active else "cancelled" for k in self.kept}


@pytest.mark.slow
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(script=st.lists(steps, min_size=3, max_size=15))
def test_random_counter_work_never_double_books_and_refuses_only_with_typed_errors(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    clock: FakeClock,
    destinations: list[DestinationRow],
    customer: PersonRow,
    script: list[Step],
) -> None:
    with engine.begin() as conn:  # a clean slate per example; the engine is per test
        conn.execute(text("DELETE FROM bookings"))
    day = CounterDay(office, agent, customer, destinations, clock.today())

    for step in script:
        outcome = day.play(step)
        if outcome is None:
            continue
        event(f"{type(step).__name__}: {type(outcome).__name__}")
        with engine.connect() as conn:
            assert list(conn.execute(OVERLAPPING_ACTIVE_PAIRS)) == []
            stored = dict(conn.execute(text("SELECT id, status FROM bookings")).all())
        assert stored == day.expected_statuses()
