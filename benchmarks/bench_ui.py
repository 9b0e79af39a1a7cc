"""The Bookings page against QSqlQueryModel and a naive ORM model at 10k, 100k and 1M bookings.

    python benchmarks/bench_ui.py                    # 10k, 100k and 1M, own cluster
    python benchmarks/bench_ui.py --quick            # 10k only
    python benchmarks/bench_ui.py --sizes 1m --models ours,qsql

For each size a fresh database is created, migrated to head and filled by
``generate.py`` (as ``bench_repositories.py`` does). Then each of three lists
of bookings is measured in a process of its own, so that resident memory is
that model's at that size, under ``QT_QPA_PLATFORM=offscreen`` in a window of
1280x800:

* ``ours``: the application's ``BookingsPage`` (its ``PagedTableModel`` and
  ``ListView``) over a real ``BackOffice``, signed in as the data's admin;
* ``qsql``: Qt's ``QSqlQueryModel`` on the ``QPSQL`` driver running the
  bookings list's own SELECT (the same 19 columns, joined names,
  ``ORDER BY created_at DESC, id DESC``) in a ``QTableView``;
* ``naive``: a ``QAbstractTableModel`` that loads every booking through the
  ORM (``desktop.db.models``) in its constructor, on the GUI thread.

Measured in each: the time from opening the list to its first painted rows
(and once more, warm); the time to reach the end of the list (ours: a click on
the "Created" header reverses the order, so the oldest bookings come first; the
others: every row fetched, then Ctrl+End); the GUI thread's event-loop latency
(the gaps of a 5 ms timer) while opening, reaching the end and scrolling
through 100,000 rows, with the median paint of the table and the longest full
garbage collection; resident memory before opening, after the scroll, and at
its peak. ``--repeat N`` runs every model N times, each in a fresh process and
in rotating order, and the table gives the medians. A run that passes
``--timeout`` is stopped and reported as such.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import ctypes
import gc
import json
import math
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import bench_repositories
import generate
import PySide6
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QEventLoop,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    qVersion,
)
from PySide6.QtGui import QPaintEvent, QStandardItem, QStandardItemModel
from PySide6.QtSql import QSqlDatabase, QSqlQueryModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import URL, Engine, make_url, select
from sqlalchemy.orm import Session as OrmSession

import desktop.ui.pages.base as pages_base
from desktop.bootstrap import BackOffice, Connection, build
from desktop.db.engine import build_engine
from desktop.db.models import Booking, Destination, User
from desktop.domain.enums import Role
from desktop.domain.permissions import Actor
from desktop.ui.app import make_application
from desktop.ui.ops import ops
from desktop.ui.pages.bookings import BookingsPage
from desktop.ui.session import Session
from desktop.ui.table_model import ColumnKind, format_value
from desktop.ui.widgets.list_view import ListView

Index = QModelIndex | QPersistentModelIndex

MODELS = ("ours", "qsql", "naive")
MODEL_LABELS = {
    "ours": "ours (PagedTableModel)",
    "qsql": "QSqlQueryModel (QPSQL)",
    "naive": "naive ORM model",
}
WINDOW = (1280, 800)
PROBE_MS = 5  # the latency probe's interval
SCROLL_ROWS = 100_000
SCROLL_STEP = 200  # rows per scroll step: one of our pages
SCROLL_TICK_MS = 16  # one step a frame (60 Hz), as fast as a dragged scroll bar moves
SCROLL_LIMIT_S = 300.0
WAIT_LIMIT_S = 600.0  # the longest wait for painted rows (the naive model at 1M needs ~1 min)
REOPEN_IF_UNDER_MS = 10_000  # opened again (warm) only when the first open was quicker
TARGET_FIRST_ROWS_MS = 100.0
TARGET_STALL_MS = 50.0
# References added to None in a child whose Qt binding drops one on every call that returns
# None (PySide6 6.12.0 on Python 3.11 does; see none_refs_dropped): enough for any run.
NONE_GUARD = 1 << 40

# The bookings list's statement, as BookingRepository.page sends it for the first page.
BOOKINGS_SQL = """
SELECT b.id, b.user_id, u.name AS customer_name, u.email AS customer_email, b.destination_id,
       d.name AS destination_name, b.start_date, b.end_date, b.guests, b.total_price, b.status,
       b.payment_status, b.payment_intent_id, b.special_requests, b.cancellation_reason,
       b.cancelled_at, b.created_at, b.updated_at, b.xmin::text AS version
