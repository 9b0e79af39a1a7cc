"""Keyset pagination and cheap counts, shared by every repository's list.

A page is the rows after the previous page's last (sort value, id), never an
OFFSET: page 5,000 costs what page 1 costs. NULLs sort last ascending and
first descending (PostgreSQL's own order, so plain b-tree indexes serve both
directions); a nullable column's NULL rows form their own segment, reached
when the other segment runs out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, literal, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger, Boolean, Date, DateTime, Integer, Numeric, String

from desktop.domain.errors import ValidationError
from desktop.domain.listing import MAX_PAGE_SIZE, Cursor, Page, PageRequest, RowCount, SortValue
from desktop.domain.validation import is_database_id

T = TypeVar("T")

EXACT_COUNT_LIMIT = 10_000
# A search text this long is selective enough (trigram indexes serve 3+ characters)
# to find its matches first; a shorter one matches so many rows that walking the
# sort order's index is cheaper.
FILTER_FIRST_MIN_CHARS = 3


@dataclass(frozen=True)
class SortKey:
    """A column a list may be sorted by."""

    expr: ColumnElement[Any]
    nullable: bool = False


def sort_key(columns: Mapping[str, SortKey], name: str, list_name: str) -> SortKey:
    try:
        return columns[name]
    except KeyError:
        allowed = ", ".join(sorted(columns))
        raise ValidationError(
            {"sort": f"{list_name} cannot be sorted by {name!r}; choose one of {allowed}."}
        ) from None


LOST_PLACE = "The list lost its place (its position does not fit its order). Reload the list."


def _fits(column_type: Any, value: SortValue) -> bool:
    """Whether a cursor's value can be compared with the sort column as the database types it.

    A value of another type, or one the column's type cannot hold (an integer
    beyond its bits, an amount beyond its precision), would make the database
    refuse the statement instead of reading a page.
    """
    if value is None:
        return True
    if isinstance(column_type, Boolean):
        return isinstance(value, bool)
    if isinstance(column_type, Integer):
        bits = 63 if isinstance(column_type, BigInteger) else 31
        return (
            isinstance(value, int) and not isinstance(value, bool) and -(2**bits) <= value < 2**bits
        )
    if isinstance(column_type, Numeric):
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return False
        amount = Decimal(value)
        if not amount.is_finite():
            return False
        scale = column_type.scale or 0
        bound = 10 ** ((column_type.precision or 1000) - scale)
        # A row's value has the column's scale; more decimals (1E-20000) cannot even be sent.
        return bool(abs(amount) < bound and amount == round(amount, scale))
    if isinstance(column_type, DateTime):
        return isinstance(value, datetime)
    if isinstance(column_type, Date):
        return isinstance(value, date) and not isinstance(value, datetime)
    if isinstance(column_type, String):
        return isinstance(value, str)
    return True


def check_cursor(key: SortKey, cursor: Cursor | None) -> None:
    """Refuse a position that cannot belong to this list's order (a ``ValidationError``)."""
    if cursor is None:
        return
    if not (
        isinstance(cursor.id, int) and not isinstance(cursor.id, bool) and is_database_id(cursor.id)
    ) or not _fits(key.expr.type, cursor.value):
        raise ValidationError({"after": LOST_PLACE})


def fetch_page(
    session: Session,
    stmt: Select[Any],
    *,
    key: SortKey,
    id_col: ColumnElement[int],
    request: PageRequest,
    to_row: Callable[[Any], T],
    sort_value: Callable[[T], SortValue],
    row_id: Callable[[T], int],
    filter_first: bool = False,
) -> Page[T]:
    """One page of ``stmt`` (already filtered) in the requested order, after the cursor.

    ``filter_first`` is for selective searches (a name fragment): it makes the
    planner find the matches through their indexes and sort those, instead of
    walking the sort column's index and testing every row until a page is full.
    """
    limit = max(1, min(request.limit, MAX_PAGE_SIZE))
    desc = request.sort.descending
    after = request.after
    check_cursor(key, after)
    rows: list[T] = []
    if after is None:
        # The first page: PostgreSQL's own NULL order is the segments' order, one query.
        first = _ordered(stmt, key.expr, id_col, desc, filter_first=filter_first)
        result = session.execute(first.limit(limit + 1)).all()
        return _page([to_row(r) for r in result], limit, sort_value, row_id)
    for segment_is_null, cursor in _segments(key, desc, after):
        want = limit + 1 - len(rows)
        if want <= 0:
            break
        page_stmt = stmt.where(*_segment_where(key.expr, id_col, segment_is_null, cursor, desc))
        sort_by = None if segment_is_null else key.expr  # the NULL segment sorts by id only
        page_stmt = _ordered(page_stmt, sort_by, id_col, desc, filter_first=filter_first)
        rows.extend(to_row(r) for r in session.execute(page_stmt.limit(want)).all())
    return _page(rows, limit, sort_value, row_id)


