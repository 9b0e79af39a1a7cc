"""Wiring: from a database location to the services the window and the CLI use.

The one place that knows every layer (as in "Architecture Patterns with
Python"); the UI asks it for a ``BackOffice`` and never sees an engine.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import URL, Engine

from desktop.config import (
    DATABASE_URL_ENV,
    AppDirs,
    SavedSettings,
    ServerSettings,
    load_settings,
    save_settings,
)
from desktop.db import migrate
from desktop.db.diagnostics import check_server
from desktop.db.embedded import EMBEDDED_DATABASE, EmbeddedServer
from desktop.db.engine import build_engine
from desktop.db.location import DatabaseLocation, resolve, server_url
from desktop.db.notifications import ChangeListener
from desktop.db.uow import reading_factory, unit_of_work_factory
from desktop.domain.changes import Change
from desktop.domain.errors import BackOfficeError
from desktop.services.audit import AuditService
from desktop.services.auth import AuthService
from desktop.services.bookings import BookingService
from desktop.services.context import AuditContext, Clock, ServiceContext, system_clock
from desktop.services.destinations import DestinationService
from desktop.services.images import ImageService
from desktop.services.passwords import Passwords
from desktop.services.people import CustomerService, StaffService
from desktop.services.reference import ReferenceData
from desktop.services.reviews import ReviewService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackOffice:
    """Every use case of the application, ready to call (from worker threads)."""

    auth: AuthService
    staff: StaffService
    customers: CustomerService
    destinations: DestinationService
    bookings: BookingService
    reviews: ReviewService
    audit: AuditService
    images: ImageService
    reference: ReferenceData
    engine: Engine
    on_close: list[Callable[[], None]] = field(default_factory=list)
    listen_url: URL | None = None  # where LISTEN connects, when not the engine's URL

    def listen(
        self, on_change: Callable[[Change], None], on_state: Callable[[bool], None]
    ) -> ChangeListener:
        """A listener for the database's change notifications (not started yet).

        The reference cache hears each notice first, so nothing reads a stale entry
        after the window has been told of the change.
        """

        def change(notice: Change) -> None:
            self.reference.invalidate(notice)
            on_change(notice)

        def state(connected: bool) -> None:
            self.reference.listening(connected)
            on_state(connected)

        return ChangeListener(self.listen_url or self.engine.url, change, state)

    def close(self) -> None:
        """Release the connections (and leave the local database server, if it is ours)."""
        self.engine.dispose()
        while self.on_close:
            self.on_close.pop()()


def build(
    engine: Engine,
    *,
    passwords: Passwords | None = None,
    clock: Clock = system_clock,
    audit: AuditContext | None = None,
    listen_url: URL | None = None,
) -> BackOffice:
    passwords = passwords or Passwords()
    server_host = engine.url.host or None
    ctx = ServiceContext(
        units_of_work=unit_of_work_factory(engine),
        readings=reading_factory(engine),
        audit=audit or AuditContext.for_this_workstation(server_host),
        clock=clock,
    )
    return BackOffice(
        auth=AuthService(ctx, passwords),
        staff=StaffService(ctx, passwords),
        customers=CustomerService(ctx),
        destinations=DestinationService(ctx),
        bookings=BookingService(ctx),
        reviews=ReviewService(ctx),
        audit=AuditService(ctx),
        images=ImageService(ctx),
        reference=ReferenceData(ctx),
        engine=engine,
        listen_url=listen_url,
    )


def open_back_office(location: DatabaseLocation) -> BackOffice:
    """Connect (starting the local server if that is the database) and build the services.

    The local database is migrated to the newest schema on the way; a shared
    server is only checked, because migrating it is an administrator's decision.
    """
    url = location.open()
    engine = build_engine(url, location.pool, prepared_statements=not location.pooler)
    if location.is_embedded:
        migrate.upgrade(engine, "head")
    office = build(engine, listen_url=location.listener_url(url))
    office.on_close.append(location.close)
    return office


# -- start-up, as the window walks through it ------------------------------------


@dataclass(frozen=True)
class Connection:
    """Where the window is connected, for people: the status bar and the sign-in dialog."""

    server: str  # "local database on this computer" or "db.office:5432"
    database: str
    is_local: bool


def first_run(option_url: str | None = None) -> bool:
    """Nothing configured and no local database yet: the window offers the two choices."""
    dirs = AppDirs.default()
    if option_url or os.environ.get(DATABASE_URL_ENV, "").strip():
        return False
    if load_settings(dirs.settings_file) is not None:
        return False
    return not EmbeddedServer(dirs.embedded_cluster).initialized


def choose_local_database() -> None:
    dirs = AppDirs.default()
    saved = load_settings(dirs.settings_file) or SavedSettings()
    save_settings(dirs.settings_file, SavedSettings(server=None, pool=saved.pool))


def choose_server(server: ServerSettings) -> None:
    dirs = AppDirs.default()
    saved = load_settings(dirs.settings_file) or SavedSettings()
    save_settings(dirs.settings_file, SavedSettings(server=server, pool=saved.pool))


def saved_server() -> ServerSettings | None:
    saved = load_settings(AppDirs.default().settings_file)
    return saved.server if saved else None


def test_server(server: ServerSettings) -> str:
    """Connect once; the server's version, or ``ConnectionFailed`` saying what failed."""
    info = check_server(server_url(server))
    return f"PostgreSQL {info.version}"


class SchemaOutdated(BackOfficeError):
    """The shared database is behind this version of the application."""


def open_workspace(option_url: str | None = None) -> tuple[BackOffice, Connection]:
    """Resolve, connect and check: what the window needs before the sign-in dialog."""
    location = resolve(option_url)
    if location.is_embedded:
        office = open_back_office(location)
        assert location.cluster is not None  # noqa: S101 - is_embedded says so
        return office, Connection("local database on this computer", EMBEDDED_DATABASE, True)
    url = location.open()
    check_server(url)
    engine = build_engine(url, location.pool, prepared_statements=not location.pooler)
    state = migrate.status(engine)
    if not state.at_head:
        engine.dispose()
        location.close()
        raise SchemaOutdated(
            f"The database {url.database} on {url.host} is at an older schema "
            f"({len(state.pending)} upgrade(s) pending). An administrator must run "
            "'exotic-travel db upgrade' before this version can use it."
        )
    host = url.host or str(url.query.get("host", "localhost"))
    office = build(engine, listen_url=location.listener_url(url))
    office.on_close.append(location.close)
    return office, Connection(f"{host}:{url.port or 5432}", url.database or "", False)
