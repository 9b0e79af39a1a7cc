"""The audit trail is append-only: rows cannot be changed, deleted or truncated.

A trigger refuses UPDATE, DELETE and TRUNCATE on ``audit_logs`` for every
client of the database. The one change allowed is the design's own foreign
key action: when a staff account is deleted, ``user_id`` becomes NULL
(``ON DELETE SET NULL``) and nothing else in the row may change.

Revision ID: 0007_audit_log_append_only
Revises: 0006_people_search_indexes
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007_audit_log_append_only"
down_revision: str | Sequence[str] | None = "0006_people_search_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION forbid_audit_log_changes()
        RETURNS TRIGGER AS $$
        BEGIN
            IF TG_OP = 'UPDATE'
               AND OLD.user_id IS NOT NULL AND NEW.user_id IS NULL
               AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
                RETURN NEW;  -- ON DELETE SET NULL of the staff account's foreign key
            END IF;
            RAISE EXCEPTION 'the audit log is append-only: % on audit_logs is not allowed', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        """
        CREATE TRIGGER trigger_audit_logs_append_only
            BEFORE UPDATE OR DELETE ON audit_logs
            FOR EACH ROW
            EXECUTE FUNCTION forbid_audit_log_changes()
        """
    )
    op.execute(
        """
        CREATE TRIGGER trigger_audit_logs_no_truncate
            BEFORE TRUNCATE ON audit_logs
            FOR EACH STATEMENT
            EXECUTE FUNCTION forbid_audit_log_changes()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER trigger_audit_logs_no_truncate ON audit_logs")
    op.execute("DROP TRIGGER trigger_audit_logs_append_only ON audit_logs")
    op.execute("DROP FUNCTION forbid_audit_log_changes()")
