"""The repositories against hand-written SQL through psycopg, at 10k, 100k and 1M bookings.

    python benchmarks/bench_repositories.py                  # every size, own cluster
    python benchmarks/bench_repositories.py --sizes 10k --quick
    python benchmarks/bench_repositories.py --database-url postgresql+psycopg://u:p@host/postgres

For each size a fresh database is created, migrated to head and filled by
``generate.py``. Every scenario then runs through our repositories (one unit of
work per call, as the services run them) and as the same query written by hand
and run through psycopg, alternately, after a warm-up; the table gives the
median and the 95th percentile of each and the ratio of the medians
(repository / raw), so the repositories' overhead shows whatever the machine.
Both sides must return the same rows; the script stops if they do not.

Booking creation runs 8 client processes (8 workstations) at once, each
creating bookings in bursts through ``BookingService.create``, through the same
statements in one hand-written transaction (request-token look-up, lock
timeout, destination share-locked, customer, insert in a savepoint, audit row,
the new booking read back), and, for reference, through a bare INSERT:
throughput and latency. The script warns when the service's statements no
longer match the hand-written ones.

Without ``--database-url`` the script starts its own PostgreSQL cluster (the
embedded server) in a fresh temporary folder and deletes it at the end. With
it, the URL names a server where the user may create databases (the database in
the URL is only used to connect); every benchmark database is dropped at the end
unless ``--keep``.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import generate
import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import URL, create_engine, event, make_url, text
from sqlalchemy.pool import NullPool

from desktop.bootstrap import build
from desktop.db import migrate
from desktop.db.engine import build_engine
from desktop.db.uow import reading_factory
from desktop.domain.bookings import total_price
from desktop.domain.enums import BookingStatus, Role
from desktop.domain.listing import (
    DEFAULT_PAGE_SIZE,
    BookingFilter,
    Cursor,
    DestinationFilter,
    PageRequest,
    PersonFilter,
    Sort,
)
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking
from desktop.services.context import AuditContext, jsonable

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
# The benchmark cluster: the defaults, with memory and WAL sized for a 1M-booking load.
# fsync and synchronous_commit stay on: booking creation pays for durable commits.
SERVER_SETTINGS = {
    "shared_buffers": "1GB",
    "effective_cache_size": "4GB",
    "maintenance_work_mem": "512MB",
    "work_mem": "16MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "max_connections": "100",
}
PAGE = DEFAULT_PAGE_SIZE
DEEP_FROM_END = 250  # the deep page's cursor: this many rows before the end of the list
CLIENTS = 8
BENCH_AUDIT = AuditContext(ip_address="10.20.30.40", user_agent="ExoticTravelBackOffice/bench")
DESTINATION_SEARCH = "snorkel reef"  # full-text: two words, as a clerk types them
CUSTOMER_SEARCHES = ("kowal", "ann")  # part of a surname; a common fragment of names


@dataclass(frozen=True)
class Settings:
    repetitions: int
    warmup: int
    bursts: int  # booking creation: bursts per mode
    creates_per_burst: int  # per client

    @classmethod
    def full(cls) -> Settings:
        return cls(repetitions=50, warmup=5, bursts=4, creates_per_burst=15)

    @classmethod
    def quick(cls) -> Settings:
        return cls(repetitions=12, warmup=2, bursts=2, creates_per_burst=5)


@dataclass(frozen=True)
class Result:
    scenario: str
    size: str
    unit: str
    repo: tuple[float, float]  # median, p95 (for a rate: the rate twice)
    raw: tuple[float, float]
    higher_is_better: bool = False
    # Median CPU time of this process per call (repo, raw): the client's own work, which
    # other load on the machine disturbs far less than the wall-clock time.
    cpu: tuple[float, float] | None = None

    @property
    def ratio(self) -> float:
        """Repository cost over raw cost (above 1: the repository is slower)."""
        if self.higher_is_better:
            return self.raw[0] / self.repo[0]
        return self.repo[0] / self.raw[0]


def _p95(samples: Sequence[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def _summary(samples: Sequence[float]) -> tuple[float, float]:
    return statistics.median(samples), _p95(samples)


# -- raw SQL, written by hand -------------------------------------------------

BOOKING_COLUMNS = """
    b.id, b.user_id, u.name AS customer_name, u.email AS customer_email, b.destination_id,
    d.name AS destination_name, b.start_date, b.end_date, b.guests, b.total_price, b.status,
    b.payment_status, b.payment_intent_id, b.special_requests, b.cancellation_reason,
    b.cancelled_at, b.created_at, b.updated_at, b.xmin::text AS version
