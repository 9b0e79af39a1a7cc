"""Bookings, listed with their customer's and destination's names."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, func, insert, or_, select

from desktop.db.keyset import (
    FILTER_FIRST_MIN_CHARS,
    SortKey,
    count_rows,
    fetch_page,
    sort_key,
)
from desktop.db.models import Booking, Destination, User
from desktop.db.repositories.base import VersionedRepository, search_text, version_of
from desktop.db.repositories.people import like_pattern
from desktop.domain.bookings import ACTIVE_STATUSES
from desktop.domain.enums import BookingStatus, PaymentStatus
from desktop.domain.listing import BookingFilter, Page, PageRequest, RowCount
from desktop.domain.records import BookingRow, record_builder

T = cast(Table, Booking.__table__)
U = cast(Table, User.__table__)
D = cast(Table, Destination.__table__)

SORTS: dict[str, SortKey] = {
    "id": SortKey(T.c.id),
    "customer_name": SortKey(U.c.name),
    "destination_name": SortKey(D.c.name),
    "start_date": SortKey(T.c.start_date),
    "end_date": SortKey(T.c.end_date),
    "guests": SortKey(T.c.guests),
    "total_price": SortKey(T.c.total_price),
    "status": SortKey(T.c.status),
    "payment_status": SortKey(T.c.payment_status, nullable=True),
    "created_at": SortKey(T.c.created_at, nullable=True),
    "updated_at": SortKey(T.c.updated_at, nullable=True),
}
_COLUMNS = (
    T.c.id,
    T.c.user_id.label("customer_id"),
    U.c.name.label("customer_name"),
    U.c.email.label("customer_email"),
    T.c.destination_id,
    D.c.name.label("destination_name"),
    T.c.start_date,
    T.c.end_date,
    T.c.guests,
    T.c.total_price,
    T.c.status,
    T.c.payment_status,
    T.c.payment_intent_id,
    T.c.special_requests,
    T.c.cancellation_reason,
    T.c.cancelled_at,
    T.c.created_at,
    T.c.updated_at,
    version_of(T),
)
_JOINED = T.join(U, U.c.id == T.c.user_id).join(D, D.c.id == T.c.destination_id)


def _base() -> Select[Any]:
    return select(*_COLUMNS).select_from(_JOINED)


def _row_builder() -> Callable[[Any], BookingRow]:
    """A row of ``_base()`` as a ``BookingRow``: positional, with the statuses looked up."""
    labels = list(_base().selected_columns.keys())
    build = record_builder(BookingRow, labels)  # fails at import if the columns drift
    status_at, payment_at = labels.index("status"), labels.index("payment_status")
    status = {s.value: s for s in BookingStatus}
    payment = {p.value: p for p in PaymentStatus}

    def row(r: Any) -> BookingRow:
        values = list(r)
        values[status_at] = status[values[status_at]]
        values[payment_at] = payment.get(values[payment_at])
        return build(values)

    return row


_row = _row_builder()


class BookingRepository(VersionedRepository[BookingRow]):
    table = T
    noun = "booking"

    def _one(self, ident: int) -> Select[Any]:
        return _base().where(T.c.id == ident)

    def _record(self, row: Any) -> BookingRow:
        return _row(row)

    def find_by_request_token(self, token: uuid.UUID) -> BookingRow | None:
        row = self.session.execute(_base().where(T.c.request_token == token)).first()
        return _row(row) if row is not None else None

    def add(self, values: dict[str, Any]) -> int:
        return int(self.session.execute(insert(T).values(**values).returning(T.c.id)).scalar_one())

    def overlapping(
        self,
        destination_id: int,
        start: date,
        end: date,
        *,
        except_id: int | None = None,
    ) -> BookingRow | None:
        """An active booking of the destination whose stay overlaps [start, end)."""
        stmt = _base().where(
            T.c.destination_id == destination_id,
            T.c.status.in_(sorted(s.value for s in ACTIVE_STATUSES)),
            func.daterange(T.c.start_date, T.c.end_date).op("&&")(func.daterange(start, end)),
        )
        if except_id is not None:
            stmt = stmt.where(T.c.id != except_id)
        row = self.session.execute(stmt.order_by(T.c.start_date).limit(1)).first()
        return _row(row) if row is not None else None

    def has_completed(self, booking_id: int, customer_id: int, destination_id: int) -> bool:
        stmt = select(T.c.id).where(
            T.c.id == booking_id,
            T.c.user_id == customer_id,
            T.c.destination_id == destination_id,
            T.c.status == BookingStatus.COMPLETED.value,
        )
        return self.session.execute(stmt).first() is not None

    def _filtered(self, f: BookingFilter) -> Select[Any]:
        stmt = _base()
        if f.statuses:
            stmt = stmt.where(T.c.status.in_(sorted(s.value for s in f.statuses)))
        if f.payment_statuses:
            stmt = stmt.where(T.c.payment_status.in_(sorted(p.value for p in f.payment_statuses)))
        if f.destination_id is not None:
            stmt = stmt.where(T.c.destination_id == f.destination_id)
        if f.customer_id is not None:
            stmt = stmt.where(T.c.user_id == f.customer_id)
        if f.stay_from is not None:
            stmt = stmt.where(T.c.end_date > f.stay_from)
        if f.stay_to is not None:
            stmt = stmt.where(T.c.start_date < f.stay_to)
        if f.created_from is not None:
            stmt = stmt.where(T.c.created_at >= f.created_from)
        if f.created_to is not None:
            stmt = stmt.where(T.c.created_at < f.created_to)
        text = search_text(f.text).lstrip("#")
        if text:
            pattern = like_pattern(text)
            matches: list[ColumnElement[bool]] = [
                T.c.user_id.in_(
                    select(U.c.id).where(or_(U.c.name.ilike(pattern), U.c.email.ilike(pattern)))
                ),
                T.c.destination_id.in_(select(D.c.id).where(D.c.name.ilike(pattern))),
            ]
            # isdecimal, not isdigit: "²" is a digit that int() refuses.
            if text.isdecimal() and len(text) < 19:
                matches.append(T.c.id == int(text))
            stmt = stmt.where(or_(*matches))
        return stmt

    def page(self, f: BookingFilter, request: PageRequest) -> Page[BookingRow]:
        return fetch_page(
            self.session,
            self._filtered(f),
            key=sort_key(SORTS, request.sort.column, "Bookings"),
            id_col=T.c.id,
            request=request,
            to_row=_row,
            sort_value=lambda b: _sort_value(b, request.sort.column),
            row_id=lambda b: b.id,
            filter_first=len(f.text.strip().lstrip("#")) >= FILTER_FIRST_MIN_CHARS,
        )

    def count(self, f: BookingFilter) -> RowCount:
        return count_rows(self.session, self._filtered(f), filtered=f != BookingFilter())


def _sort_value(row: BookingRow, column: str) -> Any:
    value = getattr(row, column)
    return value.value if isinstance(value, BookingStatus | PaymentStatus) else value
