"""Two windows on the local database, the second named by its socket URL: both count.

The first window starts the local database; a second one is started with that
database's URL (``--database-url`` or ``EXOTIC_DATABASE_URL``), from another profile.
When the first exits, the server must keep running for the second; when the second
exits, the server stops.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, text
from sqlalchemy.pool import NullPool

from desktop.db import migrate
from tests import startup_failures as fail

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def homes() -> Iterator[tuple[Path, Path]]:
    first, second = fail.new_home("exotic-shared-a-"), fail.new_home("exotic-shared-b-")
    fail.choose_local(first)
    yield first, second
    fail.remove_home(first)
    fail.remove_home(second)


def _window(home: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "EXOTIC_DATABASE_URL"}
    env.update(EXOTIC_HOME=str(home), QT_QPA_PLATFORM="offscreen", **extra)
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "desktop", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait(predicate, what: str, timeout: float = 90) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.2)


def _clients(data_dir: Path) -> set[int]:
    try:
        raw = json.loads(data_dir.with_name("database.clients.json").read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    return {int(client["pid"]) for client in raw}


def _at_head(url: URL) -> bool:
    engine = create_engine(url, poolclass=NullPool)
    try:
        return migrate.status(engine).at_head
    except Exception:
        return False
    finally:
        engine.dispose()


def _answers(url: URL) -> bool:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def _stop(window: subprocess.Popen[str]) -> int:
    window.send_signal(signal.SIGTERM)
    try:
        return window.wait(timeout=30)
    finally:
        if window.poll() is None:
            window.kill()


@pytest.mark.parametrize("given_by", ["--database-url", "EXOTIC_DATABASE_URL"])
def test_the_server_keeps_running_for_a_window_that_named_it_by_url(
    homes: tuple[Path, Path], given_by: str
) -> None:
    first_home, second_home = homes
    data_dir = fail.dirs_of(first_home).embedded_cluster
    url = URL.create(
        "postgresql+psycopg",
        username="postgres",
        database="exotic_travel",
        query={"host": str(data_dir), "port": "5432"},
    )
    first = _window(first_home)
    second: subprocess.Popen[str] | None = None
    try:
        _wait(lambda: _at_head(url), "the first window has started and migrated it")
        raw = url.render_as_string(hide_password=False)
        if given_by == "--database-url":
            second = _window(second_home, "--database-url", raw)
        else:
            second = _window(second_home, EXOTIC_DATABASE_URL=raw)
        _wait(lambda: second.pid in _clients(data_dir), "the second window joined")

        assert _stop(first) == 0
        time.sleep(2)  # time enough for a stop to happen, if it wrongly would
        assert fail.servers_of(first_home), "the server still runs for the second window"
        assert _answers(url)
        assert second.poll() is None

        assert _stop(second) == 0
        _wait(lambda: not fail.servers_of(first_home), "the last window's exit stopped it", 30)
        assert "Traceback" not in (second.stderr.read() if second.stderr else "")
    finally:
        for window in (first, second):
            if window is not None and window.poll() is None:
                window.kill()