"""
BOOKINGS_FROM = """
    bookings b JOIN users u ON u.id = b.user_id JOIN destinations d ON d.id = b.destination_id
"""
DESTINATION_COLUMNS = """
    d.*, md5(CAST((d.name, d.description, d.country, d.city, d.price, d.duration,
                   d.max_guests, d.images, d.features, d.active) AS text)) AS version
"""
PERSON_COLUMNS = (
    "id, name, email, phone, role, email_verified, created_at, updated_at, xmin::text AS version"
)
DOCUMENT = "to_tsvector('english'::regconfig, (d.name::text || ' '::text) || d.description)"


def _keyset_sql(
    select_from: str,
    column: str,
    id_column: str,
    *,
    descending: bool,
    where: Sequence[str] = (),
    after: bool = False,
) -> str:
    """A page as one writes it by hand: ``ORDER BY column, id`` after the cursor, PAGE + 1 rows."""
    conditions = list(where)
    if after:
        op, strict = ("<=", "<") if descending else (">=", ">")
        conditions.append(
            f"{column} {op} %(value)s AND ({column} {strict} %(value)s "
            f"OR {id_column} {strict} %(id)s)"
        )
    direction = "DESC" if descending else "ASC"
    where_sql = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return (
        f"SELECT {select_from}{where_sql} "
        f"ORDER BY {column} {direction}, {id_column} {direction} LIMIT {PAGE + 1}"
    )


# -- scenarios ------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    repo: Callable[[], list[int]]  # each returns the ids of the page's rows
    raw: Callable[[], list[int]]


class Bench:
    """The scenarios of one database: repositories on one side, psycopg on the other."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self.engine = build_engine(url)  # the application's pool, pre-ping and all
        self.units_of_work = reading_factory(self.engine)  # as the services read
        self.raw = generate.connect(url)

    def close(self) -> None:
        self.raw.close()
        self.engine.dispose()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.raw.cursor() as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
        self.raw.rollback()
        return row[0] if row is not None else None

    def row(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
        with self.raw.cursor() as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
        self.raw.rollback()
        assert row is not None, sql
        return tuple(row)

    def raw_page(self, sql: str, params: dict[str, Any]) -> Callable[[], list[int]]:
        def run() -> list[int]:
            with self.raw.cursor() as cur:
                cur.execute(sql, params)
                rows = cur.fetchall()
            self.raw.rollback()
            return [r[0] for r in rows[:PAGE]]

        return run

    # the scenarios ------------------------------------------------------------

    def scenarios(self) -> list[Scenario]:
        bookings = int(self.scalar("SELECT count(*) FROM bookings"))
        sorts = (
            ("created_at", "b.created_at", True),  # the list's default
            ("start_date", "b.start_date", False),
            ("customer_name", "u.name", False),
        )
        found: list[Scenario] = []
        for column, expr, desc in sorts:
            sort = Sort(column, descending=desc)
            first_sql = _keyset_sql(
                f"{BOOKING_COLUMNS} FROM {BOOKINGS_FROM}", expr, "b.id", descending=desc
            )
            found.append(
                Scenario(
                    f"bookings, first page, {column} {'desc' if desc else 'asc'}",
                    self._bookings(BookingFilter(), PageRequest(sort)),
                    self.raw_page(first_sql, {}),
                )
            )
            direction = "DESC" if desc else "ASC"
            value, ident = self.row(
                f"SELECT {expr}, b.id FROM {BOOKINGS_FROM} "
                f"ORDER BY {expr} {direction}, b.id {direction} OFFSET %s LIMIT 1",
                (max(0, bookings - DEEP_FROM_END),),
            )
            deep_sql = _keyset_sql(
                f"{BOOKING_COLUMNS} FROM {BOOKINGS_FROM}",
                expr,
                "b.id",
                descending=desc,
                after=True,
            )
            found.append(
                Scenario(
                    f"bookings, deep page, {column} {'desc' if desc else 'asc'}",
                    self._bookings(BookingFilter(), PageRequest(sort, Cursor(value, ident))),
                    self.raw_page(deep_sql, {"value": value, "id": ident}),
                )
            )
        destination = int(
            self.scalar(
                "SELECT destination_id FROM bookings WHERE status = 'confirmed' "
                "GROUP BY destination_id ORDER BY count(*) DESC, destination_id LIMIT 1"
            )
        )
        filtered_sql = _keyset_sql(
            f"{BOOKING_COLUMNS} FROM {BOOKINGS_FROM}",
            "b.created_at",
            "b.id",
            descending=True,
            where=("b.status = 'confirmed'", "b.destination_id = %(destination)s"),
        )
        found.append(
            Scenario(
                "bookings, filtered: confirmed, 1 destination",
                self._bookings(
                    BookingFilter(
                        statuses=frozenset({BookingStatus.CONFIRMED}), destination_id=destination
                    ),
                    PageRequest(Sort("created_at", descending=True)),
                ),
                self.raw_page(filtered_sql, {"destination": destination}),
            )
        )
        search_sql = _keyset_sql(
            f"{DESTINATION_COLUMNS} FROM destinations d",
            "d.name",
            "d.id",
            descending=False,
            where=(f"{DOCUMENT} @@ websearch_to_tsquery('english'::regconfig, %(words)s)",),
        )
        found.append(
            Scenario(
                f"destinations, full text '{DESTINATION_SEARCH}'",
                self._destinations(DestinationFilter(text=DESTINATION_SEARCH)),
                self.raw_page(search_sql, {"words": DESTINATION_SEARCH}),
            )
        )
        # As the repository sends it for 3 characters or more: the filter fenced
        # (OFFSET 0) so the trigram indexes find the matches before they are sorted.
        people_sql = (
            f"SELECT * FROM (SELECT {PERSON_COLUMNS} FROM users WHERE role IN ('user') AND "
            "(name ILIKE %(pattern)s OR email ILIKE %(pattern)s OR phone ILIKE %(pattern)s) "
            f"OFFSET 0) s ORDER BY name ASC, id ASC LIMIT {PAGE + 1}"
        )
        for words in CUSTOMER_SEARCHES:
            found.append(
                Scenario(
                    f"customers, search '{words}'",
                    self._people(PersonFilter(roles=frozenset({Role.USER}), text=words)),
                    self.raw_page(people_sql, {"pattern": f"%{words}%"}),
                )
            )
        return found

    def _bookings(self, f: BookingFilter, request: PageRequest) -> Callable[[], list[int]]:
        def run() -> list[int]:
            with self.units_of_work() as uow:
                return [b.id for b in uow.bookings.page(f, request).rows]

        return run

    def _destinations(self, f: DestinationFilter) -> Callable[[], list[int]]:
        request = PageRequest(Sort("name"))

        def run() -> list[int]:
            with self.units_of_work() as uow:
                return [d.id for d in uow.destinations.page(f, request).rows]

        return run

    def _people(self, f: PersonFilter) -> Callable[[], list[int]]:
        request = PageRequest(Sort("name"))

        def run() -> list[int]:
            with self.units_of_work() as uow:
                return [p.id for p in uow.people.page(f, request).rows]

        return run

    # measuring ----------------------------------------------------------------

    def measure(self, scenario: Scenario, settings: Settings, size: str) -> Result:
        """Milliseconds per call of each side, alternating which goes first."""
        repo_ids, raw_ids = scenario.repo(), scenario.raw()
        if repo_ids != raw_ids:
            raise SystemExit(
                f"{scenario.name}: the repository and the raw SQL disagree "
                f"(first ids {repo_ids[:5]} and {raw_ids[:5]}); fix the benchmark's SQL."
            )
        if not repo_ids:
            print(f"  note: {scenario.name} returns no rows", file=sys.stderr)
        for _ in range(settings.warmup):
            scenario.repo()
            scenario.raw()
        repo_ms: list[float] = []
        raw_ms: list[float] = []
        repo_cpu: list[float] = []
        raw_cpu: list[float] = []
        sides = ((scenario.repo, repo_ms, repo_cpu), (scenario.raw, raw_ms, raw_cpu))
        for k in range(settings.repetitions):
            for run, wall, cpu in sides if k % 2 == 0 else sides[::-1]:
                cpu_began, began = time.process_time(), time.perf_counter()
                run()
                wall.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - cpu_began) * 1000)
        return Result(
            scenario.name,
            size,
            "ms",
            _summary(repo_ms),
            _summary(raw_ms),
            cpu=(statistics.median(repo_cpu), statistics.median(raw_cpu)),
        )

    def explain(self, scenario: Scenario) -> None:
        """The plans of the statements the repository sends for the scenario."""
        statements: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
            statements.append((statement, params))

        event.listen(self.engine, "before_cursor_execute", capture)
        try:
            scenario.repo()
        finally:
            event.remove(self.engine, "before_cursor_execute", capture)
        print(f"\n-- {scenario.name}")
        with self.raw.cursor() as cur:
            for statement, params in statements:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                print(statement.strip(), params, sep="\n")
                cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params)
                print("\n".join(f"   {r[0]}" for r in cur.fetchall()))
        self.raw.rollback()


