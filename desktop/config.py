"""Where the application keeps its files, and the saved connection settings.

Shared by the CLI and the window; no Qt and no database here. The settings file
is small JSON in the user's configuration folder, readable only by its owner
because it may hold the shared server's password.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

import platformdirs

from desktop.domain.errors import DiskFull, FolderUnusable, SettingsError

APP_DIR_NAME = "exotic-travel"
HOME_ENV = "EXOTIC_HOME"
DATABASE_URL_ENV = "EXOTIC_DATABASE_URL"
SETTINGS_FILE_NAME = "connection.json"


@dataclass(frozen=True)
class AppDirs:
    """The per-user folders: configuration, data (the embedded cluster) and logs.

    ``EXOTIC_HOME`` puts all three under one folder (a portable install, or a
    test that must not touch the real profile).
    """

    config: Path
    data: Path
    log: Path

    @classmethod
    def default(cls) -> AppDirs:
        home = os.environ.get(HOME_ENV)
        if home:
            base = Path(home).expanduser().resolve()
            return cls(config=base / "config", data=base / "data", log=base / "log")
        return cls(
            config=Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False)),
            data=Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)),
            log=Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False)),
        )

    @property
    def settings_file(self) -> Path:
        return self.config / SETTINGS_FILE_NAME

    @property
    def embedded_cluster(self) -> Path:
        """The embedded PostgreSQL data directory (never inside the install folder)."""
        return self.data / "database"


@dataclass(frozen=True)
class PoolSettings:
    """The design's connection pool: 25 connections, 5 idle, 1 h lifetime, 15 min idle."""

    max_connections: int = 25
    idle_connections: int = 5
    lifetime_seconds: int = 3600
    idle_timeout_seconds: int = 900

    def __post_init__(self) -> None:
        if self.idle_connections < 0 or self.max_connections < 1:
            raise ValueError("pool sizes must be positive")
        if self.idle_connections > self.max_connections:
            raise ValueError("idle connections cannot exceed max connections")


SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]


@dataclass(frozen=True)
class ServerSettings:
    """A shared PostgreSQL server, as typed into the connection settings."""

    host: str
    port: int = 5432
    database: str = "exotic_travel"
    user: str = "exotic_travel"
    password: str = field(default="", repr=False)
    sslmode: SslMode = "prefer"
    sslrootcert: str = ""
    # Behind a transaction-mode pooler (PgBouncer): prepared statements off for the pool,
    # and the change listener connects straight to the server's own port.
    pooler: bool = False
    direct_port: int | None = None


@dataclass(frozen=True)
class SavedSettings:
    """What the settings file holds. ``server`` is None for the embedded database."""

    server: ServerSettings | None = None
    pool: PoolSettings = PoolSettings()

    @property
    def uses_embedded(self) -> bool:
        return self.server is None


def folder_failure(exc: OSError, path: Path, *, what: str, alternative: str = "") -> FolderUnusable:
    """What the operating system's refusal to write ``path`` means for a person.

    The one place that maps ``OSError`` numbers: a full disk (or quota) is ``DiskFull``,
    anything else (read-only, no permission, a file where a folder should be) is
    ``FolderUnusable`` with the cause in words. ``alternative`` ends the fix ("or connect
    to the shared server instead").
    """
    where = Path(exc.filename) if exc.filename else path
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return disk_full(where, what=what)
    also = f"; {alternative}" if alternative else ""
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        in_the_way = _file_in_the_way(where)
        return FolderUnusable(
            f"Exotic Travel cannot write {what} in {where}: the file {in_the_way} is in the way "
            "where a folder should be.",
            fix=f"Move that file away, or start with {HOME_ENV} set to another folder{also}.",
        )
    if exc.errno == errno.EISDIR:
        folder = Path(exc.filename2 or exc.filename or path)  # a rename's target comes second
        return FolderUnusable(
            f"Exotic Travel cannot write {what}: the folder {folder} is in the way where a "
            "file should be.",
            fix=f"Move that folder away, or start with {HOME_ENV} set to another folder{also}.",
        )
    causes = {
        errno.EROFS: "the disk is read-only",
        errno.EACCES: "this user may not write there",
        errno.EPERM: "this user may not write there",
    }
    cause = causes.get(exc.errno or 0, (exc.strerror or str(exc)).lower())
    return FolderUnusable(
        f"Exotic Travel cannot write {what} in {where}: {cause}.",
        fix=f"Make that folder writable for this user, or start with {HOME_ENV} set to a "
        f"folder that is{also}.",
    )


