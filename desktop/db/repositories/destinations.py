"""Destinations, with the design's full-text search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.sql.elements import Cast
from sqlalchemy.types import Text

from desktop.db.keyset import SortKey, count_rows, fetch_page, sort_key
from desktop.db.models import SEARCH_DOCUMENT, Booking, Destination
from desktop.db.repositories.base import (
    VersionedRepository,
    search_text,
    wait_for_locks_at_most,
)
from desktop.domain.bookings import ACTIVE_STATUSES
from desktop.domain.enums import BookingStatus
from desktop.domain.listing import DestinationFilter, Page, PageRequest, RowCount
from desktop.domain.records import DestinationRow, TakenDates, record_builder
from desktop.domain.validation import is_database_id

T = cast(Table, Destination.__table__)
B = cast(Table, Booking.__table__)
SORTS: dict[str, SortKey] = {
    "id": SortKey(T.c.id),
    "name": SortKey(T.c.name),
    "country": SortKey(T.c.country),
    "city": SortKey(T.c.city),
    "price": SortKey(T.c.price),
    "duration": SortKey(T.c.duration),
    "max_guests": SortKey(T.c.max_guests),
    # NULL reads as 0 / inactive here, as the rows show it (a few thousand rows: no index needed)
    "rating": SortKey(func.coalesce(T.c.rating, 0)),
    "review_count": SortKey(func.coalesce(T.c.review_count, 0)),
    "active": SortKey(func.coalesce(T.c.active, False)),
    "created_at": SortKey(T.c.created_at, nullable=True),
    "updated_at": SortKey(T.c.updated_at, nullable=True),
}
# What the destination editor edits. The version hashes these only: the rating trigger
# rewrites the row (rating, review_count, updated_at) whenever a review comes or goes, and
# with xmin as the version an editor open meanwhile could not save, though nothing it
# shows had changed.
EDITABLE = (
    "name",
    "description",
    "country",
    "city",
    "price",
    "duration",
    "max_guests",
    "images",
    "features",
    "active",
)


def content_version() -> ColumnElement[str]:
    """A destination's version: a hash of its editable columns."""
    return func.md5(Cast(tuple_(*(T.c[name] for name in EDITABLE)), Text)).label("version")


_COLUMNS = (*T.c, content_version())
# The same expression as the design's GIN index idx_destinations_search, so it is used.
_DOCUMENT: ColumnElement[Any] = literal_column(SEARCH_DOCUMENT)


def _row_builder() -> Callable[[Any], DestinationRow]:
    """A row of ``_COLUMNS`` as a ``DestinationRow``, NULLs read as the list shows them."""
    labels = list(select(*_COLUMNS).selected_columns.keys())
    build = record_builder(DestinationRow, labels)  # fails at import if the columns drift
    images, features, rating, reviews, active = (
        labels.index(name) for name in ("images", "features", "rating", "review_count", "active")
    )
    zero = Decimal("0")

    def row(r: Any) -> DestinationRow:
        values = list(r)
        values[images] = tuple(values[images] or ())
        values[features] = tuple(values[features] or ())
        if values[rating] is None:
            values[rating] = zero
        values[reviews] = values[reviews] or 0
        values[active] = bool(values[active])
        return build(values)

    return row


_row = _row_builder()


class DestinationRepository(VersionedRepository[DestinationRow]):
    table = T
    noun = "destination"

    def version(self) -> ColumnElement[str]:
        return content_version()

    def _one(self, ident: int) -> Select[Any]:
        return select(*_COLUMNS).where(T.c.id == ident)

    def _record(self, row: Any) -> DestinationRow:
        return _row(row)

    def get_for_booking(self, ident: int) -> DestinationRow:
        """The destination, share-locked so its price and limits hold until commit."""
        if not is_database_id(ident):
            raise self._missing(ident)
        wait_for_locks_at_most(self.session)
        row = self.session.execute(self._one(ident).with_for_update(read=True)).first()
        if row is None:
            raise self._missing(ident)
        return _row(row)

    def add(self, values: dict[str, Any]) -> DestinationRow:
        ident = self.session.execute(insert(T).values(**values).returning(T.c.id)).scalar_one()
        return self.get(ident)

    def delete(self, ident: int) -> None:
        self.session.execute(T.delete().where(T.c.id == ident))

    def has_bookings(self, ident: int) -> bool:
        stmt = select(exists().where(B.c.destination_id == ident))
        return bool(self.session.execute(stmt).scalar_one())

    def taken_dates(self, ident: int, start: date, end: date) -> list[TakenDates]:
        """Active bookings of the destination overlapping [start, end)."""
        stmt = (
            select(B.c.id, B.c.start_date, B.c.end_date, B.c.status)
            .where(
                B.c.destination_id == ident,
                B.c.status.in_(sorted(s.value for s in ACTIVE_STATUSES)),
                func.daterange(B.c.start_date, B.c.end_date).op("&&")(func.daterange(start, end)),
            )
            .order_by(B.c.start_date)
        )
        return [
            TakenDates(r.id, r.start_date, r.end_date, BookingStatus(r.status))
            for r in self.session.execute(stmt)
        ]

    def countries(self) -> list[str]:
        stmt = select(T.c.country).distinct().order_by(T.c.country)
        return list(self.session.execute(stmt).scalars())

    def _filtered(self, f: DestinationFilter) -> Select[Any]:
        stmt = select(*_COLUMNS)
        words, country, city = search_text(f.text), search_text(f.country), search_text(f.city)
        if words:
            query = func.websearch_to_tsquery(text("'english'::regconfig"), words)
            stmt = stmt.where(_DOCUMENT.op("@@")(query))
        if country:
            stmt = stmt.where(T.c.country == country)
        if city:
            stmt = stmt.where(T.c.city == city)
        if f.price_min is not None:
            stmt = stmt.where(T.c.price >= f.price_min)
        if f.price_max is not None:
            stmt = stmt.where(T.c.price <= f.price_max)
        # NULL rating and NULL active read as 0 and inactive, as the rows show them.
        if f.min_rating is not None:
            at_least = T.c.rating >= f.min_rating
            stmt = stmt.where(at_least if f.min_rating > 0 else or_(at_least, T.c.rating.is_(None)))
        if f.active is not None:
            stmt = stmt.where(T.c.active.is_(True) if f.active else T.c.active.is_not(True))
        return stmt

    def page(self, f: DestinationFilter, request: PageRequest) -> Page[DestinationRow]:
        return fetch_page(
            self.session,
            self._filtered(f),
            key=sort_key(SORTS, request.sort.column, "Destinations"),
            id_col=T.c.id,
            request=request,
            to_row=_row,
            sort_value=lambda d: getattr(d, request.sort.column),
            row_id=lambda d: d.id,
        )

    def count(self, f: DestinationFilter) -> RowCount:
        return count_rows(self.session, self._filtered(f), filtered=f != DestinationFilter())