# -- booking creation with concurrent clients ---------------------------------


@dataclass(frozen=True)
class Stay:
    destination_id: int
    customer_id: int
    start: date
    nights: int
    price: Decimal  # per person (for the bare INSERT, which reads nothing)


def _create_through_service(office: Any, actor: Actor, stay: Stay) -> int:
    booking = office.bookings.create(
        actor,
        NewBooking(
            customer_id=stay.customer_id,
            destination_id=stay.destination_id,
            start_date=stay.start,
            end_date=stay.start + timedelta(days=stay.nights),
            guests=1,
            request_token=uuid.uuid4(),
        ),
    )
    return int(booking.id)


RAW_CREATE = {
    "earlier": f"SELECT {BOOKING_COLUMNS} FROM {BOOKINGS_FROM} WHERE b.request_token = %s",
    "lock_timeout": "SET LOCAL lock_timeout = '5s'",
    "destination": f"SELECT {DESTINATION_COLUMNS} FROM destinations d WHERE d.id = %s FOR SHARE",
    "customer": f"SELECT {PERSON_COLUMNS} FROM users WHERE id = %s",
    # "Today" is the server's: the stay's rules are judged by it (issue 10).
    "server_clock": "SELECT now(), current_date",
    "insert": """
        INSERT INTO bookings (user_id, destination_id, start_date, end_date, guests,
            total_price, special_requests, status, payment_status, request_token)
        VALUES (%s, %s, %s, %s, %s, %s, NULL, 'pending', 'pending', %s) RETURNING id
    """,
    "audit": """
        INSERT INTO audit_logs (user_id, action, resource_type, resource_id, old_values,
            new_values, ip_address, user_agent)
        VALUES (%s, 'booking.create', 'booking', %s, NULL, %s, %s, %s) RETURNING id
    """,
    "read_back": f"SELECT {BOOKING_COLUMNS} FROM {BOOKINGS_FROM} WHERE b.id = %s",
}


