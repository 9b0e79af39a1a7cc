"""A request token on bookings, so a double-submitted create makes one booking.

The window gives every "create booking" form a random token and sends it with
each attempt. A unique index on it turns a second submission (a double click,
a retry after a lost connection) into "this booking exists already" instead
of a second booking, and tells a reconnecting client whether its write landed.

Revision ID: 0005_booking_request_token
Revises: 0004_rating_follows_moved_review
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_booking_request_token"
down_revision: str | Sequence[str] | None = "0004_rating_follows_moved_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("bookings", sa.Column("request_token", postgresql.UUID(), nullable=True))
    op.create_index("uq_bookings_request_token", "bookings", ["request_token"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_bookings_request_token", table_name="bookings")
    op.drop_column("bookings", "request_token")
