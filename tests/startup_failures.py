"""Start-up failures made real in a throw-away profile, for the window's and the CLI's tests.

Each helper breaks one thing the way it breaks on a person's computer: a corrupt or
unreadable settings file, a data folder that cannot be written (a file in its way, or a
read-only disk), a full disk (``/dev/full``, or a tiny disk), another database server
holding the local database's socket, and a shared server that is not running. Tests run
as root here, where permissions stop nothing, hence files in the way and mounts.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from desktop.config import AppDirs, SavedSettings, ServerSettings, save_settings
from desktop.db.embedded import EmbeddedServer


def dirs_of(home: Path) -> AppDirs:
    """The folders ``EXOTIC_HOME=home`` gives (as ``AppDirs.default`` lays them out)."""
    return AppDirs(config=home / "config", data=home / "data", log=home / "log")


def new_home(prefix: str) -> Path:
    """A profile folder under the temporary folder (the embedded server needs a short path)."""
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove_home(home: Path) -> None:
    """Stop every server still running from the profile, then delete it."""
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(home) in " ".join(proc.info["cmdline"] or []):
            proc.kill()
    shutil.rmtree(home, ignore_errors=True)


def servers_of(home: Path) -> list[psutil.Process]:
    return [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if p.info["name"] == "postgres" and str(home) in " ".join(p.info["cmdline"] or [])
    ]


def choose_local(home: Path) -> None:
    """The person chose the local database before (so start-up goes straight to it)."""
    save_settings(dirs_of(home).settings_file, SavedSettings(server=None))


def choose_server(home: Path, server: ServerSettings) -> None:
    save_settings(dirs_of(home).settings_file, SavedSettings(server=server))


def corrupt_settings(home: Path) -> Path:
    """A settings file cut short (a crash while saving, a hand edit gone wrong)."""
    path = dirs_of(home).settings_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"server": {"host": "db.office", "po', "utf-8")
    return path


def unreadable_settings(home: Path) -> Path:
    """A folder where the settings file should be: reading it fails (EISDIR)."""
    path = dirs_of(home).settings_file
    path.mkdir(parents=True)
    (path / "keep").write_text("a folder that is in the way", "utf-8")
    return path


def file_in_the_data_folders_way(home: Path) -> Path:
    """A regular file where the data folder should be: nothing can be created in it."""
    data = dirs_of(home).data
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text("not a folder", "utf-8")
    return data


def full_disk(home: Path) -> Path:
    """The local database's client list written to ``/dev/full``: the OS answers ENOSPC."""
    clients = dirs_of(home).embedded_cluster.with_name("database.clients.json")
    clients.parent.mkdir(parents=True, exist_ok=True)
    clients.symlink_to("/dev/full")
    return clients


@functools.cache
def can_mount() -> bool:
    """Whether this machine lets the tests mount a small disk (root in a permissive container)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    probe = Path(tempfile.mkdtemp(prefix="exotic-mount-probe-"))
    try:
        done = subprocess.run(  # noqa: S603
            ["mount", "-t", "tmpfs", "-o", "size=64k", "exotic-probe", str(probe)],  # noqa: S607
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], check=False)  # noqa: S603, S607
        return True
    finally:
        shutil.rmtree(probe, ignore_errors=True)


def require_mount() -> None:
    if not can_mount():
        pytest.skip("needs a machine where the tests may mount a small disk (root)")


@contextmanager
def small_disk(folder: Path, *, options: str) -> Iterator[Path]:
    """A tmpfs mounted at ``folder`` (``ro`` for a read-only disk, ``size=`` for a full one)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", options, "exotic-test", str(folder)],  # noqa: S607
        check=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)  # noqa: S603, S607


@contextmanager
def socket_taken(home: Path) -> Iterator[int]:
    """Another PostgreSQL server listening on the local database's socket (its pid).

    The local cluster exists (stopped); a second cluster is told to put its socket in the
    local cluster's folder, as a server left over from another installation would.
    """
    local = dirs_of(home).embedded_cluster
    cluster = EmbeddedServer(local)
    cluster.start()
    cluster.stop()
    other = EmbeddedServer(home / "other-server", settings={"unix_socket_directories": str(local)})
    other.start()
    try:
        lock = local / ".s.PGSQL.5432.lock"
        yield int(lock.read_text("utf-8").split()[0])
    finally:
        other.stop()


def free_port() -> int:
    """A TCP port nothing listens on (a shared server that is not running)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stopped_server() -> ServerSettings:
    return ServerSettings(host="127.0.0.1", port=free_port(), user="clerk", password="pw")


def settings_on_disk(home: Path) -> object:
    return json.loads(dirs_of(home).settings_file.read_text("utf-8"))
