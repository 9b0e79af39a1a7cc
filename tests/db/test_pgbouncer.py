"""Behind PgBouncer in transaction pooling: the pooled URL, ``?exotic_pooler=``, a direct listener.

A throw-away PgBouncer (the ``pgbouncer`` program; Debian package
``pgbouncer``) runs in front of the test server, in transaction pooling with a
small server pool. The application opens its services through the pooled URL
with ``?exotic_pooler=<server port>``, exactly as a workstation configured for
PgBouncer does: its pool then goes through PgBouncer with prepared statements
off, and its change listener connects to the server's own port.

PgBouncer listens next to the server: in the server's socket folder (another
port number) when the server is reached through a Unix socket, as the embedded
test server is, or on 127.0.0.1 when the server is on this machine's TCP.
Skipped, with the reason, when the program is missing or the server is on
another machine.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import queue
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from psycopg.rows import dict_row
from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

from desktop.bootstrap import BackOffice, build, open_back_office
from desktop.db.engine import build_engine
from desktop.db.location import resolve
from desktop.domain.changes import Change
from desktop.domain.enums import BookingStatus, Role
from desktop.domain.listing import BookingFilter, PageRequest, PersonFilter, Sort
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.passwords import Passwords
from desktop.services.people import PersonDetails
from desktop.version import __version__
from tests.services.conftest import (
    FAST_HASHING,
    PASSWORD,
    TEST_AUDIT,
    FakeClock,
    destination_draft,
)

if TYPE_CHECKING:
    from tests.conftest import TestServer

APP = f"exotic-travel {__version__}"  # the pool's application_name
LISTENER = "exotic-travel listener"  # the change listener's
SERVER_POOL = 3  # PgBouncer's server connections per database (default_pool_size)
THREADS = 8
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def _pgbouncer_program() -> str | None:
    found = shutil.which("pgbouncer")
    if found is None:  # Debian installs it in /usr/sbin, often not on a user's PATH
        found = shutil.which("pgbouncer", path="/usr/sbin:/usr/local/sbin")
    return found


def _version(program: str) -> tuple[int, ...]:
    out = subprocess.run(  # noqa: S603 - the program found above, no shell
        [program, "--version"], capture_output=True, text=True, check=False, timeout=10
    ).stdout
    match = re.search(r"PgBouncer (\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _free_port(socket_dir: str | None) -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if socket_dir is None or not Path(socket_dir, f".s.PGSQL.{port}").exists():
            return port


@dataclass
class Bouncer:
    """A running PgBouncer in front of the test server."""

    process: subprocess.Popen[bytes]
    host: str  # the socket folder it shares with the server, or 127.0.0.1
    port: int
    server_port: int
    user: str
    version: tuple[int, ...]
    logfile: Path

    def pooled_url(self, database_url: URL) -> str:
        """The URL a workstation behind PgBouncer is given (password included)."""
        pooler = {"exotic_pooler": str(self.server_port)}  # LISTEN goes to this port
        if self.host.startswith("/"):
            url = database_url.set(query={"host": self.host, "port": str(self.port), **pooler})
        else:
            url = database_url.set(host=self.host, port=self.port, query=pooler)
        return url.render_as_string(hide_password=False)

    def show(self, what: str) -> list[dict[str, Any]]:
        """``SHOW <what>`` on PgBouncer's admin console."""
        with psycopg.connect(
            host=self.host,
            port=self.port,
            dbname="pgbouncer",
            user=self.user,
            autocommit=True,
            row_factory=dict_row,
        ) as console:
            return console.execute(f"SHOW {what}").fetchall()


def _server_address(url: URL) -> tuple[str, int, str | None]:
    """(host or socket folder, port, socket folder or None) of the test server."""
    socket_dir = url.query.get("host")
    if isinstance(socket_dir, str) and socket_dir.startswith("/"):
        return socket_dir, int(url.port or str(url.query.get("port") or 5432)), socket_dir
    host = url.host or "localhost"
    if host.startswith("/"):
        return host, int(url.port or 5432), host
    return host, int(url.port or 5432), None


