"""Who is signed in, to which database, with which services."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.bootstrap import BackOffice, Connection
from desktop.domain.permissions import ROLE_LABELS, Actor, Permission


@dataclass(frozen=True)
class Session:
    office: BackOffice
    actor: Actor
    connection: Connection

    def can(self, permission: Permission) -> bool:
        return self.actor.can(permission)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.actor.role]
