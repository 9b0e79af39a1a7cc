"""The engine's pool follows the design, and idle connections past the limit are retired."""

from __future__ import annotations

import time

from sqlalchemy import URL, Engine, text
from sqlalchemy.pool import QueuePool

from desktop.config import PoolSettings
from desktop.db.engine import build_engine


def test_engine_is_built_with_the_designs_pool_settings(database_url: URL) -> None:
    engine = build_engine(database_url)
    try:
        pool = engine.pool
        assert isinstance(pool, QueuePool)
        assert pool.size() == 5  # idle connections kept
        assert pool.size() + pool._max_overflow == 25  # at most 25 connections
        assert pool._recycle == 3600  # lifetime 1 hour
        assert pool._pre_ping is True  # health-checked before use
    finally:
        engine.dispose()


def test_pool_settings_are_configurable(database_url: URL) -> None:
    engine = build_engine(
        database_url,
        PoolSettings(
            max_connections=8, idle_connections=2, lifetime_seconds=60, idle_timeout_seconds=30
        ),
    )
    try:
        pool = engine.pool
        assert isinstance(pool, QueuePool)
        assert (pool.size(), pool._max_overflow, pool._recycle) == (2, 6, 60)
    finally:
        engine.dispose()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _backend_gone(engine: Engine, pid: int, timeout: float = 5.0) -> bool:
    """True once the server no longer lists the backend (its exit is asynchronous)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            count = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {"p": pid}
            ).scalar_one()
            if count == 0:
                return True
            time.sleep(0.05)
    return False


def test_a_connection_idle_longer_than_the_limit_is_not_handed_out(database_url: URL) -> None:
    engine = build_engine(database_url, PoolSettings(idle_timeout_seconds=1))
    try:
        first = _backend_pid(engine)
        assert _backend_pid(engine) == first, "a recently used connection is reused"

        time.sleep(1.5)
        assert _backend_pid(engine) != first, "the idle connection must not be handed out"
        assert _backend_gone(engine, first), "and it must be closed on the server"
    finally:
        engine.dispose()


def test_prepared_statements_are_planned_for_their_values(database_url: URL) -> None:
    """psycopg prepares repeated statements; the server must not settle on a generic plan."""
    engine = build_engine(database_url)
    unprepared = build_engine(database_url, prepared_statements=False)  # behind a pooler
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
        with unprepared.connect() as conn:  # no session setting on a pooler's connection
            assert conn.scalar(text("SHOW plan_cache_mode")) == "auto"
    finally:
        engine.dispose()
        unprepared.dispose()
