"""A lost connection: the banner, reconnecting by itself, lists brought up to date, honest saves.

Every backend of the application is ended with ``pg_terminate_backend``, the
server is stopped and started again under a running window, saves are cut off
before and during their commit, and the network drops silently. What another
workstation commits while this one cannot hear must appear once it is back (its
notice was lost, so the list reads again), and a save cut off mid-way is either
not saved, or saved once, with the request token telling which.

The restart and the cut commit use a PostgreSQL cluster of their own (the
embedded server in a fresh folder), because they stop it or change its
settings; the silent drop runs one in a private network namespace; the others
use the session's server.
"""

from __future__ import annotations

import contextlib
import json
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import URL, Engine, create_engine, text
from sqlalchemy.pool import NullPool, StaticPool

from desktop.bootstrap import BackOffice, build
from desktop.db import migrate
from desktop.db.embedded import EmbeddedServer
from desktop.db.engine import build_engine
from desktop.db.uow import CONNECTION_LOST, OUTCOME_UNKNOWN
from desktop.domain.enums import Role
from desktop.domain.errors import DatabaseUnavailable
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking
from desktop.services.passwords import Passwords
from desktop.services.people import PersonDetails
from desktop.ui.live import LiveUpdates
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.bookings import BookingsPage
from desktop.version import __version__
from tests.services.conftest import PASSWORD, TEST_AUDIT, FakeClock, destination_draft
from tests.ui.conftest import SECOND_MS, make_session, settle

APP = f"exotic-travel {__version__}"  # the pool's application_name
LISTENER = "exotic-travel listener"
OTHER_WORKSTATION = "exotic-tests workstation B"
# The listener retries after 0.5, 1, 2, 3, then every 5 s: back within 5 s of being allowed.
RECONNECT_MS = 10 * SECOND_MS
BANNER_BACK_MS = 6 * SECOND_MS  # the "connection is back" note shows for 4 s


# -- helpers -------------------------------------------------------------------------


def _admin_engine(url: URL, *, one_session: bool = False) -> Engine:
    """The database administrator: not the application, and never terminated.

    With ``one_session`` every statement runs on one connection held open, which keeps
    working while the database refuses new connections.
    """
    return create_engine(
        url,
        poolclass=StaticPool if one_session else NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"application_name": "exotic-tests dba"},
    )


def _sql(engine: Engine, statement: str, **params: Any) -> Any:
    """Run one statement; its first value, if it returns rows."""
    with engine.connect() as conn:
        result = conn.execute(text(statement), params)
        return result.scalar() if result.returns_rows else None