FROM bookings b JOIN users u ON u.id = b.user_id JOIN destinations d ON d.id = b.destination_id
ORDER BY b.created_at DESC, b.id DESC
"""
# The columns of the statement that the Bookings page shows, in the page's order.
QSQL_VISIBLE = (0, 2, 5, 6, 7, 8, 9, 10, 11, 16)
# The page's starting widths (BookingsPage.column_widths), in the same order; the last stretches.
COLUMN_WIDTHS = (72, 150, 180, 84, 84, 64, 100, 100, 96)


# -- the parent: databases, children, the report ---------------------------------------


@dataclass
class Outcome:
    """One model at one size: every run's figures, and their medians."""

    size: str
    model: str
    status: str = "ok"  # ok, or the first problem: timeout, failed, skipped
    detail: str = ""
    runs: list[dict[str, Any]] = field(default_factory=list)  # the complete runs' figures
    loads: list[float] = field(default_factory=list)  # 1-minute load averages around the runs
    figures: dict[str, Any] = field(default_factory=dict)  # the medians of the runs

    def add(self, status: str, figures: dict[str, Any], detail: str) -> None:
        if status == "ok":
            self.runs.append(figures)
        elif self.status == "ok":
            self.status, self.detail = status, detail
        numbers: dict[str, list[float]] = {}
        # A run that stopped early still tells what it measured before it stopped.
        for run in self.runs or [figures]:
            for key, value in run.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    numbers.setdefault(key, []).append(float(value))
        self.figures = {key: statistics.median(values) for key, values in numbers.items()}

    def get(self, key: str) -> Any:
        return self.figures.get(key)


def run_child(spec: dict[str, Any], timeout_s: float) -> tuple[str, dict[str, Any], str]:
    """One measurement in a fresh process: its status, its figures, and what went wrong."""
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(target=child_main, args=(spec,), name=f"bench-ui-{spec['model']}")
    child.start()
    child.join(timeout_s)
    status, detail = "ok", ""
    if child.is_alive():
        status, detail = "timeout", f"stopped after {timeout_s:.0f} s"
        child.terminate()
        child.join(10)
        if child.is_alive():
            child.kill()
            child.join(10)
    figures: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        figures = json.loads(Path(spec["out"]).read_text())
    if status == "ok" and figures.get("error"):
        status, detail = "failed", str(figures["error"])
    elif status == "ok" and not figures.get("done"):
        status, detail = "failed", f"the child ended (exit code {child.exitcode}) before the end"
    return status, figures, detail


def admin_actor(url: URL) -> tuple[int, str, str]:
    """The generated data's admin (no one can sign in as generated staff: we act as them)."""
    with generate.connect(url) as conn:
        row = conn.execute(
            "SELECT id, name, email FROM users WHERE role = 'admin' ORDER BY id LIMIT 1"
        ).fetchone()
    if row is None:
        raise SystemExit("The data has no admin account; fill it with generate.py.")
    return int(row[0]), str(row[1]), str(row[2])


def count_bookings(url: URL) -> int:
    with generate.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM bookings").fetchone()
    return int(row[0]) if row else 0


def load_average() -> float | None:
    with contextlib.suppress(OSError, AttributeError):
        return os.getloadavg()[0]
    return None


def machine(admin_url: URL) -> list[str]:
    lines = bench_repositories.machine(admin_url)
    lines.append(f"PySide6 {PySide6.__version__}, Qt {qVersion()}, QT_QPA_PLATFORM=offscreen")
    return lines


@contextlib.contextmanager
def filled_database(
    admin_url: URL, size: str, *, keep: bool, existing: str | None, seed: int
) -> Iterator[URL]:
    """A database of ``size`` bookings: a new one, migrated and filled, or ``existing`` as is."""
    if existing:
        yield admin_url.set(database=existing)
        return
    with bench_repositories.database(admin_url, f"ui_{size}", keep=keep) as url:
        bench_repositories.migrate_to_head(url)
        generate.fill(url, generate.Sizes.scaled(bench_repositories.SIZES[size]), seed=seed)
        yield url


def _ms(value: float | None, width: int) -> str:
    if value is None:
        return f"{'-':>{width}}"
    return f"{value:>{width}.0f}" if value >= 100 else f"{value:>{width}.1f}"


def _mb(value: float | None, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.0f}"


