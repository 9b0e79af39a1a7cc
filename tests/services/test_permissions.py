"""Who may do what: the role table, and every service method checked against it."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from datetime import date, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import Engine, text

from desktop.bootstrap import BackOffice
from desktop.domain.enums import PaymentStatus, Role
from desktop.domain.errors import BackOfficeError, PermissionDenied
from desktop.domain.listing import (
    AuditFilter,
    BookingFilter,
    DestinationFilter,
    PageRequest,
    PersonFilter,
    ReviewFilter,
    Sort,
)
from desktop.domain.permissions import ROLE_PERMISSIONS, Actor, Permission
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.context import Service
from desktop.services.people import PersonDetails
from desktop.services.reviews import NewReview
from tests.services.conftest import destination_draft

P = Permission
STAFF = frozenset({Role.ADMIN, Role.MODERATOR, Role.AGENT})
ADMIN = frozenset({Role.ADMIN})
ADMIN_MODERATOR = frozenset({Role.ADMIN, Role.MODERATOR})
ADMIN_AGENT = frozenset({Role.ADMIN, Role.AGENT})


def test_the_role_table() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert ROLE_PERMISSIONS[Role.USER] == frozenset()
    # Destinations, reviews and bookings; customers and the audit log read-only.
    assert ROLE_PERMISSIONS[Role.MODERATOR] == {
        P.VIEW_DESTINATIONS,
        P.MANAGE_DESTINATIONS,
        P.VIEW_REVIEWS,
        P.RECORD_REVIEWS,
        P.MODERATE_REVIEWS,
        P.VIEW_BOOKINGS,
        P.MANAGE_BOOKINGS,
        P.VIEW_CUSTOMERS,
        P.VIEW_AUDIT,
    }
    # Customers and bookings; destinations read-only. Reviews as the counter takes them
    # down (record and read), never moderated.
    assert ROLE_PERMISSIONS[Role.AGENT] == {
        P.VIEW_CUSTOMERS,
        P.MANAGE_CUSTOMERS,
        P.VIEW_BOOKINGS,
        P.MANAGE_BOOKINGS,
        P.VIEW_DESTINATIONS,
        P.VIEW_REVIEWS,
        P.RECORD_REVIEWS,
    }


def test_a_refusal_says_who_may_not_do_what() -> None:
    agent = Actor(1, "Alex", "alex@office.example", Role.AGENT)
    with pytest.raises(PermissionDenied) as refused:
        agent.require(P.MANAGE_STAFF)
    assert refused.value.message == (
        "Counter agents may not manage staff accounts. Ask an administrator if you need this."
    )


# -- every service method ------------------------------------------------------------------
#
# Each call uses records that do not exist or input that fails validation, so a role that
# is allowed gets past the permission check and then fails harmlessly (NotFound,
# ValidationError): nothing is written either way.

Call = Callable[[BackOffice, Actor], object]
NOWHERE = 999_999_999
PAGE = PageRequest(Sort("id"), limit=1)
DAY = date(2031, 3, 1)
NEXT_WEEK = DAY + timedelta(days=7)
NOBODY = PersonDetails("", "")

# method -> (roles allowed, a call of it)
TABLE: dict[str, tuple[frozenset[Role], Call]] = {
    "audit.page": (ADMIN_MODERATOR, lambda o, a: o.audit.page(a, AuditFilter(), PAGE)),
    "audit.count": (ADMIN_MODERATOR, lambda o, a: o.audit.count(a, AuditFilter())),
    "audit.actions": (ADMIN_MODERATOR, lambda o, a: o.audit.actions(a)),
    "bookings.page": (STAFF, lambda o, a: o.bookings.page(a, BookingFilter(), PAGE)),
    "bookings.count": (STAFF, lambda o, a: o.bookings.count(a, BookingFilter())),
    "bookings.get": (STAFF, lambda o, a: o.bookings.get(a, NOWHERE)),
    "bookings.find_by_request_token": (
        STAFF,
        lambda o, a: o.bookings.find_by_request_token(a, uuid4()),
    ),
    "bookings.create": (
        STAFF,
        lambda o, a: o.bookings.create(a, NewBooking(NOWHERE, NOWHERE, DAY, NEXT_WEEK, 1)),
    ),
    "bookings.change_stay": (
        STAFF,
        lambda o, a: o.bookings.change_stay(a, NOWHERE, "0", StayChange(DAY, NEXT_WEEK, 1, None)),
    ),
    "bookings.confirm": (STAFF, lambda o, a: o.bookings.confirm(a, NOWHERE, "0")),
    "bookings.cancel": (STAFF, lambda o, a: o.bookings.cancel(a, NOWHERE, "0", "Ill")),
    "bookings.complete": (STAFF, lambda o, a: o.bookings.complete(a, NOWHERE, "0")),
    "bookings.record_payment": (
        STAFF,
        lambda o, a: o.bookings.record_payment(a, NOWHERE, "0", PaymentStatus.PAID, "pi_1"),
    ),
    "customers.page": (STAFF, lambda o, a: o.customers.page(a, PersonFilter(), PAGE)),
    "customers.count": (STAFF, lambda o, a: o.customers.count(a, PersonFilter())),
    "customers.get": (STAFF, lambda o, a: o.customers.get(a, NOWHERE)),
    "customers.create": (ADMIN_AGENT, lambda o, a: o.customers.create(a, NOBODY)),
    "customers.update": (ADMIN_AGENT, lambda o, a: o.customers.update(a, NOWHERE, "0", NOBODY)),
    "destinations.page": (
        STAFF,
        lambda o, a: o.destinations.page(a, DestinationFilter(), PageRequest(Sort("name"))),
    ),
    "destinations.count": (STAFF, lambda o, a: o.destinations.count(a, DestinationFilter())),
    "destinations.get": (STAFF, lambda o, a: o.destinations.get(a, NOWHERE)),
    "destinations.countries": (STAFF, lambda o, a: o.destinations.countries(a)),
    "destinations.taken_dates": (
        STAFF,
        lambda o, a: o.destinations.taken_dates(a, NOWHERE, DAY, NEXT_WEEK),
    ),
    "destinations.create": (
        ADMIN_MODERATOR,
        lambda o, a: o.destinations.create(a, destination_draft(name="")),
    ),
    "destinations.update": (
        ADMIN_MODERATOR,
        lambda o, a: o.destinations.update(a, NOWHERE, "0", destination_draft()),
    ),
    "destinations.set_active": (
        ADMIN_MODERATOR,
        lambda o, a: o.destinations.set_active(a, NOWHERE, "0", False),
    ),
    "destinations.remove": (ADMIN_MODERATOR, lambda o, a: o.destinations.remove(a, NOWHERE, "0")),
    "images.store": (ADMIN_MODERATOR, lambda o, a: o.images.store(a, b"not a picture")),
    "images.get": (STAFF, lambda o, a: o.images.get(a, "db-image:" + "0" * 64)),
    "reviews.page": (STAFF, lambda o, a: o.reviews.page(a, ReviewFilter(), PAGE)),
    "reviews.count": (STAFF, lambda o, a: o.reviews.count(a, ReviewFilter())),
    "reviews.get": (STAFF, lambda o, a: o.reviews.get(a, NOWHERE)),
    "reviews.create": (
        STAFF,
        lambda o, a: o.reviews.create(a, NewReview(NOWHERE, NOWHERE, rating=0)),
    ),
    "reviews.mark_helpful": (STAFF, lambda o, a: o.reviews.mark_helpful(a, NOWHERE)),
    "reviews.delete": (ADMIN_MODERATOR, lambda o, a: o.reviews.delete(a, NOWHERE)),
    "reference.destinations": (STAFF, lambda o, a: o.reference.destinations(a)),
    "reference.staff_names": (ADMIN_MODERATOR, lambda o, a: o.reference.staff_names(a)),
    "reference.server_time": (STAFF, lambda o, a: o.reference.server_time(a)),
    "staff.get": (ADMIN, lambda o, a: o.staff.get(a, NOWHERE)),
    "staff.page": (ADMIN, lambda o, a: o.staff.page(a, PersonFilter(), PAGE)),
    "staff.count": (ADMIN, lambda o, a: o.staff.count(a, PersonFilter())),
    "staff.create": (
        ADMIN,
        lambda o, a: o.staff.create(a, NOBODY, Role.AGENT, "short"),
    ),
    "staff.update": (
        ADMIN,
        lambda o, a: o.staff.update(a, NOWHERE, "0", NOBODY, Role.AGENT),
    ),
    "staff.reset_password": (
        ADMIN,
        lambda o, a: o.staff.reset_password(a, NOWHERE, "a long enough password"),
    ),
}
# Signing in, the first administrator and one's own password come before or beside roles:
# tests/services/test_auth.py covers them.
NOT_BY_ROLE = {"auth"}


def _methods_taking_an_actor(office: BackOffice) -> set[str]:
    found = set()
    for field in dataclasses.fields(office):
        service = getattr(office, field.name)
        if not isinstance(service, Service) or field.name in NOT_BY_ROLE:
            continue
        for name, method in inspect.getmembers(service, inspect.ismethod):
            params = list(inspect.signature(method).parameters)
            if not name.startswith("_") and params[:1] == ["actor"]:
                found.add(f"{field.name}.{name}")
    return found


def test_the_table_covers_every_service_method(office: BackOffice) -> None:
    """A new use case must take its place in the table before it ships."""
    assert _methods_taking_an_actor(office) == set(TABLE)


def _refused(office: BackOffice, actor: Actor, call: Call) -> bool:
    try:
        call(office, actor)
    except PermissionDenied:
        return True
    except BackOfficeError:  # past the permission check: NotFound, ValidationError, ...
        return False
    return False


def _audit_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM audit_logs")).scalar_one())


@pytest.mark.parametrize("service", sorted({name.split(".")[0] for name in TABLE}))
def test_each_method_refuses_exactly_the_roles_without_the_right(
    engine: Engine,
    office: BackOffice,
    admin: Actor,
    moderator: Actor,
    agent: Actor,
    service: str,
) -> None:
    customer = Actor(NOWHERE, "Cora Customer", "cora@example.com", Role.USER)
    actors = {Role.ADMIN: admin, Role.MODERATOR: moderator, Role.AGENT: agent, Role.USER: customer}
    rows_before = _audit_rows(engine)

    methods = sorted(name for name in TABLE if name.startswith(f"{service}."))
    refused = {
        name: {role for role, actor in actors.items() if _refused(office, actor, TABLE[name][1])}
        for name in methods
    }
    expected = {name: set(Role) - TABLE[name][0] for name in methods}

    assert refused == expected
    assert _audit_rows(engine) == rows_before, "no call in the table changes anything"
