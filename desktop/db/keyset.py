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
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, literal, select, text
from sqlalchemy.orm import Session

from desktop.domain.errors import ValidationError
from desktop.domain.listing import MAX_PAGE_SIZE, Cursor, Page, PageRequest, RowCount, SortValue

T = TypeVar("T")

EXACT_COUNT_LIMIT = 10_000


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
) -> Page[T]:
    """One page of ``stmt`` (already filtered) in the requested order, after the cursor."""
    limit = max(1, min(request.limit, MAX_PAGE_SIZE))
    desc = request.sort.descending
    after = request.after
    rows: list[T] = []
    if after is None:
        # The first page: PostgreSQL's own NULL order is the segments' order, one query.
        order = [key.expr.desc(), id_col.desc()] if desc else [key.expr.asc(), id_col.asc()]
        result = session.execute(stmt.order_by(*order).limit(limit + 1)).all()
        return _page([to_row(r) for r in result], limit, sort_value, row_id)
    for segment_is_null, cursor in _segments(key, desc, after):
        want = limit + 1 - len(rows)
        if want <= 0:
            break
        page_stmt = stmt.where(*_segment_where(key.expr, id_col, segment_is_null, cursor, desc))
        if segment_is_null:
            order = [id_col.desc() if desc else id_col.asc()]
        else:
            order = [key.expr.desc(), id_col.desc()] if desc else [key.expr.asc(), id_col.asc()]
        page_stmt = page_stmt.order_by(*order).limit(want)
        rows.extend(to_row(r) for r in session.execute(page_stmt).all())
    return _page(rows, limit, sort_value, row_id)


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
