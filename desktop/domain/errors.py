"""Typed errors, each carrying a message a counter clerk can act on.

Every error meant for a person derives from ``BackOfficeError``: what happened
(``message``) and, where there is one, what to do about it (``fix``). The
window and the command line both know this base, so nothing a person can act
on falls through to "something went wrong".
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar


class BackOfficeError(Exception):
    """Base of every error the application shows to a person.

    ``fix`` is the way out in words ("Free some space on the disk, then try
    again."), kept apart from the message so the window can set it off; older
    messages carry their advice inside the message and leave it None.
    """

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    @property
    def advice(self) -> str:
        """The message and the fix as one paragraph (the command line's one line)."""
        return f"{self.message} {self.fix}" if self.fix else self.message


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


class WayOut(StrEnum):
    """What a person can do when the application cannot open its database."""

    TRY_AGAIN = "try again"
    CONNECTION_SETTINGS = "connection settings"
    RESET_SETTINGS = "reset saved settings"
    LOG_FOLDER = "show log folder"
    QUIT = "quit"


class StartupError(BackOfficeError):
    """The application cannot open its database; ``ways_out`` lists what can be done.

    Quitting is always possible and is not listed. A failure whose cause is the
    ``--database-url`` option or ``EXOTIC_DATABASE_URL`` drops the connection
    settings from its ways out (``from_command_line``): they would not be used.
    """

    ways_out: ClassVar[tuple[WayOut, ...]] = (
        WayOut.TRY_AGAIN,
        WayOut.CONNECTION_SETTINGS,
        WayOut.LOG_FOLDER,
    )

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.from_command_line = False

    def offered(self) -> tuple[WayOut, ...]:
        """The ways out that apply to this failure, in the order they are offered."""
        if not self.from_command_line:
            return self.ways_out
        settings = (WayOut.CONNECTION_SETTINGS, WayOut.RESET_SETTINGS)
        return tuple(way for way in self.ways_out if way not in settings)


class SettingsError(StartupError):
    """The saved connection settings (or a database URL) cannot be used."""

    ways_out: ClassVar[tuple[WayOut, ...]] = (
        WayOut.TRY_AGAIN,
        WayOut.CONNECTION_SETTINGS,
        WayOut.RESET_SETTINGS,
        WayOut.LOG_FOLDER,
    )


class DatabaseUrlError(SettingsError):
    """The database URL given on the command line or in the environment is not usable.

    Only starting again with another URL helps; the saved settings are not used while it
    is given.
    """

    ways_out: ClassVar[tuple[WayOut, ...]] = (WayOut.LOG_FOLDER,)


class FolderUnusable(StartupError):
    """A folder of ours (data, configuration, logs) cannot be created or written."""


class DiskFull(FolderUnusable):
    """The disk holding one of our folders has no space left."""


class LocalDatabaseFailed(StartupError):
    """The local database server (on this computer) could not be created or started."""


class ServerConnectionFailed(StartupError):
    """No connection to the database server could be made (never made, not lost)."""


class SchemaMismatch(StartupError):
    """The database's schema is not the one this version of the application works with."""


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