def _run_as(socket_dir: str | None) -> str | None:
    """PgBouncer refuses to run as root: the owner of the server's sockets, or nobody."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    if socket_dir is not None:
        return pwd.getpwuid(os.stat(socket_dir).st_uid).pw_name
    return "nobody"


@pytest.fixture(scope="module")
def bouncer(test_server: TestServer) -> Iterator[Bouncer]:
    program = _pgbouncer_program()
    if program is None:
        pytest.skip("PgBouncer is not installed (Debian/Ubuntu: apt-get install pgbouncer)")
    admin_url = test_server.admin_url
    host, server_port, socket_dir = _server_address(admin_url)
    if socket_dir is None and host not in LOCAL_HOSTS:
        pytest.skip(f"the test server is on another machine ({host}); PgBouncer runs next to it")
    run_as = _run_as(socket_dir)
    if run_as is None and socket_dir is not None and not os.access(socket_dir, os.W_OK):
        pytest.skip(f"PgBouncer cannot put its socket in the server's folder {socket_dir}")
    user = admin_url.username or "postgres"
    password = admin_url.password or ""

    folder = Path(tempfile.mkdtemp(prefix="exotic-tests-pgbouncer-"))
    port = _free_port(socket_dir)
    server = f"host={host} port={server_port}" + (f" password='{password}'" if password else "")
    listen = (
        f"listen_addr =\nunix_socket_dir = {socket_dir}\n"
        if socket_dir
        else "listen_addr = 127.0.0.1\nunix_socket_dir =\n"
    )
    (folder / "users.txt").write_text(f'"{user}" "{password}"\n', "utf-8")
    config = folder / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"* = {server}\n"  # every database of the server, under its own name
        "[pgbouncer]\n"
        f"{listen}"
        f"listen_port = {port}\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {SERVER_POOL}\n"
        "max_client_conn = 200\n"
        "auth_type = trust\n"
        f"auth_file = {folder / 'users.txt'}\n"
        f"admin_users = {user}\n"
        f"logfile = {folder / 'pgbouncer.log'}\n"
        f"pidfile = {folder / 'pgbouncer.pid'}\n",
        "utf-8",
    )
    command = [program]
    if run_as is not None:
        command += ["-u", run_as]
        for path in (folder, *folder.iterdir()):
            shutil.chown(path, run_as)
    command.append(str(config))
    process = subprocess.Popen(  # noqa: S603 - our own command line, no shell
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    running = Bouncer(
        process,
        socket_dir or "127.0.0.1",
        port,
        server_port,
        user,
        _version(program),
        folder / "pgbouncer.log",
    )
    try:
        _wait_until_ready(running)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_ready(running: Bouncer) -> None:
    deadline = time.monotonic() + 15
    while True:
        if running.process.poll() is not None:
            stderr = running.process.stderr.read().decode() if running.process.stderr else ""
            log = running.logfile.read_text("utf-8") if running.logfile.exists() else ""
            pytest.fail(f"PgBouncer exited at start:\n{stderr}\n{log}")
        with contextlib.suppress(psycopg.Error):
            running.show("VERSION")
            return
        if time.monotonic() > deadline:
            pytest.fail("PgBouncer did not accept connections within 15 s")
        time.sleep(0.1)


# -- the application, configured for PgBouncer --------------------------------------------


def _server_sessions(watcher: Engine) -> int:
    """The application's sessions on the server (PgBouncer passes application_name on)."""
    with watcher.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = :app"
                ),
                {"app": APP},
            ).scalar_one()
        )


@pytest.fixture
def setup_office(database_url: URL) -> Iterator[BackOffice]:
    """Direct to the server, under another name: it prepares the data and reads it back."""
    engine = build_engine(database_url, connect_args={"application_name": "exotic-tests setup"})
    yield build(engine, passwords=Passwords(FAST_HASHING), clock=FakeClock(), audit=TEST_AUDIT)
    engine.dispose()


@pytest.fixture
def watcher(database_url: URL) -> Iterator[Engine]:
    engine = create_engine(
        database_url,
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"application_name": "exotic-tests watcher"},
    )
    yield engine
    engine.dispose()


@pytest.fixture
def pooled(bouncer: Bouncer, database_url: URL) -> Iterator[BackOffice]:
    """The application's own wiring for the pooled URL, as a workstation starts it."""
    location = resolve(bouncer.pooled_url(database_url), environ={})
    assert location.pooler
    assert location.direct_port == bouncer.server_port
    office = open_back_office(location)
    yield office
    office.close()


def _agent(office: BackOffice) -> tuple[Actor, Actor]:
    admin = office.auth.create_first_admin("Ada Admin", "ada@office.example", PASSWORD)
    person = office.staff.create(
        admin, PersonDetails("Alex Agent", "alex@office.example"), Role.AGENT, PASSWORD
    )
    return admin, Actor(id=person.id, name=person.name, email=person.email, role=person.role)


def _on_threads(work: Callable[[int], None], threads: int = THREADS) -> list[BaseException]:
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        start.wait()
        try:
            work(n)
        except BaseException as exc:  # every failure is reported, not only the first
            failures.append(exc)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert not any(w.is_alive() for w in workers), "a worker never finished"
    return failures


def _peak_checked_out(engine: Engine) -> Callable[[], int]:
    peak = [0]

    @event.listens_for(engine, "checkout")
    def _out(*_args: object) -> None:
        peak[0] = max(peak[0], engine.pool.checkedout())  # type: ignore[attr-defined]

    return lambda: peak[0]


def test_the_pool_goes_through_pgbouncer_without_prepared_statements_and_listens_directly(
    bouncer: Bouncer, pooled: BackOffice, database_url: URL
) -> None:
    assert pooled.engine.url.port == bouncer.port or (
        pooled.engine.url.query.get("port") == str(bouncer.port)
    )
    assert pooled.listen_url is not None
    assert pooled.listen_url.port == bouncer.server_port
    with pooled.engine.connect() as conn:
        assert conn.connection.driver_connection.prepare_threshold is None  # type: ignore[union-attr]
        assert conn.execute(text("SELECT current_database()")).scalar_one() == (
            database_url.database
        )
    clients = bouncer.show("CLIENTS")
    assert any(c["database"] == database_url.database for c in clients), "it went through"


