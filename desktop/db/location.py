"""Where the database is.

Precedence: the ``--database-url`` option, then ``EXOTIC_DATABASE_URL``, then
the saved connection settings, then the embedded default (a PostgreSQL cluster
in the user's data folder, started on demand).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from desktop.config import (
    DATABASE_URL_ENV,
    AppDirs,
    PoolSettings,
    ServerSettings,
    SettingsError,
    load_settings,
)
from desktop.db.embedded import EMBEDDED_DATABASE, EmbeddedServer

log = logging.getLogger(__name__)

DRIVER = "postgresql+psycopg"


class Source(StrEnum):
    OPTION = "--database-url"
    ENVIRONMENT = DATABASE_URL_ENV
    SAVED = "saved connection settings"
    EMBEDDED = "local database on this computer"


# ?exotic_pooler=5432 at the end of a URL: it names a transaction-mode pooler (PgBouncer),
# and the server's own port (for LISTEN) is 5432; an empty value keeps the URL's port.
POOLER_PARAM = "exotic_pooler"


def _pooler_of(url: URL) -> tuple[URL, bool, int | None]:
    """Strip our ``exotic_pooler`` query parameter: (url, behind a pooler, direct port)."""
    raw = url.query.get(POOLER_PARAM)
    if raw is None:
        return url, False, None
    direct = str(raw).strip()
    return url.difference_update_query([POOLER_PARAM]), True, int(direct) if direct else None


def parse_url(raw: str, *, origin: str) -> URL:
    """A SQLAlchemy URL for psycopg 3; ``postgres://`` and ``postgresql://`` are accepted."""
    try:
        url = make_url(raw.strip())
    except ArgumentError as exc:
        raise SettingsError(
            f"{origin} is not a database URL. Use the form "
            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE."
        ) from exc
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise SettingsError(
            f"{origin} points at {url.get_backend_name()!r}; only PostgreSQL is supported. "
            "Use the form postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE."
        )
    if not url.database:
        raise SettingsError(f"{origin} names no database. Add /DATABASE at the end of the URL.")
    return url.set(drivername=DRIVER)


def server_url(server: ServerSettings) -> URL:
    query: dict[str, str] = {"sslmode": server.sslmode}
    if server.sslrootcert:
        query["sslrootcert"] = server.sslrootcert
    return URL.create(
        DRIVER,
        username=server.user,
        password=server.password or None,
        host=server.host,
        port=server.port,
        database=server.database,
        query=query,
    )


@dataclass
class DatabaseLocation:
    """A resolved database: a URL, or the embedded cluster to start on first use."""

    source: Source
    pool: PoolSettings = field(default_factory=PoolSettings)
    configured_url: URL | None = None
    cluster: EmbeddedServer | None = None
    pooler: bool = False  # the URL is a transaction-mode pooler (PgBouncer)
    direct_port: int | None = None  # the server's own port, for LISTEN

    def listener_url(self, url: URL) -> URL:
        """Where the change listener connects: never through a transaction pooler."""
        return url.set(port=self.direct_port) if self.direct_port else url

    @property
    def is_embedded(self) -> bool:
        return self.cluster is not None

    def describe(self) -> str:
        """Which server and database, for people (never with the password)."""
        if self.cluster is not None:
            return f"local database on this computer ({self.cluster.data_dir})"
        url = self._server_url()
        host = url.host or url.query.get("host") or "localhost"
        port = f":{url.port}" if url.port else ""
        return f"server {host}{port}, database {url.database}"

    def open(self) -> URL:
        """The URL to connect to; starts the embedded server and creates its database."""
        if self.cluster is None:
            return self._server_url()
        self.cluster.start()
        self.cluster.ensure_database(EMBEDDED_DATABASE)
        return self.cluster.url(EMBEDDED_DATABASE)

    def _server_url(self) -> URL:
        if self.configured_url is None:
            raise SettingsError("No database is configured.")
        return self.configured_url

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()


def resolve(
    option_url: str | None = None,
    *,
    dirs: AppDirs | None = None,
    environ: Mapping[str, str] | None = None,
) -> DatabaseLocation:
    """Apply the precedence; nothing is started or connected yet."""
    dirs = dirs or AppDirs.default()
    environ = os.environ if environ is None else environ
    saved = load_settings(dirs.settings_file)
    pool = saved.pool if saved else PoolSettings()
    for source, raw in (
        (Source.OPTION, option_url),
        (Source.ENVIRONMENT, environ.get(DATABASE_URL_ENV)),
    ):
        if raw and raw.strip():
            url, pooler, direct = _pooler_of(parse_url(raw, origin=str(source)))
            return DatabaseLocation(
                source, pool, configured_url=url, pooler=pooler, direct_port=direct
            )
    if saved and saved.server:
        return DatabaseLocation(
            Source.SAVED,
            pool,
            configured_url=server_url(saved.server),
            pooler=saved.server.pooler,
            direct_port=saved.server.direct_port,
        )
    return DatabaseLocation(Source.EMBEDDED, pool, cluster=EmbeddedServer(dirs.embedded_cluster))
