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
    load_settings,
)
from desktop.db.embedded import DEFAULT_PORT, EMBEDDED_DATABASE, EmbeddedServer
from desktop.domain.errors import DatabaseUrlError, SettingsError

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


def _pooler_of(url: URL, *, origin: str) -> tuple[URL, bool, int | None]:
    """Strip our ``exotic_pooler`` query parameter: (url, behind a pooler, direct port)."""
    raw = url.query.get(POOLER_PARAM)
    if raw is None:
        return url, False, None
    direct = raw.strip() if isinstance(raw, str) else ""
    if direct and not (direct.isdigit() and 1 <= int(direct) <= 65535):
        raise DatabaseUrlError(
            f"{origin} has {POOLER_PARAM}={raw!s}, which is not a port number.",
            fix=f"Give the database server's own port ({POOLER_PARAM}=5432), or leave the "
            f"value empty ({POOLER_PARAM}=) to use the URL's port.",
        )
    return url.difference_update_query([POOLER_PARAM]), True, int(direct) if direct else None


URL_FORM = "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"


def parse_url(raw: str, *, origin: str) -> URL:
    """A SQLAlchemy URL for psycopg 3; ``postgres://`` and ``postgresql://`` are accepted."""
    try:
        url = make_url(raw.strip())
    except ArgumentError as exc:
        raise DatabaseUrlError(
            f"{origin} is not a database URL.", fix=f"Use the form {URL_FORM}."
        ) from exc
    except ValueError as exc:  # a port that is not a number
        raise DatabaseUrlError(
            f"{origin} has a port that is not a number.", fix=f"Use the form {URL_FORM}."
        ) from exc
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise DatabaseUrlError(
            f"{origin} points at {url.get_backend_name()!r}; only PostgreSQL is supported.",
            fix=f"Use the form {URL_FORM}.",
        )
    if not url.database:
        raise DatabaseUrlError(
            f"{origin} names no database.", fix="Add /DATABASE at the end of the URL."
        )
    return url.set(drivername=DRIVER)


def url_host_port(url: URL) -> tuple[str, int]:
    """Where a URL connects, as libpq reads it: ``?host=`` and ``?port=`` count too."""
    host = url.host or _first(url.query.get("host")) or "localhost"
    port = url.port
    if port is None:
        raw = _first(url.query.get("port"))
        port = int(raw) if raw and raw.isdigit() else DEFAULT_PORT
    return host, port


def _first(value: str | tuple[str, ...] | None) -> str | None:
    if isinstance(value, tuple):
        return value[0] if value else None
    return value


def local_cluster_of(url: URL) -> EmbeddedServer | None:
    """Our local database's cluster when ``url`` reaches it through its socket, else None.

    Such a process must join the cluster's client list, or the first process's exit would
    stop the server under it.
    """
    host, port = url_host_port(url)
    if not host.startswith("/"):
        return None
    return EmbeddedServer.serving(host, port)


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
    """A resolved database: a URL, or the embedded cluster to start on first use.

    A URL may also come with a cluster (``--database-url`` naming the local database's
    socket): the URL is used as given and the cluster only joined, so its server keeps
    running for this process.
    """

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
        """The local database itself (created and migrated by us), not a URL given to us."""
        return self.cluster is not None and self.configured_url is None

    def describe(self) -> str:
        """Which server and database, for people (never with the password)."""
        if self.is_embedded:
            assert self.cluster is not None  # noqa: S101 - is_embedded says so
            return f"local database on this computer ({self.cluster.data_dir})"
        url = self._server_url()
        host, port = url_host_port(url)
        return f"server {host}:{port}, database {url.database}"

    def open(self) -> URL:
        """The URL to connect to; starts (or joins) the embedded server, creating its database."""
        if self.cluster is not None:
            self.cluster.start()
        if self.configured_url is not None:
            return self.configured_url
        if self.cluster is None:
            return self._server_url()
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
            url, pooler, direct = _pooler_of(parse_url(raw, origin=str(source)), origin=source)
            return DatabaseLocation(
                source,
                pool,
                configured_url=url,
                cluster=local_cluster_of(url),
                pooler=pooler,
                direct_port=direct,
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
