"""Connecting to a server and saying exactly what went wrong when it fails."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import URL, create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from desktop.db.location import url_host_port
from desktop.domain.errors import ServerConnectionFailed

log = logging.getLogger(__name__)

MIN_SERVER_VERSION = 150000
MIN_SERVER_LABEL = "PostgreSQL 15"


class Problem(StrEnum):
    UNREACHABLE = "host unreachable"
    AUTHENTICATION = "wrong user name or password"
    NO_DATABASE = "database missing"
    TOO_OLD = "server too old"
    TLS = "secure connection (TLS) failed"
    OTHER = "connection failed"


class ConnectionFailed(ServerConnectionFailed):
    """A connection to the database server was never made: ``problem`` says which kind.

    Not a ``DatabaseUnavailable``: that one means a connection that worked was lost.
    """

    def __init__(self, problem: Problem, message: str, *, fix: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.problem = problem


@dataclass(frozen=True)
class ServerInfo:
    version: str
    version_num: int
    database: str
    user: str


def where(url: URL) -> str:
    """``host:port`` as the connection attempt used them (``?host=`` and ``?port=`` too)."""
    host, port = url_host_port(url)
    return f"{host}:{port}"


_UNREACHABLE_MARKERS = (
    "connection refused",
    "could not translate host name",
    "name or service not known",
    "timeout expired",
    "no route to host",
    "network is unreachable",
    "could not connect",
    "no such file or directory",
    "connection timed out",
)


def explain(exc: BaseException, url: URL) -> ConnectionFailed:
    """Turn a driver error into one of the problems a person can fix."""
    detail = str(getattr(exc, "orig", None) or exc)
    lowered = detail.lower()
    at = where(url)
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return ConnectionFailed(
            Problem.AUTHENTICATION,
            f"The server at {at} refused user {url.username!r}: wrong user name or password.",
            fix="Check both in the connection settings and try again.",
        )
    if "does not exist" in lowered and "database" in lowered:
        return ConnectionFailed(
            Problem.NO_DATABASE,
            f"The server at {at} has no database {url.database!r}.",
            fix="Check the name, or ask the administrator to create it.",
        )
    if "role" in lowered and "does not exist" in lowered:
        return ConnectionFailed(
            Problem.AUTHENTICATION,
            f"The server at {at} has no user {url.username!r}.",
            fix="Check the user name in the connection settings.",
        )
    if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
        return ConnectionFailed(
            Problem.TLS,
            f"The secure connection to {at} failed ({_first_line(detail)}).",
            fix="Check the TLS mode and the CA file in the connection settings.",
        )
    if any(marker in lowered for marker in _UNREACHABLE_MARKERS):
        return ConnectionFailed(
            Problem.UNREACHABLE,
            f"No database server answers at {at}.",
            fix="Check the host name and port, the network and that the server is running, "
            "then try again.",
        )
    return ConnectionFailed(
        Problem.OTHER,
        f"Could not connect to {at}: {_first_line(detail)}",
        fix="Try again; if it keeps failing, the log folder has the details.",
    )


def _first_line(text_: str) -> str:
    return text_.strip().splitlines()[0] if text_.strip() else "unknown error"


def check_server(url: URL, *, timeout_s: int = 5) -> ServerInfo:
    """Connect once and check the server is new enough; raise ``ConnectionFailed`` otherwise."""
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": timeout_s})
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT current_setting('server_version'), "
                    "current_setting('server_version_num')::int, current_database(), current_user"
                )
            ).one()
    except (OperationalError, DBAPIError) as exc:
        log.info("Connection check failed: %s", exc)
        raise explain(exc, url) from exc
    finally:
        engine.dispose()
    info = ServerInfo(version=row[0], version_num=row[1], database=row[2], user=row[3])
    if info.version_num < MIN_SERVER_VERSION:
        raise ConnectionFailed(
            Problem.TOO_OLD,
            f"The server at {where(url)} runs PostgreSQL {info.version}; Exotic Travel needs "
            f"{MIN_SERVER_LABEL} or newer.",
            fix="Ask the administrator to upgrade it, or connect to another server.",
        )
    return info