def table(outcomes: Sequence[Outcome]) -> str:
    columns = (
        ("size", 5, ""),
        ("model", -23, ""),
        ("runs", 4, ""),
        ("first rows", 10, "ms"),
        ("again", 7, "ms"),
        ("jump to end", 11, "ms"),
        ("stall open", 10, "ms"),
        ("stall jump", 10, "ms"),
        ("scroll max", 10, "ms"),
        ("p99", 6, "ms"),
        ("paint", 6, "ms"),
        ("GC", 5, "ms"),
        ("scrolled", 9, "rows"),
        ("in", 6, "s"),
        ("RSS before", 10, "MB"),
        ("after", 6, "MB"),
        ("peak", 6, "MB"),
    )

    def line(cells: Sequence[str]) -> str:
        return " ".join(
            f"{c:<{-w}}" if w < 0 else f"{c:>{w}}"
            for c, (_, w, _) in zip(cells, columns, strict=True)
        ).rstrip()

    lines = [line([c[0] for c in columns]), line([c[2] for c in columns])]
    lines.append("-" * len(lines[0]))
    for o in outcomes:
        label = MODEL_LABELS.get(o.model, o.model)
        if o.status == "skipped":
            lines.append(f"{o.size:>5} {label:<23} skipped: {o.detail}")
            continue
        scrolled, seconds = o.get("scrolled_rows"), o.get("scroll_s")
        text = line(
            [
                o.size,
                label,
                str(len(o.runs)),
                _ms(o.get("first_rows_ms"), 0),
                _ms(o.get("again_ms"), 0),
                _ms(o.get("jump_ms"), 0),
                _ms(o.get("stall_open_max"), 0),
                _ms(o.get("stall_jump_max"), 0),
                _ms(o.get("stall_scroll_max"), 0),
                _ms(o.get("stall_scroll_p99"), 0),
                _ms(o.get("paint_p50_ms"), 0),
                _ms(o.get("gc_full_scroll_max_ms"), 0),
                "-" if scrolled is None else f"{scrolled:,.0f}",
                "-" if seconds is None else f"{seconds:.1f}",
                _mb(o.get("rss_before_mb"), 0),
                _mb(o.get("rss_after_mb"), 0),
                _mb(o.get("rss_peak_mb"), 0),
            ]
        )
        if o.status != "ok":
            text += f"  {o.status.upper()}: {o.detail}"
        lines.append(text)
    return "\n".join(lines)


def verdict(outcomes: Sequence[Outcome]) -> list[str]:
    """Our model against the issue's targets."""
    ours = [o for o in outcomes if o.model == "ours" and o.figures]
    if not ours:
        return []

    def listed(key: str, unit: str = "ms") -> str:
        parts = []
        for o in ours:
            value = o.get(key)
            shown = (_mb(value, 0) if unit == "MB" else _ms(value, 0)) if value is not None else "-"
            parts.append(f"{o.size} {shown} {unit}")
        return ", ".join(parts)

    def worst(key: str) -> float:
        values = [o.get(key) for o in ours]
        return math.inf if None in values else max(values)

    first_met = worst("first_rows_ms") < TARGET_FIRST_ROWS_MS
    scroll_met = worst("stall_scroll_max") <= TARGET_STALL_MS
    return [
        f"first rows under {TARGET_FIRST_ROWS_MS:.0f} ms at every size: "
        f"{'met' if first_met else 'MISSED'} ({listed('first_rows_ms')}; "
        f"warm: {listed('again_ms')})",
        f"no GUI-thread stall over {TARGET_STALL_MS:.0f} ms while scrolling: "
        f"{'met' if scroll_met else 'MISSED'} ({listed('stall_scroll_max')}); "
        f"while opening: {listed('stall_open_max')}; reversing the sort: "
        f"{listed('stall_jump_max')}",
        f"while scrolling, a paint of the table took {listed('paint_p50_ms')} (median) and "
        f"the longest full garbage collection {listed('gc_full_scroll_max_ms')}",
        f"resident memory after the scroll: {listed('rss_after_mb', 'MB')} "
        f"(rows scrolled: {listed('scrolled_rows', 'rows')})",
    ]


_sizes = bench_repositories._sizes
_models = bench_repositories.comma_list(MODELS, "model")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database-url", help="a server where databases may be created (default: own cluster)"
    )
    parser.add_argument(
        "--database",
        help="with --database-url and one size: a database filled by generate.py, used as it is",
    )
    parser.add_argument(
        "--sizes", type=_sizes, help="bookings: 10k,100k,1m (default all; 10k with --quick)"
    )
    parser.add_argument("--quick", action="store_true", help="10k bookings only")
    parser.add_argument(
        "--models", type=_models, help=f"comma-separated, from {','.join(MODELS)} (default all)"
    )
    parser.add_argument(
        "--max-naive",
        type=_sizes,
        default=["1m"],
        help="the largest size the naive model runs at (default 1m)",
    )
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="seconds per run of a model (default 900)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each model at each size, each in a fresh process; the table gives medians",
    )
    parser.add_argument(
        "--scroll-rows", type=int, default=SCROLL_ROWS, help="rows to scroll through"
    )
    parser.add_argument(
        "--scroll-step", type=int, default=SCROLL_STEP, help="rows the scroll bar moves a frame"
    )
    parser.add_argument("--seed", type=int, default=1, help="the data generator's seed")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument(
        "--profile", help="a folder for a cProfile of each child's GUI thread (<size>-<model>.prof)"
    )
    parser.add_argument(
        "--no-none-guard",
        action="store_true",
        help="let a binding that drops references to None abort the child, as it would the app",
    )
    args = parser.parse_args(argv)
    args.sizes = args.sizes or (["10k"] if args.quick else list(bench_repositories.SIZES))
    args.models = args.models or list(MODELS)
    if args.database and (not args.database_url or len(args.sizes) != 1):
        parser.error("--database needs --database-url and exactly one size")
    return args