def _wait_for(found: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def _listening(dba: Engine) -> bool:
    return bool(
        _sql(
            dba,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = :name AND state = 'idle'",
            name=LISTENER,
        )
    )


def _terminate_all_but(dba: Engine, spared: str) -> int:
    """End every backend of this database but ours and the ``spared`` application's."""
    killed = _sql(
        dba,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND application_name <> :spared",
        spared=spared,
    )
    return int(killed)


@contextlib.contextmanager
def _new_connections_refused(database_url: URL) -> Iterator[None]:
    """The database accepts no new connection (open ones keep working) inside the block."""
    server = _admin_engine(database_url.set(database="postgres"))  # not from the database itself
    database = database_url.database
    _sql(server, f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
    try:
        yield
    finally:
        _sql(server, f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')
        server.dispose()


def _ids(page: BookingsPage) -> list[int]:
    return [row.id for row in page.model.rows()]


def _error_boxes() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "errorDialog" and w.isVisible()
    ]


@dataclass
class BannerLog:
    """What the window showed each time the connection went or came back."""

    entries: list[tuple[bool, bool, str]]

    @property
    def last(self) -> tuple[bool, bool, str] | None:
        return self.entries[-1] if self.entries else None


def _watch_banner(window: MainWindow) -> BannerLog:
    log = BannerLog([])

    # Connected after the window's own slot, so the banner is already updated here.
    def seen(up: bool) -> None:
        banner = window.banner
        log.entries.append((up, banner.isVisibleTo(window), str(banner.property("state"))))

    window.live.connection_changed.connect(seen)
    return log


def _window(qtbot: QtBot, office: BackOffice, actor: Actor) -> MainWindow:
    window = MainWindow(make_session(office, actor))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("bookings")
    settle(qtbot)
    return window


def _stay(clock: FakeClock, days_ahead: int) -> tuple[Any, Any]:
    start = clock.today() + timedelta(days=days_ahead)
    return start, start + timedelta(days=4)


def _booking_count(dba: Engine) -> int:
    return int(_sql(dba, "SELECT count(*) FROM bookings"))


def _create_in_background(
    office: BackOffice, actor: Actor, request: NewBooking
) -> tuple[threading.Thread, queue.Queue[object]]:
    """The save as a worker thread runs it; its result or its exception lands in the queue."""
    outcome: queue.Queue[object] = queue.Queue()

    def save() -> None:
        try:
            outcome.put(office.bookings.create(actor, request))
        except Exception as exc:  # the test inspects what the service raised
            outcome.put(exc)

    worker = threading.Thread(target=save, name="saving")
    worker.start()
    return worker, outcome


# -- the session's server ------------------------------------------------------------------


@pytest.fixture
def dba(database_url: URL) -> Iterator[Engine]:
    engine = _admin_engine(database_url, one_session=True)
    yield engine
    engine.dispose()


@pytest.fixture
def office_b(database_url: URL, clock: FakeClock, passwords: Passwords) -> Iterator[BackOffice]:
    """Another workstation, elsewhere on the network: its connection is not cut."""
    engine = build_engine(database_url, connect_args={"application_name": OTHER_WORKSTATION})
    yield build(engine, clock=clock, audit=TEST_AUDIT, passwords=passwords)
    engine.dispose()


def test_when_every_backend_is_terminated_the_window_says_so_and_catches_up_by_itself(
    qtbot: QtBot,
    database_url: URL,
    office: BackOffice,
    office_b: BackOffice,
    dba: Engine,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
) -> None:
    dest = office.destinations.create(admin, destination_draft())
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    first = office.bookings.create(agent, NewBooking(ann.id, dest.id, *_stay(clock, 5), 2))
    window = _window(qtbot, office, agent)
    banner = _watch_banner(window)
    page = window.pages["bookings"]
    assert _ids(page) == [first.id]
    _wait_for(lambda: _listening(dba))
    assert window.banner.isHidden()
    office_b.bookings.count(agent, page.current_filter())  # B's pool holds a live connection

    with _new_connections_refused(database_url):
        killed = _terminate_all_but(dba, spared=OTHER_WORKSTATION)
        assert killed >= 2, "the window's listener and its pooled connection were ended"

        qtbot.waitUntil(lambda: banner.last == (False, True, "lost"), timeout=5 * SECOND_MS)
        assert "connection to the database is lost" in window.banner.text()
        assert "Retrying" in window.banner.text()
        assert window.server_label.text().endswith("(unreachable)")
        assert not page.new_action.isEnabled(), "saving is paused"
        assert "Saving is paused" in page.new_action.toolTip()
        assert _ids(page) == [first.id], "what was loaded stays readable"

        # Workstation B commits meanwhile; its notice reaches no one here.
        missed = office_b.bookings.create(agent, NewBooking(ann.id, dest.id, *_stay(clock, 20), 3))
        qtbot.wait(SECOND_MS)
        assert missed.id not in _ids(page)
        assert banner.last == (False, True, "lost")

    # Connections are accepted again: the listener comes back, the list reads again.
    qtbot.waitUntil(lambda: missed.id in _ids(page), timeout=RECONNECT_MS)
    assert banner.entries == [(False, True, "lost"), (True, True, "back")]
    assert "back" in window.banner.text()
    assert page.new_action.isEnabled()
    assert not window.server_label.text().endswith("(unreachable)")
    qtbot.waitUntil(window.banner.isHidden, timeout=BANNER_BACK_MS)
    settle(qtbot)
    assert sorted(_ids(page)) == sorted([first.id, missed.id])
    assert page.count_label.text() == "2 bookings"
    assert page.model.failed is None
    assert page.problem_label.text() == ""
    assert _error_boxes() == [], "the pool replaced its dead connections without an error"

    # The window's own pool works for the next save, and its listener hears the next change.
    third = office.bookings.create(agent, NewBooking(ann.id, dest.id, *_stay(clock, 40), 1))
    qtbot.waitUntil(lambda: third.id in _ids(page), timeout=SECOND_MS)


def test_a_save_cut_off_before_its_commit_saved_nothing_and_its_retry_books_once(
    qtbot: QtBot,
    database_url: URL,
    office: BackOffice,
    dba: Engine,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
) -> None:
    dest = office.destinations.create(admin, destination_draft())
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    page = BookingsPage(make_session(office, agent))
    qtbot.addWidget(page)
    live = LiveUpdates(office, page)
    page.attach_live(live)
    live.start()
    page.show()
    page.start()
    settle(qtbot)
    _wait_for(lambda: _listening(dba))
    request = NewBooking(ann.id, dest.id, *_stay(clock, 7), 2, request_token=uuid.uuid4())

    # Another session holds the destination, so the save waits in the middle of its work.
    locks = create_engine(database_url, poolclass=NullPool)
    with locks.begin() as locker:
        locker.execute(
            text("SELECT id FROM destinations WHERE id = :id FOR UPDATE"), {"id": dest.id}
        )
        worker, outcome = _create_in_background(office, agent, request)
        saver = _wait_for(
            lambda: _sql(
                dba,
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = :app AND wait_event_type = 'Lock'",
                app=APP,
            )
        )
        assert _sql(dba, "SELECT pg_terminate_backend(:pid)", pid=saver) is True
        worker.join(10)
    locks.dispose()

    refused = outcome.get_nowait()
    assert isinstance(refused, DatabaseUnavailable)
    assert refused.message == CONNECTION_LOST, "nothing was committed, and the message says so"
    assert office.bookings.find_by_request_token(agent, request.request_token) is None  # type: ignore[arg-type]
    assert _booking_count(dba) == 0

    retried = office.bookings.create(agent, request)
    again = office.bookings.create(agent, request)  # a second press of Save, or a second retry
    assert again.id == retried.id
    assert _booking_count(dba) == 1
    assert _sql(dba, "SELECT count(*) FROM audit_logs WHERE action = 'booking.create'") == 1
    qtbot.waitUntil(lambda: _ids(page) == [retried.id], timeout=SECOND_MS)
    settle(qtbot)
    assert page.count_label.text() == "1 booking"
    live.stop()


# -- a server of the test's own --------------------------------------------------------

EARS = "exotic_tests_ears"  # the listener's role: refusing it keeps the window deaf


class OwnServer:
    """A cluster this module may stop, restart and reconfigure, with a migrated template."""

    TEMPLATE = "exotic_template"

    def __init__(self, base: Path) -> None:
        self.cluster = EmbeddedServer(
            base / "cluster",
            settings={
                "fsync": "off",
                "full_page_writes": "off",
                # Commits wait for this standby, which never comes, only in sessions that
                # ask for synchronous_commit = on (the in-doubt commit test).
                "synchronous_commit": "local",
                "synchronous_standby_names": "nobody",
            },
        )
        self.cluster.start()
        admin = self.admin()
        try:
            _sql(admin, f"CREATE ROLE {EARS} LOGIN")
            _sql(admin, f"CREATE DATABASE {self.TEMPLATE}")
        finally:
            admin.dispose()
        engine = create_engine(self.cluster.url(self.TEMPLATE), poolclass=NullPool)
        try:
            migrate.upgrade(engine, "head")
        finally:
            engine.dispose()

    def admin(self, database: str = "postgres") -> Engine:
        return _admin_engine(self.cluster.url(database))

    def new_database(self) -> URL:
        name = f"exotic_{uuid.uuid4().hex[:10]}"
        admin = self.admin()
        try:
            _sql(admin, f"CREATE DATABASE {name} TEMPLATE {self.TEMPLATE}")
        finally:
            admin.dispose()
        return self.cluster.url(name)


@pytest.fixture(scope="module")
def own_server() -> Iterator[OwnServer]:
    base = Path(tempfile.mkdtemp(prefix="exotic-tests-own-pg-"))
    server = OwnServer(base)
    try:
        yield server
    finally:
        server.cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


def _office(url: URL, clock: FakeClock, passwords: Passwords, **engine_args: Any) -> BackOffice:
    return build(
        build_engine(url, **engine_args),
        clock=clock,
        audit=TEST_AUDIT,
        passwords=passwords,
        listen_url=url.set(username=EARS),
    )


def _people(office: BackOffice) -> tuple[Actor, Actor]:
    admin = office.auth.create_first_admin("Ada Admin", "ada@office.example", PASSWORD)
    person = office.staff.create(
        admin, PersonDetails("Alex Agent", "alex@office.example"), Role.AGENT, PASSWORD
    )
    return admin, Actor(id=person.id, name=person.name, email=person.email, role=person.role)


def test_a_server_restart_under_the_open_window_costs_nothing_but_a_banner(
    qtbot: QtBot, own_server: OwnServer, clock: FakeClock, passwords: Passwords
) -> None:
    url = own_server.new_database()
    office = _office(url, clock, passwords)
    office_b = _office(url, clock, passwords)
    dba = own_server.admin(url.database or "")
    try:
        admin, agent = _people(office)
        dest = office.destinations.create(admin, destination_draft())
        ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
        first = office.bookings.create(agent, NewBooking(ann.id, dest.id, *_stay(clock, 5), 2))
        window = _window(qtbot, office, agent)
        banner = _watch_banner(window)
        page = window.pages["bookings"]
        _wait_for(lambda: _listening(dba))
        # The listener may not log in again until the test allows it: whatever B commits
        # after the restart is then certainly missed, and must come from the resync.
        _sql(dba, f"ALTER ROLE {EARS} NOLOGIN")

        own_server.cluster._pg_ctl_stop()  # the server's own pg_ctl stop
        qtbot.waitUntil(lambda: banner.last == (False, True, "lost"), timeout=5 * SECOND_MS)
        assert not page.new_action.isEnabled()
        assert _ids(page) == [first.id]

        own_server.cluster.start()
        missed = office_b.bookings.create(agent, NewBooking(ann.id, dest.id, *_stay(clock, 20), 3))
        qtbot.wait(SECOND_MS)
        assert missed.id not in _ids(page)
        assert banner.last == (False, True, "lost")

        _sql(dba, f"ALTER ROLE {EARS} LOGIN")
        qtbot.waitUntil(lambda: missed.id in _ids(page), timeout=RECONNECT_MS)
        assert banner.entries == [(False, True, "lost"), (True, True, "back")]
        qtbot.waitUntil(window.banner.isHidden, timeout=BANNER_BACK_MS)
        assert page.new_action.isEnabled()
        settle(qtbot)
        assert page.model.failed is None
        assert page.problem_label.text() == ""
        assert _error_boxes() == []

        # The pool's connections died with the server; the next save gets a fresh one.
        third = office.bookings.create(agent, NewBooking(ann.id, dest.id, *_stay(clock, 40), 1))
        qtbot.waitUntil(lambda: third.id in _ids(page), timeout=SECOND_MS)
        window.close()
    finally:
        if not own_server.cluster.is_running():
            own_server.cluster.start()
        with contextlib.suppress(Exception):
            _sql(dba, f"ALTER ROLE {EARS} LOGIN")
        dba.dispose()
        office.engine.dispose()
        office_b.engine.dispose()


def test_a_save_cut_off_during_its_commit_is_found_by_its_token_and_never_doubled(
    own_server: OwnServer, clock: FakeClock, passwords: Passwords
) -> None:
    url = own_server.new_database()
    office = _office(url, clock, passwords)
    # This workstation's commits wait for the (absent) synchronous standby: each one
    # is written on the server, then held until the session ends.
    held = _office(url, clock, passwords, connect_args={"options": "-c synchronous_commit=on"})
    dba = own_server.admin(url.database or "")
    try:
        admin, agent = _people(office)
        dest = office.destinations.create(admin, destination_draft())
        ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
        request = NewBooking(ann.id, dest.id, *_stay(clock, 7), 2, request_token=uuid.uuid4())

        worker, outcome = _create_in_background(held, agent, request)
        committing = _wait_for(
            lambda: _sql(
                dba,
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event = 'SyncRep'",
            )
        )
        assert _sql(dba, "SELECT pg_terminate_backend(:pid)", pid=committing) is True
        worker.join(10)

        in_doubt = outcome.get_nowait()
        assert isinstance(in_doubt, DatabaseUnavailable)
        assert in_doubt.message == OUTCOME_UNKNOWN, "the person is told it may have been saved"
        landed = office.bookings.find_by_request_token(agent, request.request_token)  # type: ignore[arg-type]
        assert landed is not None, "the commit had reached the server: the token finds it"

        retried = office.bookings.create(agent, request)
        assert retried.id == landed.id, "a retry with the same token returns the same booking"
        assert _booking_count(dba) == 1
        assert _sql(dba, "SELECT count(*) FROM audit_logs WHERE action = 'booking.create'") == 1
    finally:
        dba.dispose()
        office.engine.dispose()
        held.engine.dispose()


# -- a network that drops silently -------------------------------------------------------

# Run under ``unshare -n`` (a network of its own): a server on 127.0.0.1, the listener and
# a pooled connection to it; then the loopback interface goes down, so packets vanish
# without a reset, as when a cable is pulled somewhere between workstation and server.
SILENT_DROP = r"""
import json, os, queue, subprocess, sys, threading, time, traceback
from pathlib import Path
from sqlalchemy import URL, text
from desktop.db.embedded import EmbeddedServer
from desktop.db.engine import build_engine
from desktop.db.notifications import ChangeListener

LIMIT = float(sys.argv[2])
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
server = EmbeddedServer(Path(sys.argv[1]), settings={"listen_addresses": "127.0.0.1"})
found = {}
try:
    server.start()
    url = URL.create("postgresql+psycopg", username="postgres", host="127.0.0.1",
                     port=5432, database="postgres")
    states = queue.Queue()
    listener = ChangeListener(url, lambda _change: None, states.put, retry_pauses=(1.0,))
    engine = build_engine(url)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))  # the pool keeps this connection for the next use
    listener.start()
    found["listening"] = states.get(timeout=30)
    subprocess.run(["ip", "link", "set", "lo", "down"], check=True)
    dropped = time.monotonic()
    read = found["read"] = {}

    def read_once():
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            read["outcome"] = "answered"
        except Exception as exc:
            read["outcome"] = type(exc).__name__
        read["seconds"] = time.monotonic() - dropped

    threading.Thread(target=read_once, daemon=True).start()
    try:
        found["lost_after"] = None if states.get(timeout=LIMIT) else time.monotonic() - dropped
    except queue.Empty:
        found["lost_after"] = None
    deadline = time.monotonic() + LIMIT
    while "seconds" not in read and time.monotonic() < deadline:
        time.sleep(0.2)
except Exception:
    found["error"] = traceback.format_exc()
finally:
    print(json.dumps(found), flush=True)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=False)
    server.destroy()
    os._exit(0)  # the listener's and the pool's threads may still wait on dead sockets
"""
SILENT_DROP_LIMIT_S = 60.0  # how long the script waits for each outcome
SILENT_DROP_BOUND_S = 45.0  # "seconds, not minutes", with room for a busy machine


def _private_network_available() -> bool:
    if not sys.platform.startswith("linux") or not shutil.which("unshare"):
        return False
    if not shutil.which("ip"):
        return False
    probe = subprocess.run(
        ["unshare", "-n", "ip", "link", "set", "lo", "up"],  # noqa: S607 - found on PATH above
        capture_output=True,
        check=False,
        timeout=10,
    )
    return probe.returncode == 0


def test_a_silently_dropped_network_is_noticed_within_seconds_not_minutes(
    tmp_path: Path,
) -> None:
    """The banner needs the listener to notice; a save must fail rather than hang.

    Without a limit on unacknowledged data, the listener's health check and the pool's
    check before use both wait for TCP to give up retransmitting: about 15 minutes.
    """
    if not _private_network_available():
        pytest.skip("needs Linux with 'unshare -n' and 'ip' allowed (a private network)")
    data_dir = tmp_path / "cluster"
    try:
        run = subprocess.run(  # noqa: S603 - our interpreter and script, no shell
            [  # noqa: S607 - unshare was found on PATH
                "unshare",
                "-n",
                sys.executable,
                "-c",
                SILENT_DROP,
                str(data_dir),
                str(SILENT_DROP_LIMIT_S),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=3 * SILENT_DROP_LIMIT_S + 60,
        )
    finally:
        EmbeddedServer(data_dir).destroy()  # in case the script was stopped half-way
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, f"the script failed:\n{run.stdout}\n{run.stderr}"
    found = json.loads(lines[-1])
    assert "error" not in found, found["error"]
    assert found["listening"] is True
    # Typically 15 s (the next health check, then 10 s unacknowledged) and 20 s (10 s for
    # the pooled connection's check, 10 s for a new connection's timeout); TCP alone: minutes.
    assert found["lost_after"] is not None, "the listener never noticed the drop"
    assert found["lost_after"] < SILENT_DROP_BOUND_S, found
    assert found["read"].get("outcome") not in (None, "answered"), found
    assert found["read"]["seconds"] < SILENT_DROP_BOUND_S, found
