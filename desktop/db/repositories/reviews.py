"""Reviews, listed with their customer's and destination's names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Select, Table, exists, false, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from desktop.db.keyset import SortKey, count_rows, fetch_page, sort_key
from desktop.db.models import Destination, Review, ReviewHelpfulVote, User
from desktop.db.repositories.base import VersionedRepository, search_text, version_of
from desktop.db.repositories.people import like_pattern
from desktop.domain.listing import Page, PageRequest, ReviewFilter, RowCount
from desktop.domain.records import ReviewRow, record_builder
from desktop.domain.validation import is_database_id

T = cast(Table, Review.__table__)
U = cast(Table, User.__table__)
D = cast(Table, Destination.__table__)
V = cast(Table, ReviewHelpfulVote.__table__)

SORTS: dict[str, SortKey] = {
    "id": SortKey(T.c.id),
    "customer_name": SortKey(U.c.name),
    "destination_name": SortKey(D.c.name),
    "rating": SortKey(T.c.rating),
    # NULL reads as 0 here, as the rows show it (and the cursor carries the shown value)
    "helpful_count": SortKey(func.coalesce(T.c.helpful_count, 0)),
    "created_at": SortKey(T.c.created_at, nullable=True),
    "updated_at": SortKey(T.c.updated_at, nullable=True),
}
_COLUMNS = (
    T.c.id,
    T.c.user_id,
    U.c.name.label("customer_name"),
    T.c.destination_id,
    D.c.name.label("destination_name"),
    T.c.booking_id,
    T.c.rating,
    T.c.comment,
    T.c.helpful_count,
    T.c.created_at,
    T.c.updated_at,
    version_of(T),
    false().label("voted_by_me"),  # read for nobody in particular; see _columns
)
_JOINED = T.join(U, U.c.id == T.c.user_id).join(D, D.c.id == T.c.destination_id)


def _columns(voter_id: int | None = None) -> tuple[Any, ...]:
    """The record's columns; with ``voter_id``, whether that person marked the review
    helpful: one probe of the votes' key (review_id, user_id) per row shown."""
    if voter_id is None:
        return _COLUMNS
    voted = exists().where(V.c.review_id == T.c.id, V.c.user_id == voter_id)
    return (*_COLUMNS[:-1], voted.label("voted_by_me"))


def _row_builder() -> Callable[[Any], ReviewRow]:
    """A row of ``_COLUMNS`` as a ``ReviewRow`` (a NULL helpful count reads as 0)."""
    labels = list(select(*_COLUMNS).selected_columns.keys())
    build = record_builder(ReviewRow, labels)  # fails at import if the columns drift
    helpful_at = labels.index("helpful_count")

    def row(r: Any) -> ReviewRow:
        values = list(r)
        if values[helpful_at] is None:
            values[helpful_at] = 0
        return build(values)

    return row


_row = _row_builder()


class ReviewRepository(VersionedRepository[ReviewRow]):
    table = T
    noun = "review"

    def _one(self, ident: int) -> Select[Any]:
        return select(*_COLUMNS).select_from(_JOINED).where(T.c.id == ident)

    def get_for(self, ident: int, voter_id: int) -> ReviewRow:
        """The review as ``voter_id`` sees it: with whether they marked it helpful."""
        stmt = select(*_columns(voter_id)).select_from(_JOINED).where(T.c.id == ident)
        row = self.session.execute(stmt).first() if is_database_id(ident) else None
        if row is None:
            raise self._missing(ident)
        return _row(row)

    def _record(self, row: Any) -> ReviewRow:
        return _row(row)

    def add(self, values: dict[str, Any]) -> ReviewRow:
        ident = self.session.execute(insert(T).values(**values).returning(T.c.id)).scalar_one()
        return self.get(ident)

    def delete(self, ident: int) -> None:
        self.session.execute(T.delete().where(T.c.id == ident))

    def exists_for(self, user_id: int, destination_id: int, booking_id: int) -> bool:
        stmt = select(T.c.id).where(
            T.c.user_id == user_id,
            T.c.destination_id == destination_id,
            T.c.booking_id == booking_id,
        )
        return self.session.execute(stmt).first() is not None

    def add_helpful_vote(self, ident: int, voter_id: int) -> bool:
        """The voter's helpful vote on the review; False when they had given it already.

        The database counts it into ``helpful_count`` (a trigger of revision 0010),
        so the count stays honest whoever writes the vote. Two votes of the same
        person at once: the second waits for the first and then finds it.
        """
        stmt = (
            pg_insert(V)
            .values(review_id=ident, user_id=voter_id)
            .on_conflict_do_nothing(index_elements=[V.c.review_id, V.c.user_id])
            .returning(V.c.review_id)
        )
        return self.session.execute(stmt).first() is not None

    def helpful_count(self, ident: int) -> int | None:
        """The review's helpful votes now (None when the review is gone)."""
        row = self.session.execute(select(T.c.helpful_count).where(T.c.id == ident)).first()
        return None if row is None else int(row.helpful_count or 0)

    def _filtered(self, f: ReviewFilter, voter_id: int | None = None) -> Select[Any]:
        stmt = select(*_columns(voter_id)).select_from(_JOINED)
        if f.destination_id is not None:
            stmt = stmt.where(T.c.destination_id == f.destination_id)
        if f.user_id is not None:
            stmt = stmt.where(T.c.user_id == f.user_id)
        if f.booking_id is not None:
            stmt = stmt.where(T.c.booking_id == f.booking_id)
        if f.ratings:
            stmt = stmt.where(T.c.rating.in_(sorted(f.ratings)))
        if comment := search_text(f.text):
            stmt = stmt.where(T.c.comment.ilike(like_pattern(comment)))
        return stmt

    def page(
        self, f: ReviewFilter, request: PageRequest, *, voter_id: int | None = None
    ) -> Page[ReviewRow]:
        """A page of reviews; with ``voter_id``, each says whether that person voted."""
        return fetch_page(
            self.session,
            self._filtered(f, voter_id),
            key=sort_key(SORTS, request.sort.column, "Reviews"),
            id_col=T.c.id,
            request=request,
            to_row=_row,
            sort_value=lambda r: getattr(r, request.sort.column),
            row_id=lambda r: r.id,
        )

    def count(self, f: ReviewFilter) -> RowCount:
        return count_rows(self.session, self._filtered(f), filtered=f != ReviewFilter())
