"""Change notification latency: a commit in one process to the Qt signal in another.

    python benchmarks/bench_notifications.py                 # own cluster, 1,000 changes each
    python benchmarks/bench_notifications.py --changes 200   # a smoke run
    python benchmarks/bench_notifications.py --database-url postgresql+psycopg://u:p@host/postgres

Three kinds of process share one database, as workstations do:

- the **application**: a ``QCoreApplication`` with the window's ``LiveUpdates``
  (its ``changed`` signal, delivered on the GUI thread) and, beside it, a bare
  ``ChangeListener`` (the moment the database layer's callback runs on the
  listener's thread); each records when every change reached it;
- the **writer**: inserts a destination and commits, 1,000 times, one commit
  every ``--interval-ms``, recording the moment it sends each ``COMMIT``;
- with ``--clients`` (8 by default) in the loaded scenario, **other
  workstations** that write continuously through ``BookingService`` (a
  booking made, then cancelled, again and again), so the server, the
  application's listener and its GUI thread are busy with their notices too.

Latency is the application's moment minus the writer's, matched by the new
destination's id, on the machine's monotonic clock (one clock for all
processes on Linux, macOS and Windows). It includes the commit itself (its WAL
flush: ``fsync`` and ``synchronous_commit`` stay on). The table gives the
median, the 95th percentile and the maximum over the changes, at idle and
under load; the target is a 95th percentile under 200 ms.

Without ``--database-url`` the script starts its own PostgreSQL cluster (the
embedded server) in a fresh temporary folder and deletes it at the end. With
it, the URL names a server where the user may create databases; the benchmark
database is dropped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import multiprocessing
import os
import platform
import queue
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing.synchronize import Event
from typing import Any

import bench_repositories
import psycopg
from sqlalchemy import URL, make_url

from desktop.db.notifications import conninfo

TARGET_P95_MS = 200.0
CLIENTS = 8
SERVER_SETTINGS = {"max_connections": "100"}  # the defaults otherwise: durable commits
BENCH_PASSWORD = "benchmark passphrase"  # noqa: S105 - a throw-away database's account


@dataclass(frozen=True)
class People:
    """Who the load clients act as (plain values: they cross process boundaries)."""

    agent: tuple[int, str, str]  # id, name, e-mail
    customer_id: int
    destination_ids: tuple[int, ...]


@dataclass(frozen=True)
class Outcome:
    scenario: str
    changes: int
    commit_ms: list[float]  # the writer's COMMIT, sent to answered (its WAL flush)
    listener_ms: list[float]
    signal_ms: list[float]
    missing: int
    load_writes_per_s: float
    load_notices_per_s: float
    loadavg: str


# -- the application: LiveUpdates in a QCoreApplication, and a bare ChangeListener ------


def app_process(url_text: str, ready: Event, stop: Event, results: Any) -> None:
    """Record when each destination INSERT reaches the listener thread and the Qt signal."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QTimer

    from desktop.bootstrap import build
    from desktop.db.engine import build_engine
    from desktop.db.notifications import ChangeListener
    from desktop.domain.changes import Change
    from desktop.services.context import AuditContext
    from desktop.ui.live import LiveUpdates

    url = make_url(url_text)
    app = QCoreApplication([])
    office = build(build_engine(url), audit=AuditContext(None, "bench"))
    heard: dict[int, float] = {}
    signalled: dict[int, float] = {}
    notices = [0]
    up: list[bool] = []

    def on_heard(change: Change) -> None:  # the listener's thread
        if change.table == "destinations" and change.op == "INSERT" and change.id:
            heard[change.id] = time.monotonic()

    def on_signal(change: Change) -> None:  # the GUI thread, after the queued delivery
        notices[0] += 1
        if change.table == "destinations" and change.op == "INSERT" and change.id:
            signalled[change.id] = time.monotonic()

    bare = ChangeListener(url, on_heard, up.append)
    live = LiveUpdates(office)
    live.changed.connect(on_signal)
    live.connection_changed.connect(up.append)
    bare.start()
    live.start()

    def tick() -> None:
        if up.count(True) >= 2 and not ready.is_set():
            ready.set()
        if stop.is_set():
            app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(20)
    app.exec()
    live.stop()
    bare.stop()
    office.close()
    results.put({"heard": heard, "signalled": signalled, "notices": notices[0]})


