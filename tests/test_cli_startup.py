"""Start-up failures through the command line: one ``error:`` line, exit 1, no traceback.

Each failure is made real (see ``tests/startup_failures.py``); the details must be in
the log file, never on the terminal.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL

from tests import startup_failures as fail

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def home() -> Iterator[Path]:
    folder = fail.new_home("exotic-cli-start-")
    yield folder
    fail.remove_home(folder)


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "EXOTIC_DATABASE_URL"}
    env.update(EXOTIC_HOME=str(home), **extra)
    return env


def _run(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "desktop", *args],
        env=_env(home, **extra),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _one_error_line(result: subprocess.CompletedProcess[str], home: Path) -> str:
    """The failure's one line; everything else on the terminal is allowed noise only."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    # Run as root, the local database's server says once that it runs unprivileged.
    others = [line for line in lines if line not in errors and "Running as root" not in line]
    assert others == [], result.stderr
    log = home / "log" / "exotic-travel.log"
    if log.is_file():
        assert str(log) in errors[0], "the line says where the details are"
        assert "Traceback" in log.read_text("utf-8"), "the details are in the log file"
    return errors[0]


def test_corrupt_settings(home: Path) -> None:
    path = fail.corrupt_settings(home)
    line = _one_error_line(_run(home, "db", "status"), home)
    assert f"The saved connection settings in {path} cannot be read" in line
    assert "reset the saved settings" in line


def test_unreadable_settings(home: Path) -> None:
    path = fail.unreadable_settings(home)
    line = _one_error_line(_run(home, "db", "status"), home)
    assert f"The saved connection settings in {path} cannot be read (Is a directory)" in line


def test_a_file_in_the_data_folders_way(home: Path) -> None:
    blocker = fail.file_in_the_data_folders_way(home)
    line = _one_error_line(_run(home, "db", "status"), home)
    assert f"the file {blocker} is in the way where a folder should be" in line
    assert "Move that file away" in line


def test_a_read_only_data_folder(home: Path) -> None:
    fail.require_mount()
    with fail.small_disk(home / "data", options="ro"):
        line = _one_error_line(_run(home, "db", "status"), home)
    assert "cannot write the local database" in line
    assert "the disk is read-only" in line


def test_a_full_disk(home: Path) -> None:
    fail.full_disk(home)
    line = _one_error_line(_run(home, "db", "status"), home)
    assert "The disk holding the local database is full" in line
    assert "Free some space" in line
    assert fail.servers_of(home) == [], "the server this start started is stopped again"


def test_a_disk_too_small_for_the_local_database(home: Path) -> None:
    fail.require_mount()
    with fail.small_disk(home / "data", options="size=1m"):
        line = _one_error_line(_run(home, "db", "status"), home)
    assert "The disk holding the local database is full" in line


def test_another_server_on_the_local_databases_socket(home: Path) -> None:
    with fail.socket_taken(home) as other_pid:
        line = _one_error_line(_run(home, "db", "status"), home)
    assert f"another database server (process {other_pid}) is using its connection" in line
    assert "Quit the program that runs that server" in line


def test_a_saved_server_that_is_not_running(home: Path) -> None:
    server = fail.stopped_server()
    fail.choose_server(home, server)
    line = _one_error_line(_run(home, "db", "status"), home)
    assert f"No database server answers at 127.0.0.1:{server.port}" in line


def test_an_unreachable_url_names_the_port_it_gives(home: Path) -> None:
    port = fail.free_port()
    url = f"postgresql://clerk@/et?host=127.0.0.1&port={port}"
    line = _one_error_line(_run(home, "--database-url", url, "db", "status"), home)
    assert f"No database server answers at 127.0.0.1:{port}." in line


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgresql://x@db.office/et?exotic_pooler=abc", "has exotic_pooler=abc, which is not"),
        ("postgresql://x@db.office:abc/et", "has a port that is not a number"),
    ],
)
def test_a_malformed_url(home: Path, url: str, words: str) -> None:
    line = _one_error_line(_run(home, "db", "status", EXOTIC_DATABASE_URL=url), home)
    assert f"EXOTIC_DATABASE_URL {words}" in line


def test_a_database_behind_this_version(home: Path, empty_database_url: URL) -> None:
    url = empty_database_url.render_as_string(hide_password=False)
    result = _run(home, "--database-url", url, "create-admin", "--name", "A", "--email", "a@b.c")
    line = _one_error_line(result, home)
    assert "has an older schema than this version of Exotic Travel needs" in line
    assert "exotic-travel db upgrade" in line


def test_a_log_folder_that_cannot_be_written_is_a_warning_not_a_failure(home: Path) -> None:
    (home / "log").write_text("not a folder", "utf-8")
    url = "postgresql://clerk:pw@db.office/et"
    result = _run(home, "--database-url", url, "db", "url")
    assert result.returncode == 0, result.stderr
    assert "postgresql+psycopg://clerk:***@db.office/et" in result.stdout
    [warning] = result.stderr.splitlines()
    assert warning.startswith("warning: Exotic Travel cannot write its log")
    assert "Nothing is logged to a file this time" in warning


def test_the_window_prints_no_traceback_when_the_server_refuses(home: Path) -> None:
    """The window on a server that is not there: the terminal gets one line, the log the rest."""
    port = fail.free_port()
    url = f"postgresql://clerk:secret@127.0.0.1:{port}/et"
    window = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "desktop", "--database-url", url],
        env=_env(home, QT_QPA_PLATFORM="offscreen"),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = home / "log" / "exotic-travel.log"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "Could not open the database" not in (
            log.read_text("utf-8") if log.is_file() else ""
        ):
            assert window.poll() is None, "the window stays open with the start-up dialog"
            time.sleep(0.2)
        window.send_signal(signal.SIGTERM)
        _out, err = window.communicate(timeout=30)
    finally:
        if window.poll() is None:
            window.kill()
    assert "Traceback" in log.read_text("utf-8")
    assert "Traceback" not in err
    assert "secret" not in err
    # Qt's offscreen platform says so when a window sets its size; not ours to silence.
    qt_noise = "This plugin does not support propagateSizeHints()"
    [line] = [line for line in err.splitlines() if line.strip() and line != qt_noise]
    assert line.startswith(
        f"WARNING: Could not open the database: No database server answers at 127.0.0.1:{port}."
    )
