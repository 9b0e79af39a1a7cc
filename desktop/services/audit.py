"""Reading the audit trail (administrators and moderators)."""

from __future__ import annotations

from desktop.domain.listing import AuditFilter, Page, PageRequest, RowCount
from desktop.domain.permissions import Actor, Permission
from desktop.domain.records import AuditRow
from desktop.services.context import Service


class AuditService(Service):
    def page(self, actor: Actor, f: AuditFilter, request: PageRequest) -> Page[AuditRow]:
        actor.require(Permission.VIEW_AUDIT)
        with self.ctx.reading() as uow:
            return uow.audit.page(f, request)

    def count(self, actor: Actor, f: AuditFilter) -> RowCount:
        actor.require(Permission.VIEW_AUDIT)
        with self.ctx.reading() as uow:
            return uow.audit.count(f)

    def actions(self, actor: Actor) -> list[str]:
        actor.require(Permission.VIEW_AUDIT)
        with self.ctx.reading() as uow:
            return uow.audit.actions()