# -- the writer and the other workstations ---------------------------------------------------


def writer_process(url_text: str, changes: int, interval_s: float, results: Any) -> None:
    """Insert and commit ``changes`` destinations; when each COMMIT was sent and answered."""
    sent: dict[int, tuple[float, float]] = {}
    with psycopg.connect(conninfo(make_url(url_text)), application_name="bench writer") as conn:
        next_at = time.monotonic()
        for n in range(changes):
            ident = conn.execute(
                "INSERT INTO destinations (name, description, country, city, price, duration, "
                "max_guests) VALUES (%s, 'Timed change', 'Benchland', 'Latency', 100, 3, 2) "
                "RETURNING id",
                (f"Bench {n} {uuid.uuid4().hex[:6]}",),
            ).fetchone()
            assert ident is not None  # RETURNING always returns the row
            before = time.monotonic()
            conn.commit()
            sent[int(ident[0])] = (before, time.monotonic())
            next_at += interval_s
            time.sleep(max(0.0, next_at - time.monotonic()))
    results.put(sent)


def load_process(url_text: str, people: People, n: int, stop: Event, results: Any) -> None:
    """Another workstation at the counter: a booking made, then cancelled, until told to stop."""
    from desktop.bootstrap import build
    from desktop.db.engine import build_engine
    from desktop.domain.enums import Role
    from desktop.domain.permissions import Actor
    from desktop.services.bookings import NewBooking
    from desktop.services.context import AuditContext

    office = build(build_engine(make_url(url_text)), audit=AuditContext(None, "bench load"))
    agent_id, name, email = people.agent
    agent = Actor(id=agent_id, name=name, email=email, role=Role.AGENT)
    start = date.today() + timedelta(days=30)
    request = NewBooking(
        people.customer_id,
        people.destination_ids[n],
        start,
        start + timedelta(days=3),
        1,
    )
    writes = 0
    began = time.monotonic()
    try:
        while not stop.is_set():
            made = office.bookings.create(agent, request)
            office.bookings.cancel(agent, made.id, made.version, "Benchmark load")
            writes += 2
    finally:
        office.close()
        results.put((writes, time.monotonic() - began))


# -- one scenario --------------------------------------------------------------------------


