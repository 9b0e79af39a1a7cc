"""Engines built with the design's connection pool settings."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, exc
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from desktop.config import PoolSettings
from desktop.version import __version__

log = logging.getLogger(__name__)

_IDLE_SINCE = "exotic_idle_since"
CONNECT_TIMEOUT_S = 10
# A network that drops silently (no reset) must end a connection in seconds, not after
# TCP's retransmissions give up (about 15 minutes on Linux): probe a quiet connection
# after 10 s, and close one whose sent data or probes stay unacknowledged for 10 s.
# libpq ignores these on Unix sockets, and tcp_user_timeout where the system lacks it.
NETWORK_TIMEOUTS: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,  # milliseconds
}


def build_engine(
    url: URL, pool: PoolSettings | None = None, *, prepared_statements: bool = True, **kwargs: Any
) -> Engine:
    """An engine whose pool follows the design.

    At most ``max_connections`` (25) connections, ``idle_connections`` (5) kept
    open between uses, each replaced after ``lifetime_seconds`` (1 h), none
    handed out after ``idle_timeout_seconds`` (15 min) idle, and every one
    pinged before use so a restarted server costs no failed request.

    Behind a transaction-mode pooler (PgBouncer before 1.21) server-side prepared
    statements must be off (``prepared_statements=False``): the next transaction
    may run on another server connection that never saw them.

    With them on, psycopg prepares a statement once it has run five times, and
    the server may then plan it once for any parameters (a generic plan): for a
    customer search by a name fragment that plan walks the name index past every
    customer (76 ms instead of 4 ms at 1,000,000 bookings' 100,000 customers).
    Each new connection asks for a plan for each execution's values
    (``plan_cache_mode``) and keeps the saved parsing. (Behind a pooler nothing is
    prepared, so nothing is set on its shared server connections.)
    """
    pool = pool or PoolSettings()
    connect_args: dict[str, Any] = {
        "application_name": f"exotic-travel {__version__}",
        "connect_timeout": CONNECT_TIMEOUT_S,
        **NETWORK_TIMEOUTS,
        **kwargs.pop("connect_args", {}),
    }
    if not prepared_statements:
        connect_args["prepare_threshold"] = None
    engine = create_engine(
        url,
        pool_size=pool.idle_connections,
        max_overflow=pool.max_connections - pool.idle_connections,
        pool_recycle=pool.lifetime_seconds,
        pool_pre_ping=True,
        pool_timeout=30,
        hide_parameters=True,  # error messages never carry the values (names, hashes)
        connect_args=connect_args,
        **kwargs,
    )
    _close_idle_connections(engine, pool.idle_timeout_seconds)
    if prepared_statements:
        event.listen(engine, "connect", _plan_for_each_execution)
    return engine


def _plan_for_each_execution(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # a session setting, outside any transaction
    dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.autocommit = autocommit


def _close_idle_connections(engine: Engine, idle_timeout_s: float) -> None:
    """Retire a pooled connection that sat idle longer than the limit instead of reusing it."""

    @event.listens_for(engine, "checkin")
    def _mark_idle(_dbapi: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _refuse_stale(
        _dbapi: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is not None and time.monotonic() - idle_since > idle_timeout_s:
            log.debug("Closing a pooled connection idle for more than %.0f s", idle_timeout_s)
            # The pool closes this connection and retries with a fresh one.
            raise exc.DisconnectionError("connection idle for longer than the pool's limit")
