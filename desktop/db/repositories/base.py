"""What every repository shares: row versions, typed locked rows, versioned updates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, Table, literal_column, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import Cast
from sqlalchemy.types import Text

from desktop.domain.errors import NotFound, StaleVersion
from desktop.domain.records import record_values
from desktop.domain.validation import is_database_id


class Versioned(Protocol):
    """A record an edit must carry the version of."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> str: ...


R = TypeVar("R", bound=Versioned)


def version_of(table: Table) -> ColumnElement[str]:
    """The row version: PostgreSQL's ``xmin``, which changes with every write to the row."""
    return Cast(literal_column(f"{table.name}.xmin"), Text).label("version")


def search_text(value: str) -> str:
    """What a person typed into a search box, as PostgreSQL can take it.

    Trimmed, and without NUL characters, which no PostgreSQL text value may hold.
    The services refuse such text with a message; this keeps other callers safe.
    """
    return value.replace("\x00", "").strip()


LOCK_TIMEOUT = "5s"


def wait_for_locks_at_most(session: Session) -> None:
    """Give up after a few seconds when another workstation holds the rows (then: try again).

    ``SET LOCAL`` lasts until the end of the transaction, so it works behind a
    transaction-mode pooler too.
    """
    session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))


class Repository:
    table: Table
    noun: str = "record"

    def __init__(self, session: Session) -> None:
        self.session = session

    def _missing(self, ident: int) -> NotFound:
        return NotFound(
            f"{self.noun.capitalize()} {ident} does not exist any more. "
            "Someone may have deleted it; refresh the list."
        )


class VersionedRepository(Repository, Generic[R]):
    """A table whose rows are edited: read as typed records, locked, updated by version.

    Subclasses say how one row is read (``_one``, a statement of the record's
    columns) and built (``_record``); ``get`` and ``lock_versioned`` hand the
    same typed record to the services.
    """

    def _one(self, ident: int) -> Select[Any]:
        """The statement that reads one row with the record's columns."""
        raise NotImplementedError

    def _record(self, row: Any) -> R:
        """The typed record of a row of ``_one``."""
        raise NotImplementedError

    def version(self) -> ColumnElement[str]:
        """The expression of the version an edit must carry; ``xmin`` unless a table says."""
        return version_of(self.table)

    def get(self, ident: int) -> R:
        row = self.session.execute(self._one(ident)).first() if is_database_id(ident) else None
        if row is None:
            raise self._missing(ident)
        return self._record(row)

    def current_values(self, ident: int) -> dict[str, Any] | None:
        """The row as it is now, by field (what a conflict shows), or None when it is gone."""
        try:
            return record_values(self.get(ident))
        except NotFound:
            return None

    def update_versioned(self, ident: int, version: str, values: Mapping[str, Any]) -> str:
        """Write ``values`` only if the row is still at ``version``; return the new version.

        A row changed since (by anyone) raises ``Conflict`` carrying its current
        values; nothing is written.
        """
        t = self.table
        stmt = (
            update(t)
            .where(t.c.id == ident, self.version() == version)
            .values(**values)
            .returning(self.version())
        )
        new_version = self.session.execute(stmt).scalar_one_or_none()
        if new_version is not None:
            return str(new_version)
        current = self.current_values(ident)
        if current is None:
            raise self._missing(ident)
        raise StaleVersion(
            f"Someone else changed this {self.noun} while you were editing it. "
            "Nothing was saved. Review their changes, then save again.",
            current=current,
        )

    def lock_versioned(self, ident: int, version: str | None) -> R:
        """The current row as a typed record, locked until commit; ``Conflict`` if it moved past
        ``version``.

        ``FOR NO KEY UPDATE`` rather than ``FOR UPDATE``: rows that reference this
        one (bookings, reviews, audit rows) take key-share locks on it, and with
        ``FOR UPDATE`` two people editing related rows can deadlock on those. Only
        this table's row is locked, not the rows joined for names.
        """
        if not is_database_id(ident):
            raise self._missing(ident)
        wait_for_locks_at_most(self.session)
        row = self.session.execute(
            self._one(ident).with_for_update(key_share=True, of=self.table)
        ).first()
        if row is None:
            raise self._missing(ident)
        current = self._record(row)
        if version is not None and current.version != version:
            raise StaleVersion(
                f"Someone else changed this {self.noun} while you were looking at it. "
                "Nothing was saved. Review their changes, then try again.",
                current=record_values(current),
            )
        return current
