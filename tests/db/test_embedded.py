"""The embedded server: spaces in paths, SIGTERM, killed runs, sharing, root, socket folders."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from desktop.db import embedded
from desktop.db.embedded import SERVICE_ACCOUNT, EmbeddedServer, EmbeddedServerError


@pytest.fixture
def cluster_dir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="exotic-embedded-"))
    # The shape of macOS's per-user data folder: spaces in two components.
    yield base / "Application Support" / "exotic travel" / "database"
    _kill_servers_of(base)
    shutil.rmtree(base, ignore_errors=True)


def _server_pids(data_dir: Path) -> list[int]:
    pids = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and str(data_dir) in cmdline:
            pids.append(proc.pid)
    return pids


def _kill_servers_of(base: Path) -> None:
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(base) in " ".join(proc.info["cmdline"] or []):
            proc.kill()


def _wait_until(predicate, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _query_one(server: EmbeddedServer) -> int:
    engine = create_engine(server.url("postgres"), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT 1")).scalar_one())
    finally:
        engine.dispose()


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from desktop.db.embedded import EmbeddedServer, install_exit_handlers
    install_exit_handlers()
    server = EmbeddedServer(Path(sys.argv[1]))
    server.start()
    print("ready", flush=True)
    time.sleep(120)
    """
)


