"""The ``exotic-travel db`` commands and plain Alembic, run as a person would run them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from sqlalchemy import URL

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str, env: dict[str, str], cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "desktop", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def fresh_home() -> Iterator[dict[str, str]]:
    """A user profile with nothing configured: the embedded default applies."""
    home = Path(tempfile.mkdtemp(prefix="exotic-cli-home-"))
    env = {k: v for k, v in os.environ.items() if k != "EXOTIC_DATABASE_URL"}
    env["EXOTIC_HOME"] = str(home)
    yield env
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(home) in " ".join(proc.info["cmdline"] or []):
            proc.kill()
    shutil.rmtree(home, ignore_errors=True)


def _url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def test_upgrade_status_downgrade_upgrade_on_a_server(
    empty_database_url: URL, fresh_home: dict[str, str]
) -> None:
    target = ["--database-url", _url(empty_database_url)]
    status = _run(*target, "db", "status", env=fresh_home)
    assert status.returncode == 0, status.stderr
    assert "none (empty database)" in status.stdout
    assert "0001_design_baseline" in status.stdout
    assert "at head" not in status.stdout

    assert _run(*target, "db", "upgrade", env=fresh_home).returncode == 0
    status = _run(*target, "db", "status", env=fresh_home)
    assert "at head" in status.stdout
    assert f"database {empty_database_url.database}" in status.stdout

    down = _run(*target, "db", "downgrade", "base", env=fresh_home)
    assert down.returncode == 0, down.stderr
    assert "none (empty database)" in down.stdout

    again = _run(*target, "db", "upgrade", env=fresh_home)
    assert "at head" in again.stdout


def test_embedded_default_is_created_migrated_and_left_stopped(
    fresh_home: dict[str, str],
) -> None:
    cluster = Path(fresh_home["EXOTIC_HOME"]) / "data" / "database"
    up = _run("db", "upgrade", env=fresh_home)
    assert up.returncode == 0, up.stderr
    assert "local database on this computer" in up.stdout
    assert "at head" in up.stdout
    assert (cluster / "PG_VERSION").is_file()

    assert "at head" in _run("db", "status", env=fresh_home).stdout
    down = _run("db", "downgrade", "base", env=fresh_home)
    assert "none (empty database)" in down.stdout
    assert "at head" in _run("db", "upgrade", env=fresh_home).stdout

    servers = [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if p.info["name"] == "postgres" and str(cluster) in (p.info["cmdline"] or [])
    ]
    assert servers == [], "each command stops the server it started"


def test_db_url_hides_the_password(fresh_home: dict[str, str]) -> None:
    env = dict(fresh_home, EXOTIC_DATABASE_URL="postgresql://clerk:hunter2-secret@db.office/et")
    result = _run("db", "url", env=env)
    assert result.returncode == 0
    assert "hunter2-secret" not in result.stdout + result.stderr
    assert "postgresql+psycopg://clerk:***@db.office/et" in result.stdout


def test_a_bad_url_is_a_message_not_a_traceback(fresh_home: dict[str, str]) -> None:
    result = _run("--database-url", "mysql://x@y/z", "db", "status", env=fresh_home)
    assert result.returncode == 1
    assert "only PostgreSQL is supported" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_server_names_the_problem(fresh_home: dict[str, str]) -> None:
    url = "postgresql+psycopg://clerk:pw@127.0.0.1:1/et"
    result = _run("--database-url", url, "db", "status", env=fresh_home)
    assert result.returncode == 1
    assert "No database server answers at 127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_plain_alembic_works_from_the_repository_root(
    empty_database_url: URL, fresh_home: dict[str, str]
) -> None:
    env = dict(fresh_home, EXOTIC_DATABASE_URL=_url(empty_database_url))
    alembic = [sys.executable, "-m", "alembic"]
    up = subprocess.run(  # noqa: S603
        [*alembic, "upgrade", "head"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert up.returncode == 0, up.stderr
    current = subprocess.run(  # noqa: S603
        [*alembic, "current"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "(head)" in current.stdout