def _file_in_the_way(path: Path) -> Path:
    """The nearest of ``path`` and its parents that exists and is not a folder."""
    for candidate in (path, *path.parents):
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return path


def disk_full(path: Path, *, what: str) -> DiskFull:
    """No space left where ``what`` lives (also when the database server found it so)."""
    return DiskFull(
        f"The disk holding {what} is full ({path}).",
        fix="Free some space on that disk, then try again.",
    )


_SETTINGS_WHAT = "its connection settings"


def load_settings(path: Path) -> SavedSettings | None:
    """Read the saved settings; None when nothing has been saved yet."""
    try:
        if not path.exists():
            return None
        raw = json.loads(path.read_text("utf-8"))
        if not isinstance(raw, dict):
            raise TypeError("the file holds no settings object")
        server = _server_from(raw["server"]) if raw.get("server") else None
        pool = PoolSettings(**_checked(PoolSettings, raw.get("pool") or {}))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SettingsError(
            f"The saved connection settings in {path} cannot be read ({reason}).",
            fix="Choose the database again in the connection settings, reset the saved "
            "settings, or fix the file by hand and try again.",
        ) from exc
    return SavedSettings(server=server, pool=pool)


def _server_from(raw: object) -> ServerSettings:
    if not isinstance(raw, dict):
        raise TypeError("'server' is not a settings object")
    values = _checked(ServerSettings, raw)
    port = values.get("port", 5432)
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} is not between 1 and 65535")
    sslmode = values.get("sslmode", "prefer")
    if sslmode not in get_args(SslMode):
        raise ValueError(f"TLS mode {sslmode!r} is unknown")
    return ServerSettings(**values)


# A field's declared type: the JSON values it accepts, and what to call them in a message.
_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "int": ((int,), "a whole number"),
    "str": ((str,), "text"),
    "bool": ((bool,), "true or false"),
    "int | None": ((int, type(None)), "a whole number or null"),
    "SslMode": ((str,), "a TLS mode"),
}


def _checked(kind: type, raw: dict[str, Any]) -> dict[str, Any]:
    """The dataclass's fields from ``raw``, each of the type the dataclass declares."""
    declared = {f.name: str(f.type) for f in fields(kind)}
    for name, value in raw.items():
        if name not in declared:
            raise KeyError(f"unknown setting {name!r}")
        allowed, wanted = _TYPES.get(declared[name], ((object,), declared[name]))
        wrong_bool = isinstance(value, bool) and bool not in allowed
        if not isinstance(value, allowed) or wrong_bool:
            raise TypeError(f"{name} is {json.dumps(value)}, not {wanted}")
    return dict(raw)


def save_settings(path: Path, settings: SavedSettings) -> None:
    """Write the settings atomically, readable by the owner only."""
    body: dict[str, Any] = {
        "server": asdict(settings.server) if settings.server else None,
        "pool": asdict(settings.pool),
    }
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(body, fh, indent=2)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)  # a half-written copy; the saved file is untouched
        raise folder_failure(exc, path.parent, what=_SETTINGS_WHAT) from exc


def reset_settings(path: Path) -> Path | None:
    """Forget the saved settings; the old file is kept beside it (returned) for support."""
    aside = path.with_name(path.name + ".old")
    try:
        if not path.exists() and not path.is_symlink():
            return None
        if aside.is_dir() and not aside.is_symlink():
            shutil.rmtree(aside)
        os.replace(path, aside)
    except OSError as exc:
        raise folder_failure(exc, path.parent, what=_SETTINGS_WHAT) from exc
    return aside
