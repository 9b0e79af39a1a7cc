"""Who is signed in, to which database, with which services, and the server's clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.bootstrap import BackOffice, Connection
from desktop.domain.permissions import ROLE_LABELS, Actor, Permission
from desktop.ui.dates import ServerClock


@dataclass(frozen=True)
class Session:
    office: BackOffice
    actor: Actor
    connection: Connection
    # The server's time as the window knows it (the main window reads it): "today" for
    # every date the window offers or judges, whatever this computer's clock says.
    clock: ServerClock = field(default_factory=ServerClock)

    def can(self, permission: Permission) -> bool:
        return self.actor.can(permission)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.actor.role]
