"""The audit trail: append and read; the database refuses changes and deletions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, func, insert, select

from desktop.db.keyset import SortKey, count_rows, fetch_page, sort_key
from desktop.db.models import AuditLog, User
from desktop.db.repositories.base import Repository
from desktop.domain.listing import AuditFilter, Page, PageRequest, RowCount
from desktop.domain.records import AuditRow, record_builder

T = cast(Table, AuditLog.__table__)
U = cast(Table, User.__table__)

SORTS: dict[str, SortKey] = {
    "id": SortKey(T.c.id),
    "created_at": SortKey(T.c.created_at, nullable=True),
    "action": SortKey(T.c.action),
    "resource_type": SortKey(T.c.resource_type),
}
_COLUMNS = (
    T.c.id,
    T.c.user_id,
    U.c.name.label("actor_name"),
    T.c.action,
    T.c.resource_type,
    T.c.resource_id,
    T.c.old_values,
    T.c.new_values,
    func.host(T.c.ip_address).label("ip_address"),
    T.c.user_agent,
    T.c.created_at,
)
_JOINED = T.outerjoin(U, U.c.id == T.c.user_id)


# The columns above are in AuditRow's field order; checked when the module is imported.
_row = record_builder(AuditRow, select(*_COLUMNS).selected_columns.keys())


class AuditRepository(Repository):
    table = T
    noun = "audit entry"

    def append(
        self,
        *,
        user_id: int | None,
        action: str,
        resource_type: str,
        resource_id: int | None,
        old_values: dict[str, Any] | None,
        new_values: dict[str, Any] | None,
        ip_address: str | None,
        user_agent: str,
    ) -> int:
        stmt = (
            insert(T)
            .values(
                user_id=user_id,
                action=action,
                resource_type=resource_type,
                resource_id=resource_id,
                old_values=old_values,
                new_values=new_values,
                ip_address=ip_address,
                user_agent=user_agent,
            )
            .returning(T.c.id)
        )
        return int(self.session.execute(stmt).scalar_one())

    def recent_failures(self, email: str, *, window_minutes: int) -> list[Any]:
        """Times of failed sign-ins for an e-mail within the window, oldest first."""
        stmt = (
            select(T.c.created_at)
            .where(
                T.c.action == "auth.sign_in_failed",
                T.c.new_values.contains({"email": email.lower()}),
                T.c.created_at > func.now() - timedelta(minutes=window_minutes),
            )
            .order_by(T.c.created_at)
        )
        return list(self.session.execute(stmt).scalars())

    def recorded(self, *, action: str | None = None, resource: str | None = None) -> bool:
        """Whether any entry has this action or resource type (recorded by another client)."""
        stmt = select(T.c.id)
        if action is not None:
            stmt = stmt.where(T.c.action == action)
        if resource is not None:
            stmt = stmt.where(T.c.resource_type == resource)
        return self.session.execute(stmt.limit(1)).first() is not None

    def _filtered(self, f: AuditFilter) -> Select[Any]:
        stmt = select(*_COLUMNS).select_from(_JOINED)
        if f.user_id is not None:
            stmt = stmt.where(T.c.user_id == f.user_id)
        if f.action.strip():
            stmt = stmt.where(T.c.action == f.action.strip())
        if f.resource_type.strip():
            stmt = stmt.where(T.c.resource_type == f.resource_type.strip())
        if f.resource_id is not None:
            stmt = stmt.where(T.c.resource_id == f.resource_id)
        if f.since is not None:
            stmt = stmt.where(T.c.created_at >= f.since)
        if f.until is not None:
            stmt = stmt.where(T.c.created_at < f.until)
        return stmt

    def page(self, f: AuditFilter, request: PageRequest) -> Page[AuditRow]:
        return fetch_page(
            self.session,
            self._filtered(f),
            key=sort_key(SORTS, request.sort.column, "The audit log"),
            id_col=T.c.id,
            request=request,
            to_row=_row,
            sort_value=lambda a: getattr(a, request.sort.column),
            row_id=lambda a: a.id,
        )

    def count(self, f: AuditFilter) -> RowCount:
        return count_rows(self.session, self._filtered(f), filtered=f != AuditFilter())

    def actions(self) -> list[str]:
        return list(
            self.session.execute(select(T.c.action).distinct().order_by(T.c.action)).scalars()
        )
