"""Reading the audit trail (administrators and moderators)."""

from __future__ import annotations

from desktop.db.uow import UnitOfWork
from desktop.domain.audit import AUDIT_ACTIONS, RESOURCE_TYPES
from desktop.domain.errors import ValidationError
from desktop.domain.listing import AuditFilter, Page, PageRequest, RowCount, check_audit_filter
from desktop.domain.permissions import Actor, Permission
from desktop.domain.records import AuditRow
from desktop.services.context import Service


def _check_filter(uow: UnitOfWork, f: AuditFilter) -> None:
    """The action and resource must be ones this application records, or another client did."""
    check_audit_filter(f)
    action, resource = f.action.strip(), f.resource_type.strip()
    problems: dict[str, str] = {}
    if action and action not in AUDIT_ACTIONS and not uow.audit.recorded(action=action):
        problems["action"] = f"No entry records the action {action!r}; choose one from the list."
    if resource and resource not in RESOURCE_TYPES and not uow.audit.recorded(resource=resource):
        problems["resource_type"] = (
            f"No entry concerns a resource {resource!r}; choose one from the list."
        )
    if problems:
        raise ValidationError(problems)


class AuditService(Service):
    def page(self, actor: Actor, f: AuditFilter, request: PageRequest) -> Page[AuditRow]:
        actor.require(Permission.VIEW_AUDIT)
        with self.ctx.reading() as uow:
            _check_filter(uow, f)
            return uow.audit.page(f, request)

    def count(self, actor: Actor, f: AuditFilter) -> RowCount:
        actor.require(Permission.VIEW_AUDIT)
        with self.ctx.reading() as uow:
            _check_filter(uow, f)
            return uow.audit.count(f)

    def actions(self, actor: Actor) -> list[str]:
        actor.require(Permission.VIEW_AUDIT)
        with self.ctx.reading() as uow:
            return uow.audit.actions()