def _create_raw(conn: psycopg.Connection[Any], actor: Actor, stay: Stay) -> int:
    """What ``BookingService.create`` sends, as one hand-written transaction."""
    token = uuid.uuid4()
    end = stay.start + timedelta(days=stay.nights)
    with conn.cursor() as cur:
        cur.execute(RAW_CREATE["earlier"], (token,))
        cur.fetchone()
        cur.execute(RAW_CREATE["lock_timeout"])
        cur.execute(RAW_CREATE["destination"], (stay.destination_id,))
        destination = cur.fetchone()
        cur.execute(RAW_CREATE["customer"], (stay.customer_id,))
        customer = cur.fetchone()
        cur.execute(RAW_CREATE["server_clock"])
        cur.fetchone()
        assert destination is not None
        assert customer is not None
        price: Decimal = total_price(destination[5], 1)
        cur.execute("SAVEPOINT create_booking")
        cur.execute(
            RAW_CREATE["insert"],
            (stay.customer_id, stay.destination_id, stay.start, end, 1, price, token),
        )
        row = cur.fetchone()
        assert row is not None
        booking_id = int(row[0])
        cur.execute("RELEASE SAVEPOINT create_booking")
        new_values = {
            "user_id": stay.customer_id,
            "destination_id": stay.destination_id,
            "start_date": stay.start,
            "end_date": end,
            "guests": 1,
            "total_price": price,
            "special_requests": None,
            "status": "pending",
            "payment_status": "pending",
        }
        cur.execute(
            RAW_CREATE["audit"],
            (
                actor.id,
                booking_id,
                Jsonb({k: jsonable(v) for k, v in new_values.items()}),
                BENCH_AUDIT.ip_address,
                BENCH_AUDIT.user_agent,
            ),
        )
        cur.execute(RAW_CREATE["read_back"], (booking_id,))
        cur.fetchone()
    conn.commit()
    return booking_id


