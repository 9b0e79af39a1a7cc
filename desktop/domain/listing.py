"""Lists: filters, sorting and keyset pages, as the services and the window speak of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

from desktop.domain.enums import BookingStatus, PaymentStatus, Role

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000

# The sort value of a row: what a cursor carries between pages.
SortValue = str | int | Decimal | date | datetime | bool | None


@dataclass(frozen=True)
class Sort:
    """Sort by one listed column (then by id, so the order is total)."""

    column: str
    descending: bool = False


BOOKINGS_DEFAULT_SORT = Sort("created_at", descending=True)  # the newest first


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: just after the row with this sort value and id."""

    value: SortValue
    id: int


@dataclass(frozen=True)
class PageRequest:
    sort: Sort
    after: Cursor | None = None
    limit: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    next: Cursor | None  # None on the last page

    @property
    def is_last(self) -> bool:
        return self.next is None


@dataclass(frozen=True)
class RowCount:
    """How many rows a list has; an estimate (``exact`` False) on large tables."""

    value: int
    exact: bool


@dataclass(frozen=True)
class BookingFilter:
    text: str = ""  # booking number, customer name or e-mail, destination name
    statuses: frozenset[BookingStatus] = frozenset()
    payment_statuses: frozenset[PaymentStatus] = frozenset()
    destination_id: int | None = None
    customer_id: int | None = None
    stay_from: date | None = None  # bookings whose stay overlaps [stay_from, stay_to)
    stay_to: date | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass(frozen=True)
class DestinationFilter:
    text: str = ""  # full-text search over name and description
    country: str = ""
    city: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    min_rating: Decimal | None = None
    active: bool | None = None


@dataclass(frozen=True)
class PersonFilter:
    """Customers or staff: by role, and a substring of name, e-mail or phone."""

    roles: frozenset[Role] = frozenset()
    text: str = ""


@dataclass(frozen=True)
class ReviewFilter:
    destination_id: int | None = None
    user_id: int | None = None
    booking_id: int | None = None
    ratings: frozenset[int] = frozenset()
    text: str = ""  # a substring of the comment


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    action: str = ""
    resource_type: str = ""
    resource_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