def run_scenario(
    url: URL, people: People, label: str, *, clients: int, changes: int, interval_s: float
) -> Outcome:
    ctx = multiprocessing.get_context("spawn")
    url_text = url.render_as_string(hide_password=False)
    ready, stop_app, stop_load = ctx.Event(), ctx.Event(), ctx.Event()
    app_results: Any = ctx.Queue()
    writer_results: Any = ctx.Queue()
    load_results: Any = ctx.Queue()
    app = ctx.Process(target=app_process, args=(url_text, ready, stop_app, app_results))
    app.start()
    if not ready.wait(60):
        app.terminate()
        raise SystemExit("The application process did not start listening within 60 s.")
    loaders = [
        ctx.Process(target=load_process, args=(url_text, people, n, stop_load, load_results))
        for n in range(clients)
    ]
    for loader in loaders:
        loader.start()
    if loaders:
        time.sleep(3)  # let them connect and reach their pace
    writer = ctx.Process(
        target=writer_process, args=(url_text, changes, interval_s, writer_results)
    )
    writer.start()
    sent: dict[int, tuple[float, float]] = writer_results.get(
        timeout=changes * interval_s * 20 + 120
    )
    writer.join(30)
    loadavg = _loadavg()
    time.sleep(1.0)  # the last notices on their way
    stop_load.set()
    load_totals = [load_results.get(timeout=60) for _ in loaders]
    for loader in loaders:
        loader.join(30)
    stop_app.set()
    try:
        seen = app_results.get(timeout=60)
    except queue.Empty:
        app.join(5)
        raise SystemExit(
            f"The application process ended without its results (exit code {app.exitcode}); "
            "its error is above."
        ) from None
    app.join(30)
    heard, signalled = seen["heard"], seen["signalled"]
    listener_ms = [(heard[i] - t) * 1000 for i, (t, _done) in sent.items() if i in heard]
    signal_ms = [(signalled[i] - t) * 1000 for i, (t, _done) in sent.items() if i in signalled]
    commit_ms = [(done - t) * 1000 for t, done in sent.values()]
    writes = sum(w for w, _s in load_totals)
    seconds = max((s for _w, s in load_totals), default=0.0)
    # Each booking write notifies twice: the booking and its audit entry.
    return Outcome(
        scenario=label,
        changes=len(sent),
        commit_ms=commit_ms,
        listener_ms=listener_ms,
        signal_ms=signal_ms,
        missing=len(sent) - len(signal_ms),
        load_writes_per_s=writes / seconds if seconds else 0.0,
        load_notices_per_s=2 * writes / seconds if seconds else 0.0,
        loadavg=loadavg,
    )


# -- set-up and report ---------------------------------------------------------------------


def seed(url: URL, clients: int) -> People:
    """An agent, a customer and one destination per load client (their bookings never overlap)."""
    from decimal import Decimal

    from desktop.bootstrap import build
    from desktop.db.engine import build_engine
    from desktop.domain.enums import Role
    from desktop.domain.permissions import Actor
    from desktop.services.context import AuditContext
    from desktop.services.destinations import DestinationDraft
    from desktop.services.passwords import HashParameters, Passwords
    from desktop.services.people import PersonDetails

    office = build(
        build_engine(url),
        passwords=Passwords(HashParameters(time_cost=1, memory_cost_kib=1024, parallelism=1)),
        audit=AuditContext(None, "bench seed"),
    )
    try:
        admin = office.auth.create_first_admin("Bench Admin", "admin@bench.example", BENCH_PASSWORD)
        person = office.staff.create(
            admin, PersonDetails("Bench Agent", "agent@bench.example"), Role.AGENT, BENCH_PASSWORD
        )
        agent = Actor(id=person.id, name=person.name, email=person.email, role=person.role)
        customer = office.customers.create(agent, PersonDetails("Load Client", "c@bench.example"))
        destinations = tuple(
            office.destinations.create(
                admin,
                DestinationDraft(
                    name=f"Load destination {n}",
                    description="Where the load clients book.",
                    country="Benchland",
                    city="Load",
                    price=Decimal("500.00"),
                    duration=3,
                    max_guests=4,
                    images=(),
                    features=(),
                    active=True,
                ),
            ).id
            for n in range(max(clients, 1))
        )
        return People((agent.id, agent.name, agent.email), customer.id, destinations)
    finally:
        office.close()


def _loadavg() -> str:
    with contextlib.suppress(OSError, AttributeError):
        return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return "?"


def machine(url: URL) -> list[str]:
    """What the figures were measured on (no paths, no host names)."""
    cpu = bench_repositories.cpu_name()
    with psycopg.connect(conninfo(url)) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
        sync = conn.execute("SHOW synchronous_commit").fetchone()
    import PySide6

    return [
        f"CPU: {cpu}, {os.cpu_count()} cores; {platform.system()}",
        f"PostgreSQL {version[0] if version else '?'} (fsync={fsync[0] if fsync else '?'}, "
        f"synchronous_commit={sync[0] if sync else '?'})",
        f"Python {platform.python_version()}, psycopg {psycopg.__version__}, "
        f"PySide6 {PySide6.__version__}",
    ]