# The statements _create_raw sends, by their first word: the service must send the same.
RAW_CREATE_KINDS = ("SELECT", "SET", "SELECT", "SELECT", "SELECT", "SAVEPOINT", "INSERT", "RELEASE")
RAW_CREATE_KINDS += ("INSERT", "SELECT")


def _check_same_statements(bench: Bench, actor: Actor, stay: Stay) -> None:
    """Warn when the service no longer sends what ``_create_raw`` mirrors."""
    kinds: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        kinds.append(statement.split(None, 1)[0].upper())

    office = build(bench.engine, audit=BENCH_AUDIT)
    event.listen(bench.engine, "before_cursor_execute", capture)
    try:
        _create_through_service(office, actor, stay)
    finally:
        event.remove(bench.engine, "before_cursor_execute", capture)
    if tuple(kinds) != RAW_CREATE_KINDS:
        print(
            "  warning: BookingService.create now sends "
            f"{' '.join(kinds)}; the raw side sends {' '.join(RAW_CREATE_KINDS)}. "
            "Update RAW_CREATE and _create_raw so they compare like with like.",
            file=sys.stderr,
        )


def _insert_only(conn: psycopg.Connection[Any], stay: Stay) -> int:
    """The reference: one INSERT and its commit, nothing read, nothing audited."""
    end = stay.start + timedelta(days=stay.nights)
    with conn.cursor() as cur:
        cur.execute(
            RAW_CREATE["insert"],
            (
                stay.customer_id,
                stay.destination_id,
                stay.start,
                end,
                1,
                total_price(stay.price, 1),
                uuid.uuid4(),
            ),
        )
        row = cur.fetchone()
    conn.commit()
    assert row is not None
    return int(row[0])


def _creation_client(
    url: str,
    actor: Actor,
    commands: Any,
    results: Any,
    barrier: Any,
) -> None:
    """One workstation: creates the bookings it is sent, through the service or raw SQL."""
    database = make_url(url)
    engine = build_engine(database)
    office = build(engine, audit=BENCH_AUDIT)
    conn = generate.connect(database)
    try:
        while (command := commands.get()) is not None:
            mode, stays = command
            create: Callable[[Stay], int]
            if mode == "repo":
                create = lambda stay: _create_through_service(office, actor, stay)  # noqa: E731
            elif mode == "raw":
                create = lambda stay: _create_raw(conn, actor, stay)  # noqa: E731
            else:
                create = lambda stay: _insert_only(conn, stay)  # noqa: E731
            barrier.wait()
            began = time.monotonic()
            latencies: list[float] = []
            cpu: list[float] = []
            for stay in stays:
                cpu_began, t = time.process_time(), time.perf_counter()
                create(stay)
                latencies.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - cpu_began) * 1000)
            results.put((mode, began, time.monotonic(), latencies, cpu))
    finally:
        conn.close()
        engine.dispose()


def _stays_for(bench: Bench, size: str) -> Callable[[int], list[Stay]]:
    """A source of stays that never overlap, whichever client creates them."""
    with bench.raw.cursor() as cur:
        cur.execute("SELECT id, price FROM destinations WHERE active ORDER BY id")
        destinations = cur.fetchall()
        cur.execute("SELECT id FROM users WHERE role = 'user' ORDER BY id")
        customers = [r[0] for r in cur.fetchall()]
    last = bench.scalar("SELECT max(end_date) FROM bookings") or date.today()
    # After every generated stay and after today; one destination after another,
    # 7 nights in 8-day slots.
    first_day = max(last, date.today()) + timedelta(days=30)
    rng = random.Random(f"create:{size}")
    counter = 0

    def next_stays(n: int) -> list[Stay]:
        nonlocal counter
        stays = []
        for _ in range(n):
            slot, k = divmod(counter, len(destinations))
            counter += 1
            start = first_day + timedelta(days=8 * slot)
            ident, price = destinations[k]
            stays.append(Stay(ident, rng.choice(customers), start, 7, price))
        return stays

    return next_stays


# began, ended (monotonic seconds), latencies and client CPU per booking (ms)
Burst = tuple[float, float, list[float], list[float]]


