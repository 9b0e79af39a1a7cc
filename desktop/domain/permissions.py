"""Who may do what. Every service checks these; the window hides what a role cannot use."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from desktop.domain.enums import Role
from desktop.domain.errors import PermissionDenied


class Permission(StrEnum):
    VIEW_BOOKINGS = "view bookings"
    MANAGE_BOOKINGS = "manage bookings"
    VIEW_CUSTOMERS = "view customers"
    MANAGE_CUSTOMERS = "manage customers"
    VIEW_DESTINATIONS = "view destinations"
    MANAGE_DESTINATIONS = "manage destinations"
    VIEW_REVIEWS = "view reviews"
    RECORD_REVIEWS = "record reviews"
    MODERATE_REVIEWS = "moderate reviews"
    VIEW_AUDIT = "view the audit log"
    MANAGE_STAFF = "manage staff accounts"
    MAINTENANCE = "run maintenance"


_P = Permission
_AGENT = frozenset(
    {
        _P.VIEW_BOOKINGS,
        _P.MANAGE_BOOKINGS,
        _P.VIEW_CUSTOMERS,
        _P.MANAGE_CUSTOMERS,
        _P.VIEW_DESTINATIONS,  # to pick a destination at the counter
        _P.VIEW_REVIEWS,
        _P.RECORD_REVIEWS,
    }
)
_MODERATOR = frozenset(
    {
        _P.VIEW_BOOKINGS,
        _P.MANAGE_BOOKINGS,
        _P.VIEW_CUSTOMERS,  # bookings name their customer; editing customers is the counter's
        _P.VIEW_DESTINATIONS,
        _P.MANAGE_DESTINATIONS,
        _P.VIEW_REVIEWS,
        _P.RECORD_REVIEWS,
        _P.MODERATE_REVIEWS,
        _P.VIEW_AUDIT,
    }
)

# The one table of role rights. Customers (role "user") are records, not staff.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MODERATOR: _MODERATOR,
    Role.AGENT: _AGENT,
    Role.USER: frozenset(),
}

STAFF_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.MODERATOR, Role.AGENT)

ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Administrator",
    Role.MODERATOR: "Moderator",
    Role.AGENT: "Counter agent",
    Role.USER: "Customer",
}


@dataclass(frozen=True)
class Actor:
    """The signed-in staff member on whose behalf a service acts."""

    id: int
    name: str
    email: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                f"{ROLE_LABELS[self.role]}s may not {permission.value}. "
                "Ask an administrator if you need this."
            )


def is_staff(role: Role | str) -> bool:
    return Role(role) in STAFF_ROLES
