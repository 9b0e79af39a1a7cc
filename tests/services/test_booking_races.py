"""Bookings under concurrency: many counters saving at the same instant.

Each thread calls the services on its own (every call opens its own session
from the engine's pool); a barrier releases them together.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, text

from desktop.bootstrap import BackOffice
from desktop.db.uow import unit_of_work_factory
from desktop.domain.enums import BookingStatus
from desktop.domain.errors import Conflict
from desktop.domain.permissions import Actor
from desktop.domain.records import BookingRow, DestinationRow, PersonRow
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.people import PersonDetails
from tests.services.conftest import FakeClock, destination_draft

T = TypeVar("T")
THREADS = 20
ROUNDS = 5

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
class Outcome:
    """What one thread's call returned or raised."""

    value: Any = None
    error: BaseException | None = None


def all_at_once(calls: list[Callable[[], T]]) -> list[Outcome]:
    """Run the calls in their own threads, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> Outcome:
        barrier.wait(timeout=30)
        try:
            return Outcome(value=call())
        except Exception as exc:  # every outcome, whatever its type, is judged by the test
            return Outcome(error=exc)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def describe(outcomes: list[Outcome]) -> list[str]:
    return [
        f"{type(o.error).__name__}: {o.error}" if o.error else f"ok #{o.value.id}" for o in outcomes
    ]


@pytest.fixture
def lagoon(office: BackOffice, admin: Actor) -> DestinationRow:
    return office.destinations.create(admin, destination_draft(max_guests=THREADS))


@pytest.fixture
def customers(office: BackOffice, agent: Actor) -> list[PersonRow]:
    return [
        office.customers.create(agent, PersonDetails(f"Customer {n}", f"c{n}@example.com"))
        for n in range(THREADS)
    ]


def overlapping_active_pairs(engine: Engine) -> list[tuple[int, int]]:
    with engine.connect() as conn:
        return [(a, b) for a, b in conn.execute(OVERLAPPING_ACTIVE_PAIRS)]


def booking_rows(engine: Engine, where: str, **params: object) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text(f"SELECT id FROM bookings WHERE {where}"), params).scalars())


@pytest.mark.slow
def test_concurrent_overlapping_bookings_let_exactly_one_through_per_round(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    lagoon: DestinationRow,
    customers: list[PersonRow],
    clock: FakeClock,
) -> None:
    for round_no in range(ROUNDS):
        base = clock.today() + timedelta(days=10 + 30 * round_no)

        def book(n: int, base: date = base) -> BookingRow:
            # Three staggered stays, all pairwise overlapping; some threads ask for identical
            # dates, which the design's unique index catches before the exclusion constraint.
            start = base + timedelta(days=n % 3)
            request = NewBooking(
                customers[n].id, lagoon.id, start, start + timedelta(days=5), 1 + n % 4
            )
            return office.bookings.create(agent, request)

        outcomes = all_at_once([lambda n=n: book(n) for n in range(THREADS)])

        winners = [o.value for o in outcomes if o.error is None]
        assert len(winners) == 1, describe(outcomes)
        losers = [o.error for o in outcomes if o.error is not None]
        assert all(type(e) is Conflict for e in losers), describe(outcomes)
        # Each refusal names the winner (or, if the winner was still saving, says to retry).
        named = [e for e in losers if f"booking #{winners[0].id} " in str(e)]
        assert all(
            f"booking #{winners[0].id} " in str(e) or "just taken" in str(e) for e in losers
        ), describe(outcomes)
        assert named, describe(outcomes)

    assert overlapping_active_pairs(engine) == []
    assert len(booking_rows(engine, "destination_id = :d", d=lagoon.id)) == ROUNDS
    with engine.connect() as conn:
        audited = conn.execute(
            text("SELECT count(*) FROM audit_logs WHERE action = 'booking.create'")
        ).scalar_one()
    assert audited == ROUNDS


@pytest.mark.slow
@pytest.mark.parametrize("second_edit", ["change_stay", "confirm", "cancel"])
def test_two_clerks_saving_the_same_version_one_wins_the_other_gets_a_conflict(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    moderator: Actor,
    lagoon: DestinationRow,
    customers: list[PersonRow],
    clock: FakeClock,
    second_edit: str,
) -> None:
    for round_no in range(ROUNDS):
        start = clock.today() + timedelta(days=10 + 30 * round_no)
        booking = office.bookings.create(
            agent, NewBooking(customers[0].id, lagoon.id, start, start + timedelta(days=7), 2)
        )
        # Both clerks opened the booking at the same version.
        seen_by_agent = office.bookings.get(agent, booking.id)
        seen_by_moderator = office.bookings.get(moderator, booking.id)
        assert seen_by_agent.version == seen_by_moderator.version

        agent_change = StayChange(start, start + timedelta(days=7), 3, "Agent's note")
        moderator_change = StayChange(start, start + timedelta(days=7), 4, "Moderator's note")
        agent_version, moderator_version = seen_by_agent.version, seen_by_moderator.version
        bookings = office.bookings
        moderator_edit: dict[str, Callable[[], BookingRow]] = {
            "change_stay": partial(
                bookings.change_stay, moderator, booking.id, moderator_version, moderator_change
            ),
            "confirm": partial(bookings.confirm, moderator, booking.id, moderator_version),
            "cancel": partial(
                bookings.cancel, moderator, booking.id, moderator_version, "Customer called"
            ),
        }
        outcomes = all_at_once(
            [
                partial(bookings.change_stay, agent, booking.id, agent_version, agent_change),
                moderator_edit[second_edit],
            ]
        )

        wins = [o for o in outcomes if o.error is None]
        losses = [o for o in outcomes if o.error is not None]
        assert len(wins) == 1, describe(outcomes)
        assert len(losses) == 1, describe(outcomes)
        conflict = losses[0].error
        assert isinstance(conflict, Conflict), describe(outcomes)
        assert "Nothing was saved" in str(conflict)
        winner: BookingRow = wins[0].value
        # The loser's Conflict carries the winner's values, and the row holds exactly those.
        assert conflict.current is not None
        assert conflict.current["version"] == winner.version
        stored = office.bookings.get(agent, booking.id)
        assert stored == winner
        with engine.connect() as conn:
            audited = conn.execute(
                text(
                    "SELECT count(*) FROM audit_logs "
                    "WHERE resource_type = 'booking' AND resource_id = :id"
                ),
                {"id": booking.id},
            ).scalar_one()
        assert audited == 2  # the create and the one winning change


def test_two_sessions_with_the_same_version_cannot_both_write_through_the_repository(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    lagoon: DestinationRow,
    customers: list[PersonRow],
    clock: FakeClock,
) -> None:
    """The versioned update itself, without the service's row lock in front of it."""
    start = clock.today() + timedelta(days=10)
    booking = office.bookings.create(
        agent, NewBooking(customers[0].id, lagoon.id, start, start + timedelta(days=7), 2)
    )
    units = unit_of_work_factory(engine)
    with units() as first, units() as second:
        first.bookings.update_versioned(booking.id, booking.version, {"guests": 3})
        first.commit()
        with pytest.raises(Conflict) as caught:
            second.bookings.update_versioned(booking.id, booking.version, {"guests": 4})
    assert caught.value.current is not None
    assert caught.value.current["guests"] == 3
    assert office.bookings.get(agent, booking.id).guests == 3


