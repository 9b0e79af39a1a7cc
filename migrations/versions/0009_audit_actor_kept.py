"""The acting staff member of an audit row cannot be erased while the account exists.

0007 lets an UPDATE through when it only sets ``user_id`` to NULL, so that the
design's ``ON DELETE SET NULL`` works when a staff account is deleted. A
direct ``UPDATE audit_logs SET user_id = NULL`` looked the same and could
anonymise the trail. The foreign key's action runs after the account's row is
gone, so the exception now also requires that no user with the old id exists.

Revision ID: 0009_audit_actor_kept
Revises: 0008_change_notifications
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_audit_actor_kept"
down_revision: str | Sequence[str] | None = "0008_change_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BODY = """
CREATE OR REPLACE FUNCTION forbid_audit_log_changes()
RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.user_id IS NOT NULL AND NEW.user_id IS NULL
       AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id')
       {extra}THEN
        RETURN NEW;  -- ON DELETE SET NULL of the staff account's foreign key
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on audit_logs is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.execute(
        BODY.format(extra="AND NOT EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id)\n       ")
    )


def downgrade() -> None:
    op.execute(BODY.format(extra=""))
