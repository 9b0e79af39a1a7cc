"""Listening to ``exotic_changes``: one connection per application, in a background thread.

The listener connects directly to PostgreSQL (never through a transaction
pooler such as PgBouncer, which cannot hold a LISTEN), in autocommit, outside
the pool. It hands each change to plain callbacks; the UI layer turns them
into Qt signals. When the connection dies it says so, retries with a growing
pause, and says so again when it is back: notifications sent meanwhile are
lost, so listeners reload what they show.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

import psycopg
from psycopg import sql
from sqlalchemy import URL

from desktop.db.engine import NETWORK_TIMEOUTS
from desktop.domain.changes import Change

log = logging.getLogger(__name__)

CHANNEL = "exotic_changes"
RETRY_PAUSES_S = (0.5, 1.0, 2.0, 3.0, 5.0)
HEALTH_CHECK_EVERY_S = 5.0


def conninfo(url: URL) -> str:
    """A libpq connection string for a SQLAlchemy URL (socket folders included)."""
    params: dict[str, object] = {
        "host": url.host or url.query.get("host"),
        "port": url.port or url.query.get("port"),
        "dbname": url.database,
        "user": url.username,
        "password": url.password,
    }
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "application_name"):
        if key in url.query:
            params[key] = url.query[key]
    return psycopg.conninfo.make_conninfo(
        **{k: v for k, v in params.items() if v not in (None, "")}  # type: ignore[arg-type]
    )


class ChangeListener:
    """LISTEN in a daemon thread; ``on_change`` and ``on_state`` run on that thread."""

    def __init__(
        self,
        url: URL,
        on_change: Callable[[Change], None],
        on_state: Callable[[bool], None] | None = None,
        *,
        retry_pauses: tuple[float, ...] = RETRY_PAUSES_S,
    ) -> None:
        self._conninfo = conninfo(url)
        self._on_change = on_change
        self._on_state = on_state or (lambda _connected: None)
        self._retry_pauses = retry_pauses
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connected = False
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None

    @property
    def connected(self) -> bool:
        return self._connected

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="exotic-changes", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.cancel_safe()  # wakes notifies() at once
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _set_state(self, connected: bool) -> None:
        if connected != self._connected:
            self._connected = connected
            try:
                self._on_state(connected)
            except Exception:
                log.exception("A connection-state callback failed")

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                self._listen()
                attempt = 0
            except psycopg.Error as exc:
                if self._stop.is_set():
                    break
                log.info("Change listener lost its connection: %s", str(exc).strip())
                self._set_state(False)
                pause = self._retry_pauses[min(attempt, len(self._retry_pauses) - 1)]
                attempt += 1
                self._stop.wait(pause)
        self._set_state(False)

    def _listen(self) -> None:
        with psycopg.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=5,
            application_name="exotic-travel listener",
            # Without tcp_user_timeout the health check's SELECT 1 on a silently dropped
            # network would wait for TCP's retransmissions to give up (about 15 minutes).
            **NETWORK_TIMEOUTS,  # type: ignore[arg-type]
        ) as conn:
            self._conn = conn
            try:
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
                self._set_state(True)
                last_check = time.monotonic()
                while not self._stop.is_set():
                    for notify in conn.notifies(timeout=0.5, stop_after=50):
                        change = Change.from_payload(notify.payload)
                        if change is not None:
                            self._deliver(change)
                    if time.monotonic() - last_check > HEALTH_CHECK_EVERY_S:
                        conn.execute("SELECT 1")  # a silent network drop shows up here
                        last_check = time.monotonic()
            finally:
                self._conn = None

    def _deliver(self, change: Change) -> None:
        try:
            self._on_change(change)
        except Exception:
            log.exception("A change callback failed for %s", change)