def _ordered(
    stmt: Select[Any],
    sort_by: ColumnElement[Any] | None,
    id_col: ColumnElement[int],
    desc: bool,
    *,
    filter_first: bool,
) -> Select[Any]:
    """``stmt`` in page order; with ``filter_first``, its rows are found before they are sorted.

    ``OFFSET 0`` keeps the subquery from being flattened into the outer query, so
    the ``ORDER BY ... LIMIT`` cannot be pushed into an index walk of the sort column.
    """
    if filter_first:
        inner = stmt.offset(literal_column("0")).subquery("matches")
        inner_sort = inner.corresponding_column(sort_by) if sort_by is not None else None  # type: ignore[arg-type]
        inner_id = inner.corresponding_column(id_col)  # type: ignore[arg-type]
        if inner_id is not None and (sort_by is None or inner_sort is not None):
            stmt, sort_by, id_col = select(inner), inner_sort, inner_id
    keys = [] if sort_by is None else [sort_by]
    return stmt.order_by(*(k.desc() if desc else k.asc() for k in (*keys, id_col)))


def _page(
    rows: list[T], limit: int, sort_value: Callable[[T], SortValue], row_id: Callable[[T], int]
) -> Page[T]:
    """The first ``limit`` rows; a cursor after the last one when another row was found."""
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = Cursor(sort_value(rows[-1]), row_id(rows[-1])) if has_more and rows else None
    return Page(rows=tuple(rows), next=next_cursor)


def _segments(key: SortKey, desc: bool, after: Cursor | None) -> list[tuple[bool, Cursor | None]]:
    """The (is-NULL segment, cursor in it) pairs still to read, in order."""
    if not key.nullable:
        return [(False, after)]
    order = [True, False] if desc else [False, True]  # NULLs first descending, last ascending
    if after is None:
        return [(seg, None) for seg in order]
    current = after.value is None
    start = order.index(current)
    return [(order[start], after)] + [(seg, None) for seg in order[start + 1 :]]


def _segment_where(
    col: ColumnElement[Any],
    id_col: ColumnElement[int],
    is_null: bool,
    cursor: Cursor | None,
    desc: bool,
) -> Sequence[ColumnElement[bool]]:
    if is_null:
        clauses: list[ColumnElement[bool]] = [col.is_(None)]
        if cursor is not None:
            clauses.append(id_col < cursor.id if desc else id_col > cursor.id)
        return clauses
    clauses = [col.is_not(None)]
    if cursor is not None:
        # A bound value of the column's type: a bare True/False would not compare with ">=".
        v = literal(cursor.value, col.type)
        # "col >= v" is a plain index condition on any index of col; the tie-break filters.
        if desc:
            clauses.append(and_(col <= v, (col < v) | (id_col < cursor.id)))
        else:
            clauses.append(and_(col >= v, (col > v) | (id_col > cursor.id)))
    return clauses


def count_rows(session: Session, stmt: Select[Any], *, filtered: bool) -> RowCount:
    """Exact up to ``EXACT_COUNT_LIMIT`` rows, the planner's estimate beyond.

    Counting a million rows exactly takes a full scan; a list only needs
    "about 1,000,000". A bounded count settles small results exactly.
    """
    bounded = select(func.count()).select_from(
        _only_one_column(stmt).order_by(None).limit(EXACT_COUNT_LIMIT + 1).subquery()
    )
    if not filtered:
        estimate = _estimate(session, stmt)
        if estimate > EXACT_COUNT_LIMIT * 2:
            return RowCount(estimate, exact=False)
    counted = int(session.execute(bounded).scalar_one())
    if counted <= EXACT_COUNT_LIMIT:
        return RowCount(counted, exact=True)
    return RowCount(max(_estimate(session, stmt), counted), exact=False)


def _only_one_column(stmt: Select[Any]) -> Select[Any]:
    """The same rows with a constant column (the FROM list kept: ``1`` names no table)."""
    return stmt.with_only_columns(text("1"), maintain_column_froms=True)


def _estimate(session: Session, stmt: Select[Any]) -> int:
    compiled = (
        _only_one_column(stmt)
        .order_by(None)
        .compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    )
    plan = session.execute(text(f"EXPLAIN (FORMAT JSON) {compiled}")).scalar_one()
    return int(plan[0]["Plan"]["Plan Rows"])
