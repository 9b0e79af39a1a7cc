"""Customers and staff: the ``users`` table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, exists, insert, or_, select

from desktop.db.keyset import (
    FILTER_FIRST_MIN_CHARS,
    SortKey,
    count_rows,
    fetch_page,
    sort_key,
)
from desktop.db.models import User
from desktop.db.repositories.base import VersionedRepository, version_of
from desktop.domain.enums import Role
from desktop.domain.listing import Page, PageRequest, PersonFilter, RowCount
from desktop.domain.permissions import STAFF_ROLES
from desktop.domain.records import PersonRow, record_builder

T = cast(Table, User.__table__)
SORTS: dict[str, SortKey] = {
    "id": SortKey(T.c.id),
    "name": SortKey(T.c.name),
    "email": SortKey(T.c.email),
    "phone": SortKey(T.c.phone, nullable=True),
    "role": SortKey(T.c.role),
    "created_at": SortKey(T.c.created_at, nullable=True),
    "updated_at": SortKey(T.c.updated_at, nullable=True),
}
_COLUMNS = (
    T.c.id,
    T.c.name,
    T.c.email,
    T.c.phone,
    T.c.role,
    T.c.email_verified,
    T.c.created_at,
    T.c.updated_at,
    version_of(T),
)


def _row_builder() -> Callable[[Any], PersonRow]:
    """A row of ``_COLUMNS`` as a ``PersonRow`` (never with the password hash)."""
    labels = list(select(*_COLUMNS).selected_columns.keys())
    build = record_builder(PersonRow, labels)  # fails at import if the columns drift
    role_at, verified_at = labels.index("role"), labels.index("email_verified")
    roles = {role.value: role for role in Role}

    def row(r: Any) -> PersonRow:
        values = list(r)
        values[role_at] = roles[values[role_at]]
        values[verified_at] = bool(values[verified_at])
        return build(values)

    return row


_row = _row_builder()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's wildcards escaped (search for a literal ``50%``)."""
    return f"%{_escape_like(text)}%"


def _same_email(email: str) -> ColumnElement[bool]:
    """Case-insensitive equality that the trigram index on ``email`` can serve."""
    return T.c.email.ilike(_escape_like(email.strip()))


class PeopleRepository(VersionedRepository[PersonRow]):
    table = T
    noun = "person"

    def _one(self, ident: int) -> Select[Any]:
        return select(*_COLUMNS).where(T.c.id == ident)

    def _record(self, row: Any) -> PersonRow:
        return _row(row)

    def find_by_email(self, email: str) -> tuple[PersonRow, str] | None:
        """The person and their password hash (for signing in only)."""
        row = self.session.execute(
            select(*_COLUMNS, T.c.password_hash).where(_same_email(email))
        ).first()
        return (_row(row[:-1]), row.password_hash) if row is not None else None

    def email_taken(self, email: str, *, except_id: int | None = None) -> PersonRow | None:
        stmt = select(*_COLUMNS).where(_same_email(email))
        if except_id is not None:
            stmt = stmt.where(T.c.id != except_id)
        row = self.session.execute(stmt.limit(1)).first()
        return _row(row) if row is not None else None

    def staff_exists(self) -> bool:
        stmt = select(exists().where(T.c.role.in_([r.value for r in STAFF_ROLES])))
        return bool(self.session.execute(stmt).scalar_one())

    def add(self, values: dict[str, Any]) -> PersonRow:
        ident = self.session.execute(insert(T).values(**values).returning(T.c.id)).scalar_one()
        return self.get(ident)

    def set_password_hash(self, ident: int, password_hash: str) -> None:
        """Replace the hash without a version check (rehash on sign-in, password changes)."""
        self.session.execute(T.update().where(T.c.id == ident).values(password_hash=password_hash))

    def _filtered(self, f: PersonFilter) -> Select[Any]:
        stmt = select(*_COLUMNS)
        if f.roles:
            stmt = stmt.where(T.c.role.in_(sorted(r.value for r in f.roles)))
        text = f.text.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
        if text:
            pattern = like_pattern(text)
            stmt = stmt.where(
                or_(
                    T.c.name.ilike(pattern),
                    T.c.email.ilike(pattern),
                    T.c.phone.ilike(pattern),
                )
            )
        return stmt

    def page(self, f: PersonFilter, request: PageRequest) -> Page[PersonRow]:
        return fetch_page(
            self.session,
            self._filtered(f),
            key=sort_key(SORTS, request.sort.column, "People"),
            id_col=T.c.id,
            request=request,
            to_row=_row,
            sort_value=lambda p: getattr(p, request.sort.column),
            row_id=lambda p: p.id,
            filter_first=len(f.text.strip()) >= FILTER_FIRST_MIN_CHARS,
        )

    def count(self, f: PersonFilter) -> RowCount:
        return count_rows(self.session, self._filtered(f), filtered=bool(f.text.strip()))
