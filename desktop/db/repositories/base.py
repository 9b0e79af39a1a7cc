"""What every repository shares: row versions, versioned updates, JSON-safe values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Table, literal_column, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import Cast
from sqlalchemy.types import Text

from desktop.domain.errors import NotFound, StaleVersion


def version_of(table: Table) -> ColumnElement[str]:
    """The row version: PostgreSQL's ``xmin``, which changes with every write to the row."""
    return Cast(literal_column(f"{table.name}.xmin"), Text).label("version")


def search_text(value: str) -> str:
    """What a person typed into a search box, as PostgreSQL can take it.

    Trimmed, and without NUL characters (pasted from binary sources), which no
    PostgreSQL text value may hold: the search finds nothing rather than failing.
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

    def version(self) -> ColumnElement[str]:
        """The expression of the version an edit must carry; ``xmin`` unless a table says."""
        return version_of(self.table)

    def _missing(self, ident: int) -> NotFound:
        return NotFound(
            f"{self.noun.capitalize()} {ident} does not exist any more. "
            "Someone may have deleted it; refresh the list."
        )

    def current_values(self, ident: int) -> dict[str, Any] | None:
        row = (
            self.session.execute(select(self.table, self.version()).where(self.table.c.id == ident))
            .mappings()
            .first()
        )
        return self.public(dict(row)) if row is not None else None

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

    def lock_versioned(self, ident: int, version: str | None) -> dict[str, Any]:
        """The current row, locked until commit; ``Conflict`` if it moved past ``version``.

        ``FOR NO KEY UPDATE`` rather than ``FOR UPDATE``: rows that reference this
        one (bookings, reviews, audit rows) take key-share locks on it, and with
        ``FOR UPDATE`` two people editing related rows can deadlock on those.
        """
        wait_for_locks_at_most(self.session)
        row = (
            self.session.execute(
                select(self.table, self.version())
                .where(self.table.c.id == ident)
                .with_for_update(key_share=True)
            )
            .mappings()
            .first()
        )
        if row is None:
            raise self._missing(ident)
        current = self.public(dict(row))
        if version is not None and current["version"] != version:
            raise StaleVersion(
                f"Someone else changed this {self.noun} while you were looking at it. "
                "Nothing was saved. Review their changes, then try again.",
                current=current,
            )
        return current

    def public(self, values: dict[str, Any]) -> dict[str, Any]:
        """A row's values as they may leave the repository (secrets removed)."""
        return values