def _run_clients(
    url: URL, actor: Actor, next_stays: Callable[[int], list[Stay]], settings: Settings
) -> dict[str, list[Burst]]:
    """CLIENTS processes create bookings in bursts, repository and raw alternately."""
    ctx = multiprocessing.get_context("spawn")
    commands = [ctx.Queue() for _ in range(CLIENTS)]
    results = ctx.Queue()
    barrier = ctx.Barrier(CLIENTS)
    address = url.render_as_string(hide_password=False)
    clients = [
        ctx.Process(
            target=_creation_client,
            args=(address, actor, queue, results, barrier),
            daemon=True,
        )
        for queue in commands
    ]
    for client in clients:
        client.start()
    modes = ("repo", "raw", "insert")
    collected: dict[str, list[Burst]] = {mode: [] for mode in modes}
    warmup = [modes]
    # Each burst runs every mode once, in an order that rotates from burst to burst.
    plan = [modes[b % 3 :] + modes[: b % 3] for b in range(settings.bursts)]
    try:
        for burst, modes in enumerate(warmup + plan):
            for mode in modes:
                for queue in commands:
                    queue.put((mode, next_stays(settings.creates_per_burst)))
                done = [results.get(timeout=600) for _ in clients]
                if burst >= len(warmup):
                    collected[mode].append(
                        (
                            min(r[1] for r in done),
                            max(r[2] for r in done),
                            [ms for r in done for ms in r[3]],
                            [ms for r in done for ms in r[4]],
                        )
                    )
    finally:
        for queue in commands:
            queue.put(None)
        for client in clients:
            client.join(timeout=60)
            if client.is_alive():
                client.terminate()
    return collected


def bench_creation(url: URL, bench: Bench, settings: Settings, size: str) -> list[Result]:
    """Bookings created by CLIENTS processes at once: latency and throughput, repo and raw."""
    agent = bench.row("SELECT id, name, email FROM users WHERE role = 'agent' ORDER BY id LIMIT 1")
    actor = Actor(id=agent[0], name=agent[1], email=agent[2], role=Role.AGENT)
    next_stays = _stays_for(bench, size)
    _check_same_statements(bench, actor, next_stays(1)[0])
    collected = _run_clients(url, actor, next_stays, settings)

    def rate(mode: str) -> float:
        bursts = collected[mode]
        return sum(len(b[2]) for b in bursts) / sum(b[1] - b[0] for b in bursts)

    def latency(mode: str) -> tuple[float, float]:
        return _summary([ms for b in collected[mode] for ms in b[2]])

    def cpu(mode: str) -> float:
        return statistics.median([ms for b in collected[mode] for ms in b[3]])

    name = f"create booking, {CLIENTS} clients"
    service = "  the same, raw = a bare INSERT"
    return [
        Result(
            f"{name}: latency",
            size,
            "ms",
            latency("repo"),
            latency("raw"),
            cpu=(cpu("repo"), cpu("raw")),
        ),
        Result(
            f"{name}: throughput",
            size,
            "/s",
            (rate("repo"), rate("repo")),
            (rate("raw"), rate("raw")),
            higher_is_better=True,
        ),
        Result(f"{service}: latency", size, "ms", latency("repo"), latency("insert")),
        Result(
            f"{service}: throughput",
            size,
            "/s",
            (rate("repo"), rate("repo")),
            (rate("insert"), rate("insert")),
            higher_is_better=True,
        ),
    ]


# -- databases and the server ---------------------------------------------------


