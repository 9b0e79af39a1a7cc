"""Reference data: cached while every change notice is heard, never older than the last one."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, event

from desktop.bootstrap import BackOffice
from desktop.domain.changes import Change
from desktop.domain.permissions import Actor
from desktop.services.destinations import DestinationDraft
from tests.factories import server_today
from tests.services.conftest import FakeClock, destination_draft


class Statements:
    def __init__(self, engine: Engine) -> None:
        self.sent: list[str] = []
        event.listen(engine, "before_cursor_execute", self._record)
        self._engine = engine

    def _record(self, *args: object) -> None:
        sql = str(args[2])
        if "FROM destinations" in sql:
            self.sent.append(sql)

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)


@pytest.fixture
def reads(engine: Engine) -> Iterator[Statements]:
    statements = Statements(engine)
    yield statements
    statements.close()


@pytest.fixture
def heard(office: BackOffice) -> Iterator[queue.Queue[Change]]:
    """The office's own listener, as the window runs it: changes in this queue once heard."""
    changes: queue.Queue[Change] = queue.Queue()
    states: queue.Queue[bool] = queue.Queue()
    listener = office.listen(changes.put, states.put)
    listener.start()
    assert states.get(timeout=10) is True
    yield changes
    listener.stop()


def _price_of(office: BackOffice, actor: Actor, name: str) -> Decimal:
    return next(d.price for d in office.reference.destinations(actor) if d.name == name)


def _draft(price: str) -> DestinationDraft:
    return destination_draft(name="Lagoon Villas", price=Decimal(price))


def _wait_for(heard: queue.Queue[Change], table: str, op: str) -> None:
    while True:
        change = heard.get(timeout=5)
        if (change.table, change.op) == (table, op):
            return


def test_pickers_read_once_while_listening(
    office: BackOffice, admin: Actor, agent: Actor, reads: Statements, heard: queue.Queue[Change]
) -> None:
    office.destinations.create(admin, _draft("1200.00"))
    _wait_for(heard, "destinations", "INSERT")
    reads.sent.clear()
    office.reference.destinations(agent)
    office.reference.destinations(agent)
    office.reference.destinations(agent)
    assert len(reads.sent) == 1


def test_a_price_change_elsewhere_is_never_served_stale(
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    heard: queue.Queue[Change],
) -> None:
    made = office.destinations.create(admin, _draft("1200.00"))
    assert _price_of(office, agent, "Lagoon Villas") == Decimal("1200.00")
    office.destinations.update(admin, made.id, made.version, _draft("1350.00"))
    _wait_for(heard, "destinations", "UPDATE")  # the audit row's notice may come first
    assert _price_of(office, agent, "Lagoon Villas") == Decimal("1350.00")


def test_a_load_that_spans_a_change_is_not_kept(
    office: BackOffice, admin: Actor, agent: Actor, reads: Statements, heard: queue.Queue[Change]
) -> None:
    office.destinations.create(admin, _draft("1200.00"))
    _wait_for(heard, "destinations", "INSERT")
    original = office.reference._load_destinations

    def load_while_someone_saves() -> list[object]:
        rows = original()
        office.reference.invalidate(Change("destinations", "UPDATE", id=1))
        return rows  # type: ignore[return-value]

    reads.sent.clear()
    office.reference._load_destinations = load_while_someone_saves  # type: ignore[method-assign]
    office.reference.destinations(agent)
    office.reference._load_destinations = original  # type: ignore[method-assign]
    office.reference.destinations(agent)
    assert len(reads.sent) == 2, "the first answer may be older than the change: read again"


def test_nothing_is_cached_while_the_listener_is_away(
    office: BackOffice, admin: Actor, agent: Actor, reads: Statements
) -> None:
    office.destinations.create(admin, _draft("1200.00"))
    office.reference.listening(False)
    reads.sent.clear()
    office.reference.destinations(agent)
    office.reference.destinations(agent)
    assert len(reads.sent) == 2


def test_entries_expire(
    office: BackOffice, admin: Actor, agent: Actor, reads: Statements, heard: queue.Queue[Change]
) -> None:
    office.destinations.create(admin, _draft("1200.00"))
    _wait_for(heard, "destinations", "INSERT")
    now = [1000.0]
    office.reference._monotonic = lambda: now[0]
    office.reference.ttl_s = 60
    reads.sent.clear()
    office.reference.destinations(agent)
    now[0] += 59
    office.reference.destinations(agent)
    now[0] += 2
    office.reference.destinations(agent)
    assert len(reads.sent) == 2


# -- the server's clock --------------------------------------------------------------


def test_the_server_time_is_the_servers_whatever_the_workstation_clock_says(
    engine: Engine, office: BackOffice, agent: Actor, clock: FakeClock
) -> None:
    clock.advance(days=3)  # this workstation runs three days fast
    before = datetime.now(UTC)
    told = office.reference.server_time(agent)
    after = datetime.now(UTC)
    assert told.today == server_today(engine)
    assert told.now.tzinfo is not None
    assert before - timedelta(seconds=5) <= told.now <= after + timedelta(seconds=5)
    assert told.today != clock.today()
