"""Wiring: from a database location to the services the window and the CLI use.

The one place that knows every layer (as in "Architecture Patterns with
Python"); the UI asks it for a ``BackOffice`` and never sees an engine.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy import URL, Engine
from sqlalchemy.exc import OperationalError

from desktop.config import (
    DATABASE_URL_ENV,
    AppDirs,
    PoolSettings,
    SavedSettings,
    ServerSettings,
    load_settings,
    reset_settings,
    save_settings,
)
from desktop.db import migrate
from desktop.db.diagnostics import check_server, explain, where
from desktop.db.embedded import EMBEDDED_DATABASE, EmbeddedServer
from desktop.db.engine import build_engine
from desktop.db.location import DatabaseLocation, Source, resolve, server_url, url_host_port
from desktop.db.notifications import ChangeListener
from desktop.db.uow import reading_factory, unit_of_work_factory
from desktop.domain.changes import Change
from desktop.domain.errors import SchemaMismatch, SettingsError, StartupError
from desktop.logs import FILE_ONLY
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
    with _left_on_failure(location) as opened:
        url = location.open()
        engine = build_engine(url, location.pool, prepared_statements=not location.pooler)
        opened.append(engine)
        if location.is_embedded:
            with _schema_problems(url):
                migrate.upgrade(engine, "head")
        office = build(engine, listen_url=location.listener_url(url))
    office.on_close.append(location.close)
    return office


@contextmanager
def _left_on_failure(location: DatabaseLocation) -> Iterator[list[Engine]]:
    """Whatever fails while opening: release the engine and leave the local server.

    A start-up failure caused by ``--database-url`` or ``EXOTIC_DATABASE_URL`` is marked so,
    because the connection settings would not be used while that URL is given.
    """
    engines: list[Engine] = []
    try:
        yield engines
    except BaseException as exc:
        for engine in engines:
            engine.dispose()
        location.close()
        if isinstance(exc, StartupError) and location.source in (
            Source.OPTION,
            Source.ENVIRONMENT,
        ):
            exc.from_command_line = True
            chosen = f"The database was chosen by {location.source}."
            exc.fix = f"{exc.fix} {chosen}" if exc.fix else chosen
        raise


@contextmanager
def _schema_problems(url: URL) -> Iterator[None]:
    """A connection lost while migrating, or a schema this version does not know."""
    try:
        yield
    except OperationalError as exc:  # the server went away, or refused us, meanwhile
        raise explain(exc, url) from exc
    except CommandError as exc:
        log.error("The database's schema is unknown to this version: %s", exc, extra=FILE_ONLY)
        raise SchemaUnknown(
            f"The database {url.database} at {where(url)} has a schema this version of "
            "Exotic Travel does not know: a newer version has upgraded it.",
            fix="Install the newest version of Exotic Travel (ask the administrator).",
        ) from exc


# -- start-up, as the window walks through it ------------------------------------


@dataclass(frozen=True)
class Connection:
    """Where the window is connected, for people: the status bar and the sign-in dialog."""

    server: str  # "local database on this computer" or "db.office:5432"
    database: str
    is_local: bool


def first_run(option_url: str | None = None) -> bool:
    """Nothing configured and no local database yet: the window offers the two choices.

    Unreadable saved settings raise ``SettingsError``: the start-up dialog says so.
    """
    dirs = AppDirs.default()
    if chosen_by_command_line(option_url):
        return False
    if load_settings(dirs.settings_file) is not None:
        return False
    return not EmbeddedServer(dirs.embedded_cluster).initialized


def chosen_by_command_line(option_url: str | None = None) -> str | None:
    """Which of ``--database-url`` and ``EXOTIC_DATABASE_URL`` chooses the database, if any.

    While one does, the saved connection settings are not used.
    """
    if option_url and option_url.strip():
        return str(Source.OPTION)
    if os.environ.get(DATABASE_URL_ENV, "").strip():
        return str(Source.ENVIRONMENT)
    return None


def opens_local_database(option_url: str | None = None) -> bool:
    """Whether opening starts the local database (for the progress message; never raises)."""
    if chosen_by_command_line(option_url):
        return False
    try:
        saved = load_settings(AppDirs.default().settings_file)
    except StartupError:
        return False
    return saved is None or saved.server is None


def reset_saved_settings() -> Path | None:
    """Forget the saved connection settings (after the person confirmed); the old file kept."""
    aside = reset_settings(AppDirs.default().settings_file)
    log.warning("The saved connection settings were reset (the old file is %s)", aside)
    return aside


def log_folder() -> Path:
    """Where the log file is: the start-up dialog's "Show log folder" opens it."""
    return AppDirs.default().log


def choose_local_database() -> None:
    """Save the choice; ``FolderUnusable`` or ``DiskFull`` when it cannot be written."""
    _save_choice(None)


def choose_server(server: ServerSettings) -> None:
    """Save the choice; ``FolderUnusable`` or ``DiskFull`` when it cannot be written."""
    _save_choice(server)


def _save_choice(server: ServerSettings | None) -> None:
    dirs = AppDirs.default()
    try:
        pool = (load_settings(dirs.settings_file) or SavedSettings()).pool
    except SettingsError:
        pool = PoolSettings()  # the broken file is the one being replaced
    save_settings(dirs.settings_file, SavedSettings(server=server, pool=pool))


def saved_server() -> ServerSettings | None:
    saved = load_settings(AppDirs.default().settings_file)
    return saved.server if saved else None


def test_server(server: ServerSettings) -> str:
    """Connect once; the server's version, or ``ConnectionFailed`` saying what failed."""
    info = check_server(server_url(server))
    return f"PostgreSQL {info.version}"


class SchemaOutdated(SchemaMismatch):
    """The shared database is behind this version of the application."""


class SchemaUnknown(SchemaMismatch):
    """The database was upgraded by a newer version of the application than this one."""


def open_workspace(option_url: str | None = None) -> tuple[BackOffice, Connection]:
    """Resolve, connect and check: what the window needs before the sign-in dialog.

    Every failure a person can act on is a ``StartupError``; nothing is left open after one.
    """
    location = resolve(option_url)
    if location.is_embedded:
        office = open_back_office(location)
        return office, Connection("local database on this computer", EMBEDDED_DATABASE, True)
    with _left_on_failure(location) as opened:
        url = location.open()
        check_server(url)
        engine = build_engine(url, location.pool, prepared_statements=not location.pooler)
        opened.append(engine)
        with _schema_problems(url):
            state = migrate.status(engine)
        if not state.at_head:
            raise SchemaOutdated(
                f"The database {url.database} at {where(url)} has an older schema than this "
                f"version of Exotic Travel needs ({len(state.pending)} upgrade(s) pending).",
                fix="An administrator must run 'exotic-travel db upgrade'; then try again.",
            )
        office = build(engine, listen_url=location.listener_url(url))
    office.on_close.append(location.close)
    host, port = url_host_port(url)
    return office, Connection(f"{host}:{port}", url.database or "", False)
