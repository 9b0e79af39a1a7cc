"""CHECK constraints for the enumerations the design lists only in prose.

``users.role`` is one of user, admin, moderator (the design's three) and
agent (counter staff); ``bookings.status`` one of pending, confirmed,
cancelled, completed; ``bookings.payment_status`` one of pending, paid,
failed, refunded (it stays nullable, as the design has it). A typo in another
client can no longer create a status the application does not know.

Revision ID: 0003_enumeration_checks
Revises: 0002_booking_overlap_exclusion
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_enumeration_checks"
down_revision: str | Sequence[str] | None = "0002_booking_overlap_exclusion"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKS = {
    ("users", "chk_users_role"): "role IN ('user', 'admin', 'moderator', 'agent')",
    ("bookings", "chk_bookings_status"): (
        "status IN ('pending', 'confirmed', 'cancelled', 'completed')"
    ),
    ("bookings", "chk_bookings_payment_status"): (
        "payment_status IN ('pending', 'paid', 'failed', 'refunded')"
    ),
}


def upgrade() -> None:
    for (table, name), condition in CHECKS.items():
        op.create_check_constraint(name, table, condition)


def downgrade() -> None:
    for table, name in reversed(list(CHECKS)):
        op.drop_constraint(name, table, type_="check")
