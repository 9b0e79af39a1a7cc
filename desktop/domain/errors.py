"""Typed errors, each carrying a message a counter clerk can act on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class BackOfficeError(Exception):
    """Base of every error the application shows to a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(BackOfficeError):
    """Bad input. ``fields`` maps each offending field to what is wrong and how to fix it."""

    def __init__(self, fields: Mapping[str, str], message: str | None = None) -> None:
        self.fields = dict(fields)
        text = message or "; ".join(f"{name}: {problem}" for name, problem in self.fields.items())
        super().__init__(text)


class Conflict(BackOfficeError):
    """The save collides with someone else's work (a double booking, a newer version)."""

    def __init__(self, message: str, *, current: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.current = dict(current) if current is not None else None


class StaleVersion(Conflict):
    """The record changed since the person opened it; ``current`` holds its values now."""


class PermissionDenied(BackOfficeError):
    """The signed-in person's role does not allow this."""


class NotFound(BackOfficeError):
    """The record does not exist (any more)."""


class DatabaseUnavailable(BackOfficeError):
    """The database cannot be reached or refused the connection; nothing was saved."""


class AuthenticationFailed(BackOfficeError):
    """Signing in failed. The message never says whether the e-mail exists."""


class TooManyAttempts(AuthenticationFailed):
    """Signing in is paused for this e-mail after repeated failures."""

    def __init__(self, message: str, *, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class ConstraintViolated(BackOfficeError):
    """A write broke one of the database's own rules; ``constraint`` names the rule.

    ``UnitOfWork.savepoint()`` raises it, so services match the constraints they
    expect by name in one way. One that reaches a person means a rule the
    service did not check before writing; the message still says that nothing
    was saved.
    """

    def __init__(self, constraint: str, message: str | None = None) -> None:
        super().__init__(
            message
            or "The database refused the change because it breaks one of its rules "
            f"({constraint or 'unnamed'}); nothing was saved. Check the values and try again."
        )
        self.constraint = constraint


class DatabaseBusy(Conflict):
    """Another workstation held the same rows (a deadlock, or a lock wait that timed out).

    Nothing was saved; the same work usually succeeds when tried again.
    """


class AlreadyDone(BackOfficeError):
    """What was asked is already so (a second helpful vote by the same person); nothing changed."""