@pytest.mark.slow
def test_the_same_request_token_sent_concurrently_makes_one_booking_for_every_caller(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    lagoon: DestinationRow,
    customers: list[PersonRow],
    clock: FakeClock,
) -> None:
    for round_no in range(ROUNDS):
        start = clock.today() + timedelta(days=10 + 30 * round_no)
        token = uuid.uuid4()
        request = NewBooking(
            customers[round_no].id, lagoon.id, start, start + timedelta(days=7), 2, None, token
        )

        outcomes = all_at_once([partial(office.bookings.create, agent, request)] * 10)

        assert all(o.error is None for o in outcomes), describe(outcomes)
        ids = {o.value.id for o in outcomes}
        assert len(ids) == 1, describe(outcomes)
        assert booking_rows(engine, "request_token = :t", t=token) == list(ids)
        assert all(o.value.status is BookingStatus.PENDING for o in outcomes)

    with engine.connect() as conn:
        audited = conn.execute(
            text("SELECT count(*) FROM audit_logs WHERE action = 'booking.create'")
        ).scalar_one()
    assert audited == ROUNDS
    assert overlapping_active_pairs(engine) == []


@pytest.mark.slow
def test_bookings_moved_onto_the_same_free_dates_at_once_let_exactly_one_through(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    lagoon: DestinationRow,
    customers: list[PersonRow],
    clock: FakeClock,
) -> None:
    """Changes race like creates: each locks only its own row, the constraint decides."""
    for round_no in range(ROUNDS):
        base = clock.today() + timedelta(days=10 + 60 * round_no)
        movers = 8
        bookings = [
            office.bookings.create(
                agent,
                NewBooking(
                    customers[n].id,
                    lagoon.id,
                    base + timedelta(days=2 * n),
                    base + timedelta(days=2 * n + 1),
                    1,
                ),
            )
            for n in range(movers)
        ]
        target = base + timedelta(days=40)

        def move(b: BookingRow, n: int, target: date = target) -> BookingRow:
            start = target + timedelta(days=n % 3)
            return office.bookings.change_stay(
                agent, b.id, b.version, StayChange(start, start + timedelta(days=5), 2, None)
            )

        outcomes = all_at_once([lambda b=b, n=n: move(b, n) for n, b in enumerate(bookings)])

        winners = [o.value for o in outcomes if o.error is None]
        assert len(winners) == 1, describe(outcomes)
        losers = [o.error for o in outcomes if o.error is not None]
        assert all(type(e) is Conflict for e in losers), describe(outcomes)
        assert all(f"booking #{winners[0].id} " in str(e) for e in losers), describe(outcomes)
        for b in bookings:  # every loser still holds its old dates
            if b.id != winners[0].id:
                assert office.bookings.get(agent, b.id) == b

    assert overlapping_active_pairs(engine) == []


