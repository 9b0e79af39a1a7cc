"""Tell every connected workstation what changed: NOTIFY on channel ``exotic_changes``.

Forty people work on the same bookings; what one saves, the others' open
lists and editors must show within a second. Statement-level triggers on the
five tables send one notification per changed row on the channel
``exotic_changes`` (named as a literal, so any client of the database can
LISTEN), delivered when the transaction commits. The payload is small JSON:

    {"table": "bookings", "op": "UPDATE", "id": 42,
     "destination_id": 7, "user_id": 1001}

``table`` and ``op`` (INSERT, UPDATE, DELETE) always; ``id`` of the row; and
the ids a list needs to place the row: ``user_id`` and ``destination_id`` for
bookings and reviews, ``booking_id`` for reviews, ``resource_type`` and
``resource_id`` for audit entries. A statement that changes more than 100 rows
(a bulk load, a migration) sends a single ``{"table": ..., "op": ...,
"bulk": N}`` instead, and listeners reload. Payloads stay far below
PostgreSQL's 8,000-byte limit.

Revision ID: 0008_change_notifications
Revises: 0007_audit_log_append_only
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008_change_notifications"
down_revision: str | Sequence[str] | None = "0007_audit_log_append_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("users", "destinations", "bookings", "reviews", "audit_logs")
EVENTS = {
    "INSERT": "NEW TABLE AS changed",
    "UPDATE": "NEW TABLE AS changed",
    "DELETE": "OLD TABLE AS changed",
}

FUNCTION = """
CREATE FUNCTION notify_exotic_changes()
RETURNS TRIGGER AS $$
DECLARE
    total integer;
    item jsonb;
BEGIN
    SELECT count(*) INTO total FROM changed;
    IF total = 0 THEN
        RETURN NULL;
    END IF;
    IF total > 100 THEN
        PERFORM pg_notify('exotic_changes', json_build_object(
            'table', TG_TABLE_NAME, 'op', TG_OP, 'bulk', total)::text);
        RETURN NULL;
    END IF;
    FOR item IN SELECT to_jsonb(c) FROM changed c LOOP
        PERFORM pg_notify('exotic_changes', jsonb_strip_nulls(jsonb_build_object(
            'table', TG_TABLE_NAME,
            'op', TG_OP,
            'id', item -> 'id',
            'user_id', item -> 'user_id',
            'destination_id', item -> 'destination_id',
            'booking_id', item -> 'booking_id',
            'resource_type', item -> 'resource_type',
            'resource_id', item -> 'resource_id'))::text);
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""


def _trigger(table: str, event: str) -> str:
    return f"trigger_{table}_notify_{event.lower()}"


def upgrade() -> None:
    op.execute(FUNCTION)
    for table in TABLES:
        for event, transition in EVENTS.items():
            op.execute(
                f"CREATE TRIGGER {_trigger(table, event)} AFTER {event} ON {table} "
                f"REFERENCING {transition} FOR EACH STATEMENT "
                "EXECUTE FUNCTION notify_exotic_changes()"
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        for event in reversed(list(EVENTS)):
            op.execute(f"DROP TRIGGER {_trigger(table, event)} ON {table}")
    op.execute("DROP FUNCTION notify_exotic_changes()")