@contextlib.contextmanager
def server(database_url: str | None, settings: dict[str, str] | None = None) -> Iterator[URL]:
    """A server where databases may be created: the given one, or a throw-away cluster
    (with ``settings``, by default this benchmark's)."""
    if database_url:
        yield generate.psycopg_url(database_url)
        return
    from desktop.db.embedded import EmbeddedServer

    base = Path(tempfile.mkdtemp(prefix="exotic-bench-"))
    cluster = EmbeddedServer(base / "cluster", settings=settings or SERVER_SETTINGS)
    try:
        cluster.start()
        yield cluster.url("postgres")
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def database(admin_url: URL, label: str, *, keep: bool) -> Iterator[URL]:
    name = f"exotic_bench_{label}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name)
    finally:
        if keep:
            print(f"Kept database {name}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate_to_head(url: URL) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        migrate.upgrade(engine, "head")
    finally:
        engine.dispose()


# -- report ---------------------------------------------------------------------


def cpu_name() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return cpu


def machine(url: URL) -> list[str]:
    """What the figures were measured on (no paths, no host names)."""
    cpu = cpu_name()
    ram_gib = 0.0
    with contextlib.suppress(ValueError, OSError, AttributeError):
        ram_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with generate.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        shown = {
            name: conn.execute(f"SHOW {name}").fetchone() for name in (*SERVER_SETTINGS, "fsync")
        }
    settings = ", ".join(f"{k}={v[0] if v else '?'}" for k, v in shown.items())
    return [
        f"CPU: {cpu}, {os.cpu_count()} cores; RAM: {ram_gib:.0f} GiB; {platform.system()}",
        f"PostgreSQL {version[0] if version else '?'} ({settings})",
        f"Python {platform.python_version()}, SQLAlchemy "
        f"{sys.modules['sqlalchemy'].__version__}, psycopg {psycopg.__version__}",
    ]


def load() -> str:
    with contextlib.suppress(OSError, AttributeError):
        return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return ""


def table(results: Sequence[Result]) -> str:
    head = (
        f"{'scenario':<44} {'size':>5}  {'repo p50':>9} {'p95':>8}  "
        f"{'raw p50':>9} {'p95':>8}  {'ratio':>5}  {'client CPU repo/raw':>19}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        if r.higher_is_better:
            repo = f"{r.repo[0]:>7.0f}{r.unit} {'':>8}"
            raw = f"{r.raw[0]:>7.0f}{r.unit} {'':>8}"
        else:
            repo = f"{r.repo[0]:>6.2f} ms {r.repo[1]:>5.2f} ms"
            raw = f"{r.raw[0]:>6.2f} ms {r.raw[1]:>5.2f} ms"
        cpu = f"{r.cpu[0]:>6.2f} / {r.cpu[1]:>5.2f} ms" if r.cpu else ""
        line = f"{r.scenario:<44} {r.size:>5}  {repo}  {raw}  {r.ratio:>5.2f}  {cpu:>19}"
        lines.append(line.rstrip())
    return "\n".join(lines)


def run_size(
    url: URL, size: str, settings: Settings, *, explain: bool, creation: bool
) -> list[Result]:
    bench = Bench(url)
    results: list[Result] = []
    try:
        for scenario in bench.scenarios():
            if explain:
                bench.explain(scenario)
            results.append(bench.measure(scenario, settings, size))
        if creation:
            results += bench_creation(url, bench, settings, size)
    finally:
        bench.close()
    return results


def comma_list(allowed: Iterable[str], noun: str) -> Callable[[str], list[str]]:
    """An argparse type: a comma-separated list of ``allowed`` words."""
    choices = list(allowed)

    def parse(text_value: str) -> list[str]:
        words = [w.strip().lower() for w in text_value.split(",") if w.strip()]
        unknown = [w for w in words if w not in choices]
        if unknown:
            raise argparse.ArgumentTypeError(
                f"unknown {noun} {', '.join(unknown)}; choose from {', '.join(choices)}"
            )
        return words

    return parse


_sizes = comma_list(SIZES, "size")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database-url", help="a server where databases may be created (default: own cluster)"
    )
    parser.add_argument(
        "--sizes", type=_sizes, help="bookings: 10k,100k,1m (default all; 10k with --quick)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--repetitions", type=int, help="timed calls per scenario and side")
    parser.add_argument("--seed", type=int, default=1, help="the data generator's seed")
    parser.add_argument("--no-create", action="store_true", help="skip booking creation")
    parser.add_argument("--explain", action="store_true", help="print the repository's plans")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    args = parser.parse_args(argv)
    settings = Settings.quick() if args.quick else Settings.full()
    if args.repetitions:
        settings = Settings(args.repetitions, settings.warmup, settings.bursts,
                            settings.creates_per_burst)  # fmt: skip
    sizes = args.sizes or (["10k"] if args.quick else list(SIZES))
    results: list[Result] = []
    with server(args.database_url) as admin_url:
        for line in machine(admin_url):
            print(line)
        for size in sizes:
            with database(admin_url, size, keep=args.keep) as url:
                print(f"\n== {size} bookings ({load()})")
                migrate_to_head(url)
                generate.fill(url, generate.Sizes.scaled(SIZES[size]), seed=args.seed)
                found = run_size(
                    url, size, settings, explain=args.explain, creation=not args.no_create
                )
                print(f"\n{table(found)}\n({load()})")
                results += found
    print(f"\n== all sizes ({settings.repetitions} repetitions, medians and 95th percentiles)")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
