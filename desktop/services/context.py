"""What every service needs: units of work, the audit's who and where, and the boundary checks."""

from __future__ import annotations

import inspect
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from desktop.db.uow import UnitOfWork
from desktop.domain.audit import AUDIT_ACTIONS
from desktop.domain.permissions import Actor
from desktop.services.boundary import checked
from desktop.version import user_agent

Clock = Callable[[], datetime]

# Never written to the audit trail, whatever a use case passes.
SECRET_FIELDS = frozenset({"password", "password_hash", "current_password", "new_password"})


def system_clock() -> datetime:
    return datetime.now(UTC)


def workstation_address(server_host: str | None = None) -> str | None:
    """This computer's address on the route to the server (no packet is sent)."""
    target = server_host if server_host and not server_host.startswith("/") else "192.0.2.1"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((target, 5432))
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


@dataclass(frozen=True)
class AuditContext:
    """Where changes come from: the workstation's address and the application's user agent."""

    ip_address: str | None
    user_agent: str

    @classmethod
    def for_this_workstation(cls, server_host: str | None = None) -> AuditContext:
        return cls(workstation_address(server_host), user_agent(socket.gethostname()))


def jsonable(value: Any) -> Any:
    """A value as the audit trail's JSONB stores it."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, list | tuple | frozenset | set):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Old and new values of the fields that differ (secrets left out)."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key, value in after.items():
        if key in SECRET_FIELDS:
            continue
        previous = jsonable(before.get(key))
        current = jsonable(value)
        if previous != current:
            old[key], new[key] = previous, current
    return old, new


@dataclass
class ServiceContext:
    """What the services share.

    ``clock`` is the workstation's clock. Workstations disagree (one 30 days
    fast would complete stays before they end; one 3 days slow would cancel
    bookings before they were made), so nothing that is stored or decides a
    rule reads it: "now" and "today" come from the database server
    (``UnitOfWork.database_now`` and ``database_today``). The workstation's
    clock may only format what is shown.
    """

    units_of_work: Callable[[], UnitOfWork]
    audit: AuditContext
    clock: Clock = field(default=system_clock)
    readings: Callable[[], UnitOfWork] | None = None  # autocommit units for reads

    def reading(self) -> UnitOfWork:
        """A unit of work for a use case that only reads (lists, counts, lookups)."""
        return (self.readings or self.units_of_work)()

    def record(
        self,
        uow: UnitOfWork,
        actor: Actor | None,
        action: str,
        resource_type: str,
        resource_id: int | None,
        *,
        old: Mapping[str, Any] | None = None,
        new: Mapping[str, Any] | None = None,
        actor_id: int | None = None,
    ) -> None:
        """One audit row, in the use case's own transaction (an action of ``AUDIT_ACTIONS``)."""
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"{action!r} is not an audit action; add it to AUDIT_ACTIONS")

        def clean(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
            if values is None:
                return None
            return {k: jsonable(v) for k, v in values.items() if k not in SECRET_FIELDS}

        uow.audit.append(
            user_id=actor.id if actor is not None else actor_id,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            old_values=clean(old),
            new_values=clean(new),
            ip_address=self.audit.ip_address,
            user_agent=self.audit.user_agent,
        )


class Service:
    """A group of use cases. Every public method checks its arguments' types first.

    ``checked`` wraps each public method when a subclass is defined (see
    ``desktop/services/boundary.py``): values of the wrong type, unstorable text
    and impossible ids become typed errors before any use case runs.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, member in list(vars(cls).items()):
            if not name.startswith("_") and inspect.isfunction(member):
                setattr(cls, name, checked(member))

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