def emit_leak() -> int:
    """References to ``True`` lost per 100 ``Signal.emit`` calls (0 unless PySide6 is faulty).

    PySide6 6.12.0 on Python 3.11 drops one on every emit; once ``True``'s count reaches
    zero the process aborts ("Fatal Python error: bool_dealloc"), after a few thousand
    signals. Python 3.12 and newer make ``True`` immortal, and PySide6 6.11 does not drop it.
    """
    from PySide6.QtCore import QCoreApplication, QObject, Signal

    class Probe(QObject):
        fired = Signal(object)

    app = QCoreApplication.instance() or QCoreApplication([])
    probe = Probe()
    before = sys.getrefcount(True)
    for _ in range(100):
        probe.fired.emit(None)
    lost = before - sys.getrefcount(True)
    for _ in range(max(lost, 0)):  # give back what the probe took
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    del probe, app
    return lost


def _p95(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _stats(samples: Sequence[float]) -> str:
    if not samples:
        return f"{'-':>8} {'-':>8} {'-':>8}"
    return f"{statistics.median(samples):>5.1f} ms {_p95(samples):>5.1f} ms {max(samples):>5.0f} ms"


def table(outcomes: Sequence[Outcome]) -> str:
    """Per scenario: the commit itself, then the listener and the signal, from COMMIT sent."""
    head = (
        f"{'scenario':<24} {'from the COMMIT sent to':<24} {'p50':>8} {'p95':>8} {'max':>8}  "
        f"{'missed':>6}  {'load writes/s':>13}  {'notices/s':>9}  {'load avg':>14}"
    )
    lines = [head, "-" * len(head)]
    for o in outcomes:
        rows = (
            ("its answer (the commit)", o.commit_ms, ""),
            ("the listener's callback", o.listener_ms, ""),
            (
                "the Qt signal",
                o.signal_ms,
                f"  {o.missing:>6}  {o.load_writes_per_s:>13.0f}  "
                f"{o.load_notices_per_s:>9.0f}  {o.loadavg:>14}",
            ),
        )
        for n, (what, samples, tail) in enumerate(rows):
            label = f"{o.scenario} ({o.changes})" if n == 0 else ""
            lines.append(f"{label:<24} {what:<24} {_stats(samples)}{tail}".rstrip())
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database-url", help="a server where databases may be created (default: own cluster)"
    )
    parser.add_argument("--changes", type=int, default=1000, help="timed changes per scenario")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="writing clients under load")
    parser.add_argument(
        "--interval-ms", type=float, default=15.0, help="pause between the writer's commits"
    )
    args = parser.parse_args(argv)
    interval = args.interval_ms / 1000
    outcomes: list[Outcome] = []
    with (
        bench_repositories.server(args.database_url, SERVER_SETTINGS) as admin_url,
        bench_repositories.database(admin_url, "notify", keep=False) as url,
    ):
        bench_repositories.migrate_to_head(url)
        for line in machine(url):
            print(line)
        if lost := emit_leak():
            print(
                f"WARNING: this PySide6 loses {lost} references to True per 100 Signal.emit "
                "calls; the application process will abort after a few thousand signals."
            )
        people = seed(url, args.clients)
        scenarios = [("idle", 0), (f"{args.clients} clients writing", args.clients)]
        for label, clients in scenarios:
            print(f"\n== {label} (load average {_loadavg()})", flush=True)
            outcome = run_scenario(
                url, people, label, clients=clients, changes=args.changes, interval_s=interval
            )
            outcomes.append(outcome)
            print(table([outcome]), flush=True)
    print(f"\n== {args.changes} changes per scenario, one commit every {args.interval_ms:g} ms")
    print(table(outcomes))
    worst = max((_p95(o.signal_ms) for o in outcomes if o.signal_ms), default=float("inf"))
    verdict = "met" if worst < TARGET_P95_MS else "missed"
    print(f"\nTarget: Qt signal p95 under {TARGET_P95_MS:.0f} ms: {verdict} (worst {worst:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
