"""Recompute the old destination's rating when a review moves to another one.

The design's ``update_destination_rating()`` recomputes only
``COALESCE(NEW.destination_id, OLD.destination_id)``: when an UPDATE changes a
review's destination, the destination it left keeps the review in its rating
and count. The design's function and trigger stay exactly as written; this
adds a second trigger, fired only when ``destination_id`` changes, that
recomputes the destination the review left.

Revision ID: 0004_rating_follows_moved_review
Revises: 0003_enumeration_checks
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004_rating_follows_moved_review"
down_revision: str | Sequence[str] | None = "0003_enumeration_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION update_previous_destination_rating()
        RETURNS TRIGGER AS $$
        BEGIN
            UPDATE destinations
            SET
                rating = (
                    SELECT COALESCE(AVG(rating), 0)
                    FROM reviews
                    WHERE destination_id = OLD.destination_id
                ),
                review_count = (
                    SELECT COUNT(*)
                    FROM reviews
                    WHERE destination_id = OLD.destination_id
                ),
                updated_at = NOW()
            WHERE id = OLD.destination_id;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        """
        CREATE TRIGGER trigger_update_previous_destination_rating
            AFTER UPDATE OF destination_id ON reviews
            FOR EACH ROW
            WHEN (OLD.destination_id IS DISTINCT FROM NEW.destination_id)
            EXECUTE FUNCTION update_previous_destination_rating()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER trigger_update_previous_destination_rating ON reviews")
    op.execute("DROP FUNCTION update_previous_destination_rating()")
