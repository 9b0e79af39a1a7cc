"""Where the application keeps its files, and the saved connection settings.

Shared by the CLI and the window; no Qt and no database here. The settings file
is small JSON in the user's configuration folder, readable only by its owner
because it may hold the shared server's password.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import platformdirs

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


class SettingsError(ValueError):
    """The settings file exists but cannot be used; the message says how to fix it."""


def load_settings(path: Path) -> SavedSettings | None:
    """Read the saved settings; None when nothing has been saved yet."""
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text("utf-8"))
        server = ServerSettings(**raw["server"]) if raw.get("server") else None
        pool = PoolSettings(**raw.get("pool", {}))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise SettingsError(
            f"The connection settings in {path} cannot be read ({exc}). "
            "Fix or delete the file, then start again."
        ) from exc
    return SavedSettings(server=server, pool=pool)


def save_settings(path: Path, settings: SavedSettings) -> None:
    """Write the settings atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body: dict[str, Any] = {
        "server": asdict(settings.server) if settings.server else None,
        "pool": asdict(settings.pool),
    }
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(body, fh, indent=2)
    os.replace(tmp, path)