def measure_size(
    args: argparse.Namespace, url: URL, size: str, work: Path, outcomes: list[Outcome]
) -> None:
    """Every model at one size, each in a process of its own."""
    total, actor = count_bookings(url), admin_actor(url)
    naive_limit = bench_repositories.SIZES[args.max_naive[-1]]
    print(f"\n== {size}: {total:,} bookings ({bench_repositories.load()})")
    mine = {model: Outcome(size, model) for model in args.models}
    outcomes.extend(mine.values())
    for repetition in range(args.repeat):
        # Each round starts with another model, so none always runs first.
        turn = repetition % len(args.models)
        for model in args.models[turn:] + args.models[:turn]:
            outcome = mine[model]
            if model == "naive" and bench_repositories.SIZES[size] > naive_limit:
                outcome.status, outcome.detail = "skipped", "above --max-naive"
                continue
            if outcome.status == "timeout":
                continue  # once is enough
            tag = f"{size}-{model}-{repetition}"
            spec = {
                "model": model,
                "url": url.render_as_string(hide_password=False),
                "actor": actor,
                "total": total,
                "scroll_rows": args.scroll_rows,
                "scroll_step": args.scroll_step,
                "out": str(work / f"{tag}.json"),
                "home": str(work / f"home-{tag}"),
                "none_guard": not args.no_none_guard,
                "profile": str(Path(args.profile) / f"{tag}.prof") if args.profile else None,
            }
            before, began = load_average(), time.monotonic()
            status, figures, detail = run_child(spec, args.timeout)
            if figures.get("pyside6", PySide6.__version__) != PySide6.__version__:
                detail += f" (warning: the run had PySide6 {figures['pyside6']})"
            outcome.add(status, figures, detail)
            after = load_average()
            outcome.loads += [x for x in (before, after) if x is not None]
            print(
                f"  {MODEL_LABELS[model]}: {status}, {time.monotonic() - began:.0f} s, "
                f"load average {before or 0:.1f} -> {after or 0:.1f} {detail}"
            )
    print()
    print(table([o for o in outcomes if o.size == size]))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    outcomes: list[Outcome] = []
    work = Path(tempfile.mkdtemp(prefix="exotic-bench-ui-"))
    try:
        with bench_repositories.server(args.database_url) as admin_url:
            described = machine(admin_url)
            print("\n".join(described))
            for size in args.sizes:
                with filled_database(
                    admin_url, size, keep=args.keep, existing=args.database, seed=args.seed
                ) as url:
                    measure_size(args, url, size, work, outcomes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n== all sizes")
    print("\n".join(described))
    loads = [x for o in outcomes for x in o.loads]
    if loads:
        print(f"load average (1 min) around the measurements: {min(loads):.1f} to {max(loads):.1f}")
    print(table(outcomes))
    print("\n".join(verdict(outcomes)))
    if args.json:
        rows = [
            {
                "size": o.size,
                "model": o.model,
                "status": o.status,
                "detail": o.detail,
                "loads": o.loads,
                "medians": o.figures,
                "runs": o.runs,
            }
            for o in outcomes
        ]
        Path(args.json).write_text(
            json.dumps({"machine": described, "results": rows}, indent=2, default=str)
        )
    return 0


# -- the child: one model, one size, one process ------------------------------------------


def child_main(spec: dict[str, Any]) -> None:
    """Measure one model; the figures are saved after every step, so a timeout keeps them."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["EXOTIC_HOME"] = spec["home"]  # no remembered layout, no real profile
    figures: dict[str, Any] = {"model": spec["model"], "pyside6": PySide6.__version__}
    out = Path(spec["out"])

    def save() -> None:
        out.write_text(json.dumps(figures, default=str))

    try:
        figures["none_refs_dropped_per_call"] = none_refs_dropped()
        if figures["none_refs_dropped_per_call"] > 0.5 and spec["none_guard"]:
            # The process would abort ("deallocating None") after some 40,000 such calls,
            # within seconds of scrolling; keep None alive so the rest can be measured.
            ctypes.c_ssize_t.from_address(id(None)).value += NONE_GUARD
            figures["none_guard"] = True
        measure(spec, figures, save)
        figures["done"] = True
    except Exception as exc:  # the parent reports it; the traceback goes to stderr
        traceback.print_exc()
        figures["error"] = f"{type(exc).__name__}: {exc}"
    save()


def none_refs_dropped() -> float:
    """References to None lost per binding call that returns None (0 with a sound binding)."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(1000):
        probe.setObjectName("probe")  # returns None
    return (before - sys.getrefcount(None)) / 1000


def rss_mb() -> tuple[float, float]:
    """Resident memory now and at its peak, in MB (Linux; elsewhere the peak for both)."""
    now = peak = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    if now is None or peak is None:
        import resource  # Unix only; Linux reads /proc above

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if sys.platform == "darwin":  # bytes there, kilobytes on Linux
            peak /= 1024
        now = peak
    return now, peak


def measure(spec: dict[str, Any], figures: dict[str, Any], save: Callable[[], None]) -> None:
    app = make_application(["bench_ui"])
    window = QWidget()
    window.setObjectName("benchWindow")
    layout = QVBoxLayout(window)
    layout.setContentsMargins(0, 0, 0, 0)
    window.resize(*WINDOW)
    window.show()
    warm_up(layout)
    subject = SUBJECTS[spec["model"]](spec, layout)
    subject.connect()  # as after signing in: the connection is up before the list opens
    idle(100)
    figures["rss_before_mb"] = rss_mb()[0]
    save()
    probe = LatencyProbe()
    collections = GarbageCollections(probe)
    probe.start()
    idle(50)  # the probe ticks before anything is measured
    profiler = cProfile.Profile() if spec.get("profile") else None
    try:
        if profiler is not None:
            profiler.runcall(walk, subject, probe, spec, figures, save)
        else:
            walk(subject, probe, spec, figures, save)
    finally:
        probe.stop()
        collections.stop()
        if profiler is not None:
            profiler.dump_stats(spec["profile"])
    figures["rss_after_mb"], figures["rss_peak_mb"] = rss_mb()
    for phase in ("open", "again", "jump", "scroll"):
        gaps = probe.gaps.get(phase, [])
        figures[f"stall_{phase}_max"] = max(gaps) if gaps else None
        figures[f"stall_{phase}_p99"] = percentile(gaps, 0.99) if gaps else None
        figures[f"stall_{phase}_ticks"] = len(gaps)
        full = collections.full.get(phase, [])
        figures[f"gc_full_{phase}_count"] = len(full)
        figures[f"gc_full_{phase}_max_ms"] = max(full) if full else 0.0
    save()
    subject.close()
    subject.disconnect()
    window.close()
    app.processEvents()


def walk(
    subject: Subject,
    probe: LatencyProbe,
    spec: dict[str, Any],
    figures: dict[str, Any],
    save: Callable[[], None],
) -> None:
    """Open the list (twice), reach its end, scroll through it; the probe notes each phase."""
    probe.phase = "open"
    figures["first_rows_ms"] = subject.open()
    subject.settle()
    figures["rss_open_mb"] = rss_mb()[0]
    figures.update(subject.details)
    save()
    if figures["first_rows_ms"] < REOPEN_IF_UNDER_MS:
        probe.phase = "again"
        subject.close()
        figures["again_ms"] = subject.open()
        subject.settle()
        figures.update({f"again_{k}": v for k, v in subject.details.items()})
        save()

    probe.phase = "jump"
    figures["jump_ms"] = subject.jump_to_end()
    subject.settle()
    figures.update({k: v for k, v in subject.details.items() if k.startswith("end_")})
    save()
    probe.phase = "back"
    subject.back_to_start()
    subject.settle()

    # SCROLL_ROWS rows, or the whole table when it is smaller.
    probe.phase = "scroll"
    target = min(int(spec["scroll_rows"]), int(spec["total"]))
    paints = len(PaintHook.paint_ms)
    figures["scrolled_rows"], figures["scroll_s"] = scroll_through(
        subject, target, int(spec["scroll_step"])
    )
    painted = PaintHook.paint_ms[paints:]
    figures["scroll_paints"] = len(painted)
    figures["paint_p50_ms"] = percentile(painted, 0.5) if painted else None
    figures["paint_max_ms"] = max(painted) if painted else None
    subject.settle()
    probe.phase = "end"
    figures["none_refs_dropped_per_paint"] = none_refs_per_paint(subject.view)


def none_refs_per_paint(view: QTableView) -> float:
    """References to None the binding drops in one full paint of the list (nothing loading)."""
    before = sys.getrefcount(None)
    for _ in range(10):
        view.viewport().repaint()
    return (before - sys.getrefcount(None)) / 10


def warm_up(layout: QVBoxLayout) -> None:
    """Paint a small table once, as the sign-in dialog and the main window would have by then.

    The first text a process draws loads the font database (a few hundred ms here);
    that belongs to starting the application, not to opening a list.
    """
    model = QStandardItemModel(30, 10)
    for row in range(30):
        for column in range(10):
            model.setItem(row, column, QStandardItem(f"warm-up {row}.{column}"))
    view = TimedTableView()
    view.setModel(model)
    layout.addWidget(view)
    view.show()
    idle(300)
    layout.removeWidget(view)
    view.hide()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    idle(100)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def idle(ms: int) -> None:
    """Let the event loop run for ``ms`` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        idle(5)
    return True


class LatencyProbe(QObject):
    """A 5 ms timer on the GUI thread: the gaps between its ticks are the event loop's latency."""

    def __init__(self) -> None:
        super().__init__()
        self.gaps: dict[str, list[float]] = {}
        self.phase = "idle"  # gaps that end while it is set count for it
        self._last: float | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(PROBE_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = None
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.gaps.setdefault(self.phase, []).append((now - self._last) * 1000)
        self._last = now


class GarbageCollections:
    """Full (generation 2) garbage collections by phase, in ms, on whichever thread ran them.

    A full collection walks every object the process holds while it holds the GIL,
    so the GUI thread waits for it wherever it runs.
    """

    def __init__(self, probe: LatencyProbe) -> None:
        self.probe = probe
        self.full: dict[str, list[float]] = {}
        self._began: dict[int, float] = {}
        gc.callbacks.append(self._event)

    def stop(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._event)

    def _event(self, phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        thread = threading.get_ident()
        if phase == "start":
            self._began[thread] = time.perf_counter()
        elif thread in self._began:
            took = (time.perf_counter() - self._began.pop(thread)) * 1000
            self.full.setdefault(self.probe.phase, []).append(took)


class PaintHook:
    """Mixed into a view: calls ``painted_hook`` once its viewport has been painted."""

    painted_hook: Callable[[], None] | None = None
    paint_ms: ClassVar[list[float]] = []  # every view's paints, in milliseconds

    def paintEvent(self, event: QPaintEvent) -> None:
        began = time.perf_counter()
        super().paintEvent(event)  # type: ignore[misc]
        PaintHook.paint_ms.append((time.perf_counter() - began) * 1000)
        if self.painted_hook is not None:
            self.painted_hook()


class TimedTableView(PaintHook, QTableView):
    pass


class TimedListView(PaintHook, ListView):
    pass


def until_painted(view: PaintHook, action: Callable[[], None], ready: Callable[[], bool]) -> float:
    """Milliseconds from ``action()`` to the end of the first paint after which ``ready()``."""
    loop = QEventLoop()
    stamp: list[float] = []

    def hook() -> None:
        if not stamp and ready():
            stamp.append(time.perf_counter())
            loop.quit()

    view.painted_hook = hook
    limit = QTimer()
    limit.setSingleShot(True)
    limit.timeout.connect(loop.quit)
    began = time.perf_counter()
    action()
    limit.start(int(WAIT_LIMIT_S * 1000))
    if not stamp:
        loop.exec()
    limit.stop()
    view.painted_hook = None
    if not stamp:
        raise TimeoutError(f"no painted rows within {WAIT_LIMIT_S:.0f} s")
    return (stamp[0] - began) * 1000


def scroll_through(subject: Subject, target: int, step: int) -> tuple[int, float]:
    """Move the scroll bar down ``step`` rows a frame until row ``target`` has been shown.

    The view asks the model for more (``fetchMore``) whenever the bar reaches its
    end, as when a person drags it there. The rows shown and the seconds it took.
    """
    view = subject.view
    bar = view.verticalScrollBar()
    loop = QEventLoop()
    shown = [0]

    def tick() -> None:
        bottom = view.rowAt(view.viewport().height() - 1)
        if bottom < 0:
            bottom = view.model().rowCount() - 1
        shown[0] = max(shown[0], min(bottom + 1, subject.loaded_rows()))
        if shown[0] >= target:
            loop.quit()
            return
        bar.setValue(min(bar.value() + step, bar.maximum()))

    driver = QTimer()
    driver.setTimerType(Qt.TimerType.PreciseTimer)
    driver.setInterval(SCROLL_TICK_MS)
    driver.timeout.connect(tick)
    limit = QTimer()
    limit.setSingleShot(True)
    limit.timeout.connect(loop.quit)
    began = time.perf_counter()
    driver.start()
    limit.start(int(SCROLL_LIMIT_S * 1000))
    loop.exec()
    driver.stop()
    limit.stop()
    return shown[0], time.perf_counter() - began


# -- the three lists --------------------------------------------------------------------


class Subject:
    """One list in the window: how it opens, reaches its end and scrolls."""

    def __init__(self, spec: dict[str, Any], layout: QVBoxLayout) -> None:
        self.spec = spec
        self.layout = layout
        self.url = make_url(spec["url"])
        self.view: Any = None
        self.details: dict[str, Any] = {}

    def connect(self) -> None:
        raise NotImplementedError

    def disconnect(self) -> None:
        raise NotImplementedError

    def open(self) -> float:
        """Milliseconds from opening the list to its first painted rows."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def jump_to_end(self) -> float:
        """Milliseconds from asking for the end of the list to its painted rows."""
        raise NotImplementedError

    def back_to_start(self) -> None:
        raise NotImplementedError

    def loaded_rows(self) -> int:
        return int(self.view.model().rowCount())

    def settle(self) -> None:
        """Let late work arrive (counts, combo boxes), then a moment more."""
        idle(150)

    def _remove(self, widget: QWidget) -> None:
        self.layout.removeWidget(widget)
        widget.hide()
        widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()


class Ours(Subject):
    """The application's Bookings page over a real BackOffice, signed in as an admin."""

    def connect(self) -> None:
        ident, name, email = self.spec["actor"]
        self.engine: Engine = build_engine(self.url)
        self.office: BackOffice = build(self.engine)
        with self.engine.connect() as conn:  # signing in leaves a connection in the pool
            conn.exec_driver_sql("SELECT 1")
        self.office.bookings.warm_up()  # as the window does while the sign-in dialog waits
        actor = Actor(ident, name, email, Role.ADMIN)
        self.session = Session(self.office, actor, Connection("bench", "bench", True))
        self.page: BookingsPage | None = None
        # The page builds its ListView; this one also says when it has painted.
        pages_base.ListView = TimedListView  # type: ignore[misc]

    def disconnect(self) -> None:
        ops().wait_for_done(30_000)
        self.office.close()

    def open(self) -> float:
        """Built as the main window builds its pages; opened (shown, started) on the clock."""
        began = time.perf_counter()
        page = self.page = BookingsPage(self.session)
        self.details = {"construct_ms": (time.perf_counter() - began) * 1000}
        self.view = page.view
        model = page.model
        rows_in: list[float] = []
        model.reset_done.connect(lambda: rows_in.append(time.perf_counter()))

        def show() -> None:
            self.layout.addWidget(page)
            page.show()
            page.start()

        began = time.perf_counter()
        took = until_painted(
            self.view, show, lambda: model.row(0) is not None or model.failed is not None
        )
        if model.failed is not None:
            raise RuntimeError(f"the page could not load: {model.failed}")
        if rows_in:
            self.details["rows_in_ms"] = (rows_in[0] - began) * 1000
        return took

    def close(self) -> None:
        if self.page is not None:
            self.settle()
            self._remove(self.page)
            self.page = None

    def settle(self) -> None:
        wait_until(lambda: ops().pending == 0, 60)
        idle(150)

    def loaded_rows(self) -> int:
        assert self.page is not None
        model = self.page.model
        return model.rowCount() - (1 if model.is_loading() else 0)

    def _click_created(self) -> None:
        """A click on the "Created" column's header, as a person reverses the order."""
        assert self.page is not None
        section = [c.key for c in self.page.model.columns].index("created_at")
        header = self.page.view.horizontalHeader()
        x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
        QTest.mouseClick(
            header.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            QPoint(x, header.height() // 2),
        )

    def _sorted(self, descending: bool) -> float:
        assert self.page is not None
        model = self.page.model
        took = until_painted(
            self.view,
            self._click_created,
            lambda: (
                model.sort_order.descending is descending
                and (model.row(0) is not None or model.failed is not None)
            ),
        )
        if model.failed is not None:
            raise RuntimeError(f"the page could not load: {model.failed}")
        return took

    def jump_to_end(self) -> float:
        """The end of a keyset list is the start of its reversed order: a header click."""
        took = self._sorted(descending=False)
        assert self.page is not None
        first = self.page.model.row(0)
        self.details["end_first_id"] = first.id if first is not None else None
        return took

    def back_to_start(self) -> None:
        self._sorted(descending=True)


class TableSubject(Subject):
    """A plain QTableView set up as the page's is: whole rows, no grid, the same widths."""

    def __init__(self, spec: dict[str, Any], layout: QVBoxLayout) -> None:
        super().__init__(spec, layout)
        self.model: Any = None

    def new_view(self) -> TimedTableView:
        view = TimedTableView()
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setShowGrid(False)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 12)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return view

    def make_model(self) -> Any:
        raise NotImplementedError

    def shown_columns(self) -> Sequence[int]:
        raise NotImplementedError

    def open(self) -> float:
        """The view is built beforehand; the model (and its query) on the clock."""
        view = self.view = self.new_view()

        def show() -> None:
            self.model = self.make_model()
            view.setModel(self.model)
            shown = self.shown_columns()
            for column in range(self.model.columnCount()):
                view.setColumnHidden(column, column not in shown)
            for column, width in zip(shown, COLUMN_WIDTHS, strict=False):
                view.setColumnWidth(column, width)
            self.layout.addWidget(view)
            view.show()

        return until_painted(
            view, show, lambda: self.model is not None and self.model.rowCount() > 0
        )

    def close(self) -> None:
        if self.view is not None:
            self.view.setModel(None)
            self._remove(self.view)
            self.view = self.model = None
            gc.collect()

    def jump_to_end(self) -> float:
        """Ctrl+End after fetching every row: what reaching the end costs a fetching model."""
        model, view = self.model, self.view
        bar = view.verticalScrollBar()
        fetches = [0]

        def press() -> None:
            while model.canFetchMore(QModelIndex()):
                model.fetchMore(QModelIndex())
                fetches[0] += 1
            view.setFocus()
            QTest.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)

        took = until_painted(
            view,
            press,
            lambda: not model.canFetchMore(QModelIndex()) and bar.value() == bar.maximum(),
        )
        self.details["end_fetches"] = fetches[0]
        return took

    def back_to_start(self) -> None:
        view = self.view
        bar = view.verticalScrollBar()
        until_painted(
            view,
            lambda: QTest.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier),
            lambda: bar.value() == 0,
        )


class QSql(TableSubject):
    """Qt's QSqlQueryModel on the QPSQL driver, running the list's own SELECT."""

    CONNECTION = "bench"

    def connect(self) -> None:
        url = self.url
        host = url.query.get("host") or url.host or "localhost"  # a socket folder, or a host
        port = url.query.get("port") or url.port or 5432
        db = QSqlDatabase.addDatabase("QPSQL", self.CONNECTION)
        db.setHostName(str(host))
        db.setPort(int(str(port)))
        db.setUserName(url.username or "")
        db.setPassword(url.password or "")
        db.setDatabaseName(url.database or "")
        if not db.open():
            raise RuntimeError(f"QPSQL could not connect: {db.lastError().text()}")
        self.db = db

    def disconnect(self) -> None:
        self.db.close()
        del self.db
        QSqlDatabase.removeDatabase(self.CONNECTION)

    def make_model(self) -> QSqlQueryModel:
        model = QSqlQueryModel()
        model.setQuery(BOOKINGS_SQL, self.db)
        if model.lastError().isValid():
            raise RuntimeError(f"QSqlQueryModel: {model.lastError().text()}")
        return model

    def shown_columns(self) -> Sequence[int]:
        return QSQL_VISIBLE


K = ColumnKind
NAIVE_COLUMNS: list[tuple[str, Callable[[Any], Any], ColumnKind]] = [
    ("Booking", lambda r: f"#{r[0].id}", K.TEXT),
    ("Customer", lambda r: r[1], K.TEXT),
    ("Destination", lambda r: r[2], K.TEXT),
    ("Start", lambda r: r[0].start_date, K.DATE),
    ("End", lambda r: r[0].end_date, K.DATE),
    ("Guests", lambda r: r[0].guests, K.NUMBER),
    ("Total", lambda r: r[0].total_price, K.MONEY),
    ("Status", lambda r: r[0].status, K.BADGE),
    ("Payment", lambda r: r[0].payment_status, K.BADGE),
    ("Created", lambda r: r[0].created_at, K.DATETIME),
]
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class NaiveBookings(QAbstractTableModel):
    """Every booking as an ORM object, loaded in the constructor, on the GUI thread."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        stmt = (
            select(Booking, User.name, Destination.name)
            .join(User, User.id == Booking.user_id)
            .join(Destination, Destination.id == Booking.destination_id)
            .order_by(Booking.created_at.desc(), Booking.id.desc())
        )
        with OrmSession(engine) as session:
            self.rows = session.execute(stmt).all()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(NAIVE_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return NAIVE_COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        _title, value, kind = NAIVE_COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(kind, value(self.rows[index.row()]))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if kind in (K.NUMBER, K.MONEY) else _LEFT
        return None


class Naive(TableSubject):
    """Every booking through the ORM, in the model's constructor, on the GUI thread."""

    def connect(self) -> None:
        self.engine = build_engine(self.url)
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def disconnect(self) -> None:
        self.engine.dispose()

    def make_model(self) -> NaiveBookings:
        return NaiveBookings(self.engine)

    def shown_columns(self) -> Sequence[int]:
        return range(len(NAIVE_COLUMNS))


SUBJECTS: dict[str, type[Subject]] = {"ours": Ours, "qsql": QSql, "naive": Naive}


if __name__ == "__main__":
    sys.exit(main())
