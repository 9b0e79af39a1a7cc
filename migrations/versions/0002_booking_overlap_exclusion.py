"""Forbid overlapping active bookings of a destination, not only identical ones.

The design's partial unique index ``idx_bookings_no_overlap`` stops two active
bookings with exactly the same dates; two bookings of 1-10 May and 5-12 May
slip through it. The real double booking is any overlap, so an exclusion
constraint over ``daterange(start_date, end_date)`` (half-open: a stay may
start the day the previous one ends) refuses two ``pending`` or ``confirmed``
bookings of the same destination whose ranges overlap. It needs btree_gist
for the ``=`` on ``destination_id``. The design's index is kept.

Revision ID: 0002_booking_overlap_exclusion
Revises: 0001_design_baseline
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002_booking_overlap_exclusion"
down_revision: str | Sequence[str] | None = "0001_design_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        """
        ALTER TABLE bookings
            ADD CONSTRAINT excl_bookings_active_overlap
            EXCLUDE USING gist (
                destination_id WITH =,
                daterange(start_date, end_date) WITH &&
            ) WHERE (status IN ('confirmed', 'pending'))
        """
    )


def downgrade() -> None:
    op.execute("ALTER TABLE bookings DROP CONSTRAINT excl_bookings_active_overlap")
    # The extension may serve other objects of a shared database; it stays.