def waiting_on_a_transaction(engine: Engine) -> int:
    """How many sessions of this database are blocked waiting for another transaction."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event = 'transactionid'"
                )
            ).scalar_one()
        )


@pytest.mark.slow
@pytest.mark.parametrize("save", ["create", "change_stay"])
def test_saves_released_together_by_an_abandoned_save_end_in_a_named_conflict(
    office: BackOffice,
    engine: Engine,
    agent: Actor,
    lagoon: DestinationRow,
    customers: list[PersonRow],
    clock: FakeClock,
    save: str,
) -> None:
    """Two saves that waited on a third which then gave up must not deadlock each other.

    Both have put their stay into the exclusion constraint's index while waiting;
    when the third rolls back, each rechecks and finds the other. PostgreSQL then
    aborts one with a deadlock instead of the constraint violation; the clerk must
    still see which booking has the dates, not "the connection was lost".
    """
    start = clock.today() + timedelta(days=20)
    stays = [(start + timedelta(days=n), start + timedelta(days=6)) for n in (1, 2)]
    if save == "create":
        calls = [
            partial(office.bookings.create, agent, NewBooking(c.id, lagoon.id, s, e, 1))
            for c, (s, e) in zip(customers[1:3], stays, strict=True)
        ]
    else:  # two bookings elsewhere in the calendar, moved onto the contested dates
        calls = []
        for n, (s, e) in enumerate(stays):
            away = start + timedelta(days=40 + 10 * n)
            moving = office.bookings.create(
                agent, NewBooking(customers[n + 1].id, lagoon.id, away, away + timedelta(days=3), 1)
            )
            change = StayChange(s, e, 1, None)
            calls.append(
                partial(office.bookings.change_stay, agent, moving.id, moving.version, change)
            )
    with engine.connect() as abandoned:
        abandoned.execute(
            text(
                "INSERT INTO bookings (user_id, destination_id, start_date, end_date, guests,"
                " total_price) VALUES (:u, :d, :s, :e, 1, 1)"
            ),
            {"u": customers[0].id, "d": lagoon.id, "s": start, "e": start + timedelta(days=6)},
        )
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(call) for call in calls]
            for _ in range(600):
                if waiting_on_a_transaction(engine) == 2:
                    break
                threading.Event().wait(0.05)
            assert waiting_on_a_transaction(engine) == 2
            abandoned.rollback()
            outcomes = []
            for future in futures:
                try:
                    outcomes.append(Outcome(value=future.result(timeout=60)))
                except Exception as exc:  # every outcome, whatever its type, is judged below
                    outcomes.append(Outcome(error=exc))

    winners = [o.value for o in outcomes if o.error is None]
    assert len(winners) == 1, describe(outcomes)
    loser = next(o.error for o in outcomes if o.error is not None)
    assert type(loser) is Conflict, describe(outcomes)
    assert f"booking #{winners[0].id} " in str(loser), describe(outcomes)
    assert overlapping_active_pairs(engine) == []
