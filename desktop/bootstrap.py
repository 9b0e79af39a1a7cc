"""Wiring: from a database location to the services the window and the CLI use.

The one place that knows every layer (as in "Architecture Patterns with
Python"); the UI asks it for a ``BackOffice`` and never sees an engine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine

from desktop.db import migrate
from desktop.db.engine import build_engine
from desktop.db.location import DatabaseLocation
from desktop.db.uow import unit_of_work_factory
from desktop.services.audit import AuditService
from desktop.services.auth import AuthService
from desktop.services.bookings import BookingService
from desktop.services.context import AuditContext, Clock, ServiceContext, system_clock
from desktop.services.destinations import DestinationService
from desktop.services.passwords import Passwords
from desktop.services.people import CustomerService, StaffService
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
    engine: Engine

    def close(self) -> None:
        self.engine.dispose()


def build(
    engine: Engine,
    *,
    passwords: Passwords | None = None,
    clock: Clock = system_clock,
    audit: AuditContext | None = None,
) -> BackOffice:
    passwords = passwords or Passwords()
    server_host = engine.url.host or None
    ctx = ServiceContext(
        units_of_work=unit_of_work_factory(engine),
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
        engine=engine,
    )


def open_back_office(location: DatabaseLocation) -> BackOffice:
    """Connect (starting the local server if that is the database) and build the services.

    The local database is migrated to the newest schema on the way; a shared
    server is only checked, because migrating it is an administrator's decision.
    """
    url = location.open()
    engine = build_engine(url, location.pool)
    if location.is_embedded:
        migrate.upgrade(engine, "head")
    return build(engine)
