"""Immutable rows handed from the services to the window (never live database objects).

Rows are slotted: a list holds a hundred thousand of them, and without a
``__dict__`` each is half the memory and half the work for a full garbage
collection.

``version`` is an opaque row version a later edit must carry (PostgreSQL's
``xmin``; for destinations a hash of the editable columns, because the rating
trigger rewrites the row whenever a review comes or goes): saving over a row
someone else changed since is refused as a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from desktop.domain.enums import BookingStatus, PaymentStatus, Role

R = TypeVar("R")


def record_builder(cls: type[R], labels: Iterable[str]) -> Callable[[Sequence[Any]], R]:
    """Build ``cls`` from its values in field order, bypassing the frozen ``__init__``.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``;
    for a page of 200 bookings of 19 fields that was most of the repositories' time.
    The builder fills the slots through their descriptors in straight-line code,
    written once per class (as ``dataclasses`` writes ``__init__``): a loop over the
    fields cost twice as much. The records stay frozen for everyone who holds them.

    Values go in by position, so ``labels`` (the statement's column labels, in
    order) must be the record's field names, in order: a column moved, added or
    renamed on one side only fails here, when the module is imported, instead of
    putting a customer's e-mail into a destination's name.
    """
    names = [field.name for field in fields(cls)]  # type: ignore[arg-type]
    given = list(labels)
    if given != names:
        raise TypeError(
            f"{cls.__name__} is built by position, but the statement's columns "
            f"{given} are not its fields {names}"
        )
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    scope.update({f"set{i}": getattr(cls, name).__set__ for i, name in enumerate(names)})
    values = ", ".join(f"v{i}" for i in range(len(names)))
    setting = "".join(f"    set{i}(record, v{i})\n" for i in range(len(names)))
    source = (
        f"def build(values):\n    ({values},) = values\n    record = new(cls)\n"
        f"{setting}    return record\n"
    )
    exec(source, scope)  # noqa: S102 - our own field names, nothing from outside
    build: Callable[[Sequence[Any]], R] = scope["build"]
    return build


def record_values(record: object) -> dict[str, Any]:
    """A record's fields by name (what a conflict shows of the row as it is now)."""
    return {field.name: getattr(record, field.name) for field in fields(record)}  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class PersonRow:
    """A customer (role ``user``) or a staff member. Never carries the password hash."""

    id: int
    name: str
    email: str
    phone: str | None
    role: Role
    email_verified: bool
    created_at: datetime | None
    updated_at: datetime | None
    version: str


@dataclass(frozen=True, slots=True)
class DestinationRow:
    id: int
    name: str
    description: str
    country: str
    city: str
    price: Decimal
    duration: int
    max_guests: int
    images: tuple[str, ...]
    features: tuple[str, ...]
    rating: Decimal
    review_count: int
    active: bool
    created_at: datetime | None
    updated_at: datetime | None
    version: str


@dataclass(frozen=True, slots=True)
class BookingRow:
    id: int
    customer_id: int
    customer_name: str
    customer_email: str
    destination_id: int
    destination_name: str
    start_date: date
    end_date: date
    guests: int
    total_price: Decimal
    status: BookingStatus
    payment_status: PaymentStatus | None
    payment_intent_id: str | None
    special_requests: str | None
    cancellation_reason: str | None
    cancelled_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    version: str


@dataclass(frozen=True, slots=True)
class ReviewRow:
    id: int
    user_id: int
    customer_name: str
    destination_id: int
    destination_name: str
    booking_id: int | None
    rating: int
    comment: str | None
    helpful_count: int
    created_at: datetime | None
    updated_at: datetime | None
    version: str
    voted_by_me: bool = False  # the person reading the list marked it helpful already


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    user_id: int | None
    actor_name: str | None
    action: str
    resource_type: str
    resource_id: int | None
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None
    ip_address: str | None
    user_agent: str | None
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class TakenDates:
    """An active booking occupying a destination's dates (the availability hint)."""

    booking_id: int
    start_date: date
    end_date: date
    status: BookingStatus
