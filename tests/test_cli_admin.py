"""``exotic-travel create-admin``, run as an installer or a person would run it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import URL, create_engine, text
from sqlalchemy.pool import NullPool

from desktop.services.passwords import Passwords

REPO = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "installer's long passphrase"
PRODUCTION_PREFIX = "$argon2id$v=19$m=65536,t=3,p=4$"


def _run(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "desktop", *args],
        env=env,
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        # No controlling terminal: getpass reads the piped input, as it would from a person.
        start_new_session=True,
    )


@pytest.fixture
def home() -> Iterator[dict[str, str]]:
    """A profile of its own (config, data, logs), no database configured, no admin password."""
    folder = Path(tempfile.mkdtemp(prefix="exotic-cli-admin-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("EXOTIC_DATABASE_URL", "EXOTIC_ADMIN_PASSWORD")
    }
    env["EXOTIC_HOME"] = str(folder)
    yield env
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(folder) in " ".join(proc.info["cmdline"] or []):
            proc.kill()  # a server a failed test left behind in this test's own folder
    shutil.rmtree(folder, ignore_errors=True)


def _target(url: URL) -> list[str]:
    return ["--database-url", url.render_as_string(hide_password=False)]


def _users(url: URL) -> list[dict[str, Any]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT * FROM users ORDER BY id"))
            return [dict(r._mapping) for r in rows]
    finally:
        engine.dispose()


def _everything_written(home: dict[str, str], result: subprocess.CompletedProcess[str]) -> str:
    logs = Path(home["EXOTIC_HOME"], "log")
    files = sorted(logs.rglob("*")) if logs.is_dir() else []
    return "\n".join(
        [result.stdout, result.stderr, *(f.read_text("utf-8") for f in files if f.is_file())]
    )


def test_a_scripted_install_creates_the_first_administrator(
    database_url: URL, home: dict[str, str]
) -> None:
    env = dict(home, EXOTIC_ADMIN_PASSWORD=ADMIN_PASSWORD)
    result = _run(
        *_target(database_url),
        "create-admin",
        "--name",
        "Ada Admin",
        "--email",
        "Ada@Office.example",
        env=env,
    )

    assert result.returncode == 0, result.stderr
    assert "Created administrator Ada Admin <ada@office.example>" in result.stdout
    assert f"database {database_url.database}" in result.stdout
    assert ADMIN_PASSWORD not in _everything_written(home, result)
    [admin] = _users(database_url)
    assert (admin["name"], admin["email"], admin["role"]) == (
        "Ada Admin",
        "ada@office.example",
        "admin",
    )
    assert admin["password_hash"].startswith(PRODUCTION_PREFIX)
    assert Passwords().verify(admin["password_hash"], ADMIN_PASSWORD)


def test_it_refuses_once_a_staff_account_exists(database_url: URL, home: dict[str, str]) -> None:
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (name, email, password_hash, role) "
                "VALUES ('Alex', 'alex@x.org', '!', 'agent')"
            )
        )
    engine.dispose()
    env = dict(home, EXOTIC_ADMIN_PASSWORD=ADMIN_PASSWORD)

    again = _run(
        *_target(database_url), "create-admin", "--name", "Eve", "--email", "eve@x.org", env=env
    )

    assert again.returncode == 1
    assert "has staff accounts already" in again.stderr
    assert "Traceback" not in again.stderr
    assert [u["email"] for u in _users(database_url)] == ["alex@x.org"]


@pytest.mark.parametrize(
    ("name", "email", "password", "problem"),
    [
        ("Ada", "ada@x.org", "too short", "at least 12 characters"),
        ("Ada", "ada.admin@office.example", "ADA.Admin@office.example", "must not be the e-mail"),
        ("Ada", "not an e-mail", ADMIN_PASSWORD, "name@example.com"),
        ("", "ada@x.org", ADMIN_PASSWORD, "Name is required"),
    ],
)
def test_bad_details_are_a_message_and_create_nothing(
    database_url: URL, home: dict[str, str], name: str, email: str, password: str, problem: str
) -> None:
    env = dict(home, EXOTIC_ADMIN_PASSWORD=password)
    result = _run(*_target(database_url), "create-admin", "--name", name, "--email", email, env=env)

    assert result.returncode == 1
    assert problem in result.stderr
    assert "Traceback" not in result.stderr
    assert password not in _everything_written(home, result)
    assert _users(database_url) == []


def test_a_person_types_the_details_and_the_password_twice(
    database_url: URL, home: dict[str, str]
) -> None:
    typed = "\n".join(
        [
            "Ada Admin",
            "ada@office.example",
            "short",  # refused at once, asked again
            ADMIN_PASSWORD,
            ADMIN_PASSWORD + " typo",  # the two differ: asked again
            ADMIN_PASSWORD,
            ADMIN_PASSWORD,
            "",
        ]
    )
    result = _run(*_target(database_url), "create-admin", env=home, stdin=typed)

    assert result.returncode == 0, result.stderr
    assert "at least 12 characters" in result.stderr
    assert "The two passwords differ" in result.stderr
    assert "Created administrator Ada Admin <ada@office.example>" in result.stdout
    assert ADMIN_PASSWORD not in _everything_written(home, result)
    [admin] = _users(database_url)
    assert Passwords().verify(admin["password_hash"], ADMIN_PASSWORD)


def test_giving_up_on_the_password_creates_nothing(database_url: URL, home: dict[str, str]) -> None:
    result = _run(
        *_target(database_url),
        "create-admin",
        "--name",
        "Ada",
        "--email",
        "ada@x.org",
        env=home,
        stdin="one long password\nanother long password\n",  # then the input ends
    )
    assert result.returncode == 1
    assert "nothing was created" in result.stderr
    assert "Traceback" not in result.stderr
    assert _users(database_url) == []


def test_a_shared_server_must_be_migrated_first(
    empty_database_url: URL, home: dict[str, str]
) -> None:
    env = dict(home, EXOTIC_ADMIN_PASSWORD=ADMIN_PASSWORD)
    result = _run(
        *_target(empty_database_url), "create-admin", "--name", "Ada", "--email", "a@x.org", env=env
    )
    assert result.returncode == 1
    assert "exotic-travel db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_local_database_is_created_and_migrated_on_the_way(home: dict[str, str]) -> None:
    env = dict(home, EXOTIC_ADMIN_PASSWORD=ADMIN_PASSWORD)
    result = _run("create-admin", "--name", "Ada", "--email", "ada@x.org", env=env)

    assert result.returncode == 0, result.stderr
    assert "in the local database on this computer" in result.stdout
    status = _run("db", "status", env=home)
    assert "at head" in status.stdout
    again = _run("create-admin", "--name", "Eve", "--email", "eve@x.org", env=env)
    assert again.returncode == 1
    assert "has staff accounts already" in again.stderr
