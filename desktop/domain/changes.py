"""What another workstation changed, as the database announces it (``exotic_changes``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from desktop.domain.validation import is_database_id

TABLES = frozenset(
    {"users", "destinations", "bookings", "reviews", "review_helpful_votes", "audit_logs"}
)


@dataclass(frozen=True)
class Change:
    """One row inserted, updated or deleted (or a bulk change: reload everything)."""

    table: str
    op: str  # INSERT, UPDATE or DELETE
    id: int | None = None
    user_id: int | None = None
    destination_id: int | None = None
    booking_id: int | None = None
    resource_type: str | None = None
    resource_id: int | None = None
    bulk: int | None = None  # a statement changed this many rows; no ids are sent

    @classmethod
    def from_payload(cls, payload: str) -> Change | None:
        """Parse a notification's payload; None for anything that is not ours."""
        try:
            raw: dict[str, Any] = json.loads(payload)
            table, op = str(raw["table"]), str(raw["op"]).upper()
        except (ValueError, KeyError, TypeError):
            return None
        if table not in TABLES or op not in ("INSERT", "UPDATE", "DELETE"):
            return None

        def number(key: str) -> int | None:
            """A row's id, or None for anything that cannot be one (any client may NOTIFY)."""
            value = raw.get(key)
            text = str(value) if isinstance(value, int | float | str) else ""
            if not (text.isascii() and text.isdecimal()):
                return None
            ident = int(text)
            return ident if is_database_id(ident) else None

        rtype = raw.get("resource_type")
        return cls(
            table=table,
            op=op,
            id=number("id"),
            user_id=number("user_id"),
            destination_id=number("destination_id"),
            booking_id=number("booking_id"),
            resource_type=str(rtype) if rtype is not None else None,
            resource_id=number("resource_id"),
            bulk=number("bulk"),
        )
