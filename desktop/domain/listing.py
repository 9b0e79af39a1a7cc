"""Lists: filters, sorting and keyset pages, as the services and the window speak of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

from desktop.domain.audit import ACTION_MAX, RESOURCE_TYPE_MAX
from desktop.domain.enums import BookingStatus, PaymentStatus, Role
from desktop.domain.validation import CITY_MAX, COUNTRY_MAX, PRICE_MAX, Problems, clean_search

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


# -- what a filter may hold (the services check each one before a list is read) ----------

RATINGS = frozenset(range(1, 6))
CENT = Decimal("0.01")
RATING_MAX = Decimal(5)


def check_booking_filter(f: BookingFilter) -> None:
    problems = Problems()
    clean_search(problems, "text", f.text)
    problems.raise_if_any()


def check_person_filter(f: PersonFilter) -> None:
    problems = Problems()
    clean_search(problems, "text", f.text)
    problems.raise_if_any()


def _check_amount(
    problems: Problems, field: str, value: Decimal | None, *, label: str, most: Decimal
) -> None:
    if value is None:
        return
    if not value.is_finite() or not 0 <= value <= most:
        problems.add(field, f"{label} must be an amount from 0 to {most:,}.")
    elif value != value.quantize(CENT):  # 1E-20000 is in range, yet no numeric holds it
        problems.add(field, f"{label} has at most two decimals.")


def check_destination_filter(f: DestinationFilter) -> None:
    problems = Problems()
    clean_search(problems, "text", f.text)
    clean_search(problems, "country", f.country, label="Country", max_length=COUNTRY_MAX)
    clean_search(problems, "city", f.city, label="City", max_length=CITY_MAX)
    _check_amount(problems, "price_min", f.price_min, label="Lowest price", most=PRICE_MAX)
    _check_amount(problems, "price_max", f.price_max, label="Highest price", most=PRICE_MAX)
    _check_amount(problems, "min_rating", f.min_rating, label="Lowest rating", most=RATING_MAX)
    problems.raise_if_any()


def check_review_filter(f: ReviewFilter) -> None:
    problems = Problems()
    clean_search(problems, "text", f.text)
    if not f.ratings <= RATINGS:
        problems.add("ratings", "Ratings are 1 to 5 stars; choose among those.")
    problems.raise_if_any()


def check_audit_filter(f: AuditFilter) -> None:
    """The lengths; whether an action or resource was ever recorded is the service's question."""
    problems = Problems()
    clean_search(problems, "action", f.action, label="Action", max_length=ACTION_MAX)
    clean_search(
        problems, "resource_type", f.resource_type, label="Resource", max_length=RESOURCE_TYPE_MAX
    )
    problems.raise_if_any()
