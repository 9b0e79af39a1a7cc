"""The pool under many users: the design's limits hold, connections come back, nothing stays open.

Forty threads share one engine, as a busy workstation's background work
would, and the server, not the pool's own bookkeeping, is asked what it saw:
``pg_stat_activity`` rows with the application's ``application_name`` in this
test's database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

from desktop.bootstrap import BackOffice, build
from desktop.domain.enums import Role
from desktop.domain.listing import BookingFilter, PageRequest, PersonFilter, Sort
from desktop.domain.permissions import Actor
from desktop.services.passwords import Passwords
from desktop.services.people import PersonDetails
from desktop.version import __version__
from tests.services.conftest import FAST_HASHING, PASSWORD, TEST_AUDIT, FakeClock

APP = f"exotic-travel {__version__}"  # build_engine's application_name
THREADS = 40
MAX_CONNECTIONS = 25  # the design's per-process limits (PoolSettings' defaults)
IDLE_CONNECTIONS = 5


@dataclass
class Sessions:
    """What the server reports about the application's connections, sampled in a loop."""

    peak: int = 0
    states: set[str] = field(default_factory=set)
    samples: int = 0


class Watcher:
    """Polls ``pg_stat_activity`` from a connection of its own (not the application's)."""

    def __init__(self, database_url: URL) -> None:
        self._engine = create_engine(
            database_url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={"application_name": "exotic-tests watcher"},
        )

    def sessions(self) -> list[tuple[str, bool]]:
        """(state, in a transaction) of each of the application's connections."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT coalesce(state, ''), xact_start IS NOT NULL FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = :app"
                ),
                {"app": APP},
            ).all()
        return [(str(state), bool(in_xact)) for state, in_xact in rows]

    def settled_sessions(self, most: int, timeout: float = 5.0) -> list[tuple[str, bool]]:
        """The sessions once at most ``most`` remain (a closed backend leaves asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.sessions()
            if len(found) <= most or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def sample_while(self, busy: threading.Event) -> Iterator[Sessions]:
        """Sample until ``busy`` is cleared; yields the summary once, at the end."""
        seen = Sessions()
        with self._engine.connect() as conn:
            query = text(
                "SELECT coalesce(state, '') FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = :app"
            )
            while busy.is_set():
                states = conn.execute(query, {"app": APP}).scalars().all()
                seen.peak = max(seen.peak, len(states))
                seen.states.update(states)
                seen.samples += 1
        yield seen

    def close(self) -> None:
        self._engine.dispose()


@pytest.fixture
def office(engine: Engine) -> BackOffice:
    return build(engine, passwords=Passwords(FAST_HASHING), clock=FakeClock(), audit=TEST_AUDIT)


@pytest.fixture
def agent(office: BackOffice) -> Actor:
    admin = office.auth.create_first_admin("Ada Admin", "ada@office.example", PASSWORD)
    person = office.staff.create(
        admin, PersonDetails("Alex Agent", "alex@office.example"), Role.AGENT, PASSWORD
    )
    return Actor(id=person.id, name=person.name, email=person.email, role=person.role)


@pytest.fixture
def watcher(database_url: URL) -> Iterator[Watcher]:
    w = Watcher(database_url)
    yield w
    w.close()


def _burst(
    watcher: Watcher, work: Callable[[int], None], threads: int = THREADS
) -> tuple[Sessions, list[BaseException]]:
    """Run ``work(n)`` on ``threads`` threads released together; the server's view meanwhile."""
    start = threading.Barrier(threads + 1)
    busy = threading.Event()
    busy.set()
    failures: list[BaseException] = []
    summary: list[Sessions] = []

    def sample() -> None:
        summary.extend(watcher.sample_while(busy))

    def run(n: int) -> None:
        start.wait()
        try:
            work(n)
        except BaseException as exc:  # the test reports every failure, not only the first
            failures.append(exc)

    sampler = threading.Thread(target=sample, name="pool-watcher")
    sampler.start()
    workers = [threading.Thread(target=run, args=(n,), name=f"worker-{n}") for n in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    for worker in workers:
        worker.join(120)
    busy.clear()
    sampler.join(10)
    assert not any(w.is_alive() for w in workers), "a worker never finished"
    return summary[0], failures


def _peak_checked_out(engine: Engine) -> Callable[[], int]:
    """The most connections the pool ever had out at once, from now on."""
    peak = [0]
    lock = threading.Lock()

    @event.listens_for(engine, "checkout")
    def _out(*_args: object) -> None:
        with lock:
            peak[0] = max(peak[0], engine.pool.checkedout())  # type: ignore[attr-defined]

    return lambda: peak[0]


def test_forty_threads_never_hold_more_than_twenty_five_connections(
    office: BackOffice, agent: Actor, watcher: Watcher
) -> None:
    engine = office.engine
    peak_out = _peak_checked_out(engine)

    def work(n: int) -> None:
        for round_ in range(4):
            office.bookings.page(agent, BookingFilter(), PageRequest(Sort("id"), None, 50))
            office.customers.count(agent, PersonFilter())
            office.customers.create(
                agent, PersonDetails(f"Guest {n}-{round_}", f"guest{n}.{round_}@example.com")
            )
            with engine.connect() as conn:  # a slow report: holds its connection a while
                conn.execute(text("SELECT pg_sleep(0.2)"))

    seen, failures = _burst(watcher, work)

    assert failures == [], "every worker got a connection in time (the others waited)"
    assert peak_out() == MAX_CONNECTIONS, "the load did reach the pool's limit"
    assert seen.samples > 10
    assert 0 < seen.peak <= MAX_CONNECTIONS, f"the server saw {seen.peak} connections"
    total = office.customers.count(agent, PersonFilter()).value
    assert total == THREADS * 4


def test_after_a_burst_connections_are_back_and_no_transaction_is_left_open(
    office: BackOffice, agent: Actor, watcher: Watcher
) -> None:
    engine = office.engine

    def work(n: int) -> None:
        for round_ in range(3):
            office.customers.create(
                agent, PersonDetails(f"Guest {n}-{round_}", f"guest{n}.{round_}@example.com")
            )
            office.bookings.count(agent, BookingFilter())
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_sleep(0.05)"))

    _seen, failures = _burst(watcher, work)
    assert failures == []

    assert engine.pool.checkedout() == 0, "every connection went back to the pool"  # type: ignore[attr-defined]
    assert engine.pool.checkedin() <= IDLE_CONNECTIONS  # type: ignore[attr-defined]
    left = watcher.settled_sessions(IDLE_CONNECTIONS)
    assert 0 < len(left) <= IDLE_CONNECTIONS, f"{len(left)} connections stayed open on the server"
    assert all(state == "idle" and not in_xact for state, in_xact in left), left


def test_reads_never_leave_a_transaction_open(
    office: BackOffice, agent: Actor, watcher: Watcher
) -> None:
    for n in range(30):
        office.customers.create(agent, PersonDetails(f"Guest {n}", f"guest{n}@example.com"))

    def work(_n: int) -> None:
        for _ in range(15):
            office.customers.page(agent, PersonFilter(), PageRequest(Sort("name"), None, 20))
            office.customers.count(agent, PersonFilter(text="guest"))
            office.bookings.page(agent, BookingFilter(), PageRequest(Sort("id"), None, 20))

    seen, failures = _burst(watcher, work, threads=12)

    assert failures == []
    assert seen.samples > 10
    assert "active" in seen.states or "idle" in seen.states
    assert "idle in transaction" not in seen.states, (
        "a read held a transaction open between its statements"
    )
    left = watcher.settled_sessions(IDLE_CONNECTIONS)
    assert all(state == "idle" and not in_xact for state, in_xact in left), left