def _start_holder(data_dir: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", HOLDER, str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_path_with_spaces_starts_serves_and_stops(cluster_dir: Path) -> None:
    server = EmbeddedServer(cluster_dir)
    server.start()
    assert _query_one(server) == 1
    assert server.ensure_database("exotic_travel") is True
    assert server.ensure_database("exotic_travel") is False
    server.stop()
    assert not server.is_running()
    assert _server_pids(cluster_dir) == []


def test_sigterm_stops_the_server_and_the_next_start_works(cluster_dir: Path) -> None:
    holder = _start_holder(cluster_dir)
    assert _server_pids(cluster_dir)
    holder.send_signal(signal.SIGTERM)
    assert holder.wait(timeout=30) == 128 + signal.SIGTERM
    assert _wait_until(lambda: _server_pids(cluster_dir) == [])

    server = EmbeddedServer(cluster_dir)
    server.start()
    assert _query_one(server) == 1
    server.stop()


def test_a_killed_run_is_recovered_and_the_server_stopped_by_the_next(cluster_dir: Path) -> None:
    holder = _start_holder(cluster_dir)
    holder.kill()  # SIGKILL: no handler runs, the server is left behind
    holder.wait(timeout=10)
    assert _server_pids(cluster_dir), "the server outlives a killed client"

    server = EmbeddedServer(cluster_dir)
    server.start()  # joins the orphaned server, forgets the dead client
    assert _query_one(server) == 1
    server.stop()  # the last live client stops it
    assert _wait_until(lambda: _server_pids(cluster_dir) == [])


def test_a_stale_postmaster_pid_is_cleared(cluster_dir: Path) -> None:
    server = EmbeddedServer(cluster_dir)
    server.start()
    server.stop()
    # A crash leaves postmaster.pid behind; after a reboot its pid may belong to anyone.
    stale = cluster_dir / "postmaster.pid"
    stale.write_text(f"{os.getpid()}\n{cluster_dir}\n0\n5432\n\n\n0 0\nready\n")
    server.start()
    assert _query_one(server) == 1
    server.stop()


def test_the_server_stays_up_while_another_process_uses_it(cluster_dir: Path) -> None:
    holder = _start_holder(cluster_dir)
    server = EmbeddedServer(cluster_dir)
    server.start()
    holder.send_signal(signal.SIGTERM)
    holder.wait(timeout=30)
    assert _query_one(server) == 1, "the other process's exit must not stop our server"
    server.stop()
    assert _wait_until(lambda: _server_pids(cluster_dir) == [])


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_as_root_the_server_runs_unprivileged_and_the_log_says_so(
    cluster_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="desktop.db.embedded")
    server = EmbeddedServer(cluster_dir)
    server.start()
    try:
        owners = {psutil.Process(pid).username() for pid in _server_pids(cluster_dir)}
        assert owners == {SERVICE_ACCOUNT}
        assert any(
            "Running as root" in r.getMessage() and SERVICE_ACCOUNT in r.getMessage()
            for r in caplog.records
        )
    finally:
        server.stop()


def test_two_users_in_one_process_count_as_one_and_the_last_stops_it(cluster_dir: Path) -> None:
    # The window's own location and a URL naming the same cluster (--database-url) both
    # start() it; the first to stop must not stop the server under the other.
    window = EmbeddedServer(cluster_dir)
    window.start()
    by_url = EmbeddedServer(cluster_dir)
    by_url.start()
    by_url.stop()
    assert _query_one(window) == 1, "one stop of two leaves the server running"
    window.stop()
    assert _wait_until(lambda: _server_pids(cluster_dir) == [])


def test_the_cluster_behind_a_socket_folder_is_found(cluster_dir: Path, tmp_path: Path) -> None:
    server = EmbeddedServer(cluster_dir)
    server.start()
    try:
        socket_folder = str(server.url().query["host"])
        found = EmbeddedServer.serving(socket_folder)
        assert found is not None
        assert found.data_dir == cluster_dir
        assert EmbeddedServer.serving(str(tmp_path)) is None, "not one of ours"
    finally:
        server.stop()
    found = EmbeddedServer.serving(str(cluster_dir))
    assert found is not None, "a stopped cluster of ours, by its folder"
    assert found.data_dir == cluster_dir


def test_the_cluster_behind_a_short_socket_folder_is_found(tmp_path: Path) -> None:
    # A data folder too deep for a socket path: the socket lives in a short folder in /tmp,
    # and its lock file names the data folder.
    base = Path(tempfile.mkdtemp(prefix="exotic-deep-"))
    deep = base.joinpath(*["a-rather-long-folder-name"] * 4, "database")
    server = EmbeddedServer(deep)
    try:
        server.start()
        socket_folder = str(server.url().query["host"])
        assert not socket_folder.startswith(str(deep)), "the short folder is used"
        found = EmbeddedServer.serving(socket_folder)
        assert found is not None
        assert found.data_dir == deep
    finally:
        server.stop()
        _kill_servers_of(base)
        shutil.rmtree(base, ignore_errors=True)


SUN_PATH_MAC = 104  # the smallest socket address of the Unix systems we run on


def _socket_folder_name(data_dir: Path) -> str:
    """The private socket folder's name: the data folder's digest (one folder per cluster)."""
    return "exotic-travel-" + hashlib.sha256(str(data_dir).encode()).hexdigest()[:12]


def _owner_of_the_server() -> int:
    """Who the server runs as: the wheel's system user under root, else this user."""
    if os.geteuid() == 0:
        import pwd

        return pwd.getpwnam(SERVICE_ACCOUNT).pw_uid
    return os.geteuid()


@pytest.fixture
def short_folder() -> Iterator[Callable[[], Path]]:
    """Short folders in /tmp, which the server's user may enter (when run as root)."""
    made: list[Path] = []

    def make() -> Path:
        folder = Path(tempfile.mkdtemp(prefix="et-", dir="/tmp"))
        made.append(folder)
        folder.chmod(0o755)
        return folder

    yield make
    for folder in made:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def deep_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR as pytest's or a deep profile's: too deep for a socket folder of its own."""
    temp = tmp_path.joinpath(*["a-deep-temporary-folder"] * 4)
    temp.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    assert tempfile.gettempdir() == str(temp)
    return temp


def test_under_a_deep_temp_folder_the_socket_goes_to_a_short_private_folder(
    tmp_path: Path, deep_temp: Path
) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 4, "database")
    server = EmbeddedServer(deep)
    try:
        server.start()
        assert _query_one(server) == 1
        folder = Path(str(server.url().query["host"]))
        assert folder == Path("/tmp") / _socket_folder_name(deep)  # noqa: S108 - where it must be
        assert len(os.fsencode(folder / ".s.PGSQL.5432")) < SUN_PATH_MAC
        info = folder.lstat()
        assert stat.S_ISDIR(info.st_mode)
        assert stat.S_IMODE(info.st_mode) == 0o700, "nobody else may reach the server"
        assert info.st_uid == _owner_of_the_server()
        found = EmbeddedServer.serving(folder)
        assert found is not None
        assert found.data_dir == deep
        server.stop()
        assert not server.is_running()
        assert not folder.exists(), "the socket folder is not left behind in /tmp"
    finally:
        server.destroy()
        _kill_servers_of(tmp_path)


@pytest.mark.parametrize("squatter", ["a link", "another user's folder"])
def test_a_socket_folder_someone_else_put_there_first_is_never_used(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    short_folder: Callable[[], Path],
    squatter: str,
) -> None:
    """In folders everyone may write, the name may be taken first: the next place is used."""
    if squatter == "another user's folder" and os.geteuid() != 0:
        pytest.skip("only root can make a folder that belongs to another user")
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 4, "database")
    name = _socket_folder_name(deep)
    temp, system_temp, runtime, bait = (short_folder() for _ in range(4))
    bait.chmod(0o777)
    for base in (temp, system_temp):
        if squatter == "a link":
            (base / name).symlink_to(bait, target_is_directory=True)
        else:
            (base / name).mkdir(mode=0o777)
            os.chown(base / name, 65534, 65534)  # nobody's
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.setattr(embedded, "_SYSTEM_TEMP", system_temp)  # /tmp, taken as well
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    server = EmbeddedServer(deep)
    try:
        server.start()
        assert _query_one(server) == 1
        assert Path(str(server.url().query["host"])) == runtime / name
        assert list(bait.iterdir()) == [], "nothing of ours went through the link"
        assert stat.S_IMODE(bait.stat().st_mode) == 0o777
        assert bait.stat().st_uid == os.geteuid(), "the link's target was not taken over"
    finally:
        server.destroy()
        _kill_servers_of(tmp_path)


def test_when_no_folder_is_short_enough_the_start_says_what_to_do(
    tmp_path: Path, deep_temp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "_SYSTEM_TEMP", deep_temp)  # as if /tmp were deep too
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep_temp / "runtime"))
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 4, "database")
    server = EmbeddedServer(deep)
    try:
        with pytest.raises(EmbeddedServerError) as refused:
            server.start()
        assert "too deep for its connection point (socket)" in refused.value.message
        assert str(deep) in refused.value.message
        assert refused.value.fix is not None
        assert "Set TMPDIR to a short folder" in refused.value.fix
        assert _server_pids(deep) == []
        assert not server.is_running()
    finally:
        server.destroy()
        _kill_servers_of(tmp_path)


def test_a_stale_postmaster_pid_naming_another_server_is_not_adopted(cluster_dir: Path) -> None:
    """After a crash and a reboot, postmaster.pid may name another PostgreSQL server."""
    server = EmbeddedServer(cluster_dir)
    server.start()
    server.stop()
    other = EmbeddedServer(cluster_dir.with_name("other"))
    other.start()
    try:
        [other_pid] = [pid for pid in _server_pids(other.data_dir) if pid]
        stale = cluster_dir / "postmaster.pid"
        stale.write_text(f"{other_pid}\n{cluster_dir}\n0\n5432\n{cluster_dir}\n\n0 0\nready\n")
        server.start()  # must start its own server, not take the other one for it
        assert _query_one(server) == 1
        assert _server_pids(cluster_dir), "a server of its own runs now"
        server.stop()
    finally:
        other.stop()