def test_bookings_made_and_changed_through_pgbouncer_from_eight_threads_are_heard(
    bouncer: Bouncer,
    pooled: BackOffice,
    setup_office: BackOffice,
    watcher: Engine,
    database_url: URL,
) -> None:
    admin, agent = _agent(setup_office)
    destinations = [
        setup_office.destinations.create(admin, destination_draft(name=f"Lagoon {n}"))
        for n in range(THREADS)
    ]
    ann = setup_office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    heard: queue.Queue[Change] = queue.Queue()
    states: queue.Queue[bool] = queue.Queue()
    listener = pooled.listen(heard.put, states.put)
    listener.start()
    try:
        assert states.get(timeout=10) is True
        # The listener is on the server's own port, not among PgBouncer's clients.
        names = [c.get("application_name") for c in bouncer.show("CLIENTS")]
        assert LISTENER not in names
        with watcher.connect() as conn:
            assert (
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND application_name = :name"
                    ),
                    {"name": LISTENER},
                ).scalar_one()
                == 1
            )

        peak_clients = _peak_checked_out(pooled.engine)
        peak_servers = [0]
        busy = threading.Event()
        busy.set()

        def sample() -> None:
            while busy.is_set():
                peak_servers[0] = max(peak_servers[0], _server_sessions(watcher))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        made_ids: list[int] = []
        today = date.today()

        def work(n: int) -> None:
            for k in range(3):
                start = today + timedelta(days=10 + 10 * k)
                made = pooled.bookings.create(
                    agent,
                    NewBooking(
                        ann.id,
                        destinations[n].id,
                        start,
                        start + timedelta(days=5),
                        1,
                        request_token=uuid.uuid4(),
                    ),
                )
                made_ids.append(made.id)
                changed = pooled.bookings.change_stay(
                    agent,
                    made.id,
                    made.version,
                    StayChange(made.start_date, made.end_date, 2, f"From thread {n}"),
                )
                pooled.bookings.confirm(agent, changed.id, changed.version)
                pooled.bookings.page(agent, BookingFilter(), PageRequest(Sort("id"), None, 50))

        failures = _on_threads(work)
        busy.clear()
        sampler.join(10)
        assert failures == []

        rows = setup_office.bookings.page(
            agent, BookingFilter(), PageRequest(Sort("id"), None, 100)
        )
        assert sorted(r.id for r in rows.rows) == sorted(made_ids)
        assert len(made_ids) == THREADS * 3
        assert all(r.guests == 2 and r.status == BookingStatus.CONFIRMED for r in rows.rows)

        inserted: set[int] = set()
        deadline = time.monotonic() + 5
        while inserted != set(made_ids) and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                change = heard.get(timeout=0.2)
                if change.table == "bookings" and change.op == "INSERT" and change.id:
                    inserted.add(change.id)
        assert inserted == set(made_ids), "every booking made through PgBouncer was heard"

        assert peak_clients() > SERVER_POOL, "more of our connections were busy at once ..."
        assert 0 < peak_servers[0] <= SERVER_POOL, "... than PgBouncer opened on the server"
        stats = {s["database"]: s for s in bouncer.show("STATS")}
        assert stats[database_url.database]["total_xact_count"] >= THREADS * 3 * 4
    finally:
        listener.stop()


def test_prepared_statements_must_be_off_behind_transaction_pooling(
    bouncer: Bouncer, pooled: BackOffice, setup_office: BackOffice, database_url: URL
) -> None:
    """What happens with psycopg's prepared statements (after 5 runs of a query) behind it."""
    if bouncer.version >= (1, 21):
        pytest.skip(
            f"PgBouncer {bouncer.version} can track prepared statements "
            "(max_prepared_statements); the failure below is that of PgBouncer 1.20 and older"
        )
    _admin, agent = _agent(setup_office)

    def reads(office: BackOffice) -> Callable[[int], None]:
        def work(_n: int) -> None:
            for _ in range(30):
                office.bookings.page(agent, BookingFilter(), PageRequest(Sort("id"), None, 20))
                office.customers.count(agent, PersonFilter())

        return work

    assert _on_threads(reads(pooled)) == [], "as configured (prepared statements off): fine"

    location = resolve(bouncer.pooled_url(database_url), environ={})
    assert location.configured_url is not None
    engine = build_engine(location.configured_url, prepared_statements=True)
    try:
        failures = _on_threads(reads(build(engine, audit=TEST_AUDIT)))
    finally:
        engine.dispose()
    assert failures, "prepared statements on: reads fail behind PgBouncer"

    def cause(exc: BaseException) -> str:
        return str(exc.__cause__ or exc)

    # Another client's statement of the same name, or none at all, on the server connection
    # PgBouncer lent for this transaction.
    assert all("prepared statement" in cause(f) for f in failures), {cause(f) for f in failures}
