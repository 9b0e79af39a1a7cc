"""One "helpful" vote per staff member and review, counted into ``reviews.helpful_count``.

The design keeps only a number, ``reviews.helpful_count``, and any one person
could raise it without limit. Each vote is now a row of
``review_helpful_votes``, keyed by the review and the person, so a second vote
by the same person finds the first. A trigger counts votes into the design's
column: one more for each vote written, one fewer for each vote removed
(the voter's account or the review deleted), so the count stays honest for any
client of the database and under concurrent votes (each vote's update waits
for the review row). Counts from before this revision, whose voters are not
known, are kept as they are.

The table follows 0008's conventions: statement-level triggers send its
changes on the ``exotic_changes`` channel (``user_id`` names the voter; the
review's own update names the review).

Revision ID: 0010_review_helpful_votes
Revises: 0009_audit_actor_kept
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010_review_helpful_votes"
down_revision: str | Sequence[str] | None = "0009_audit_actor_kept"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = """
CREATE TABLE review_helpful_votes (
    review_id BIGINT NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    PRIMARY KEY (review_id, user_id)
)
"""

COUNT_FUNCTION = """
CREATE FUNCTION count_review_helpful_votes()
RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE reviews
        SET helpful_count = GREATEST(COALESCE(helpful_count, 0) - 1, 0)
        WHERE id = OLD.review_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE reviews
        SET helpful_count = COALESCE(helpful_count, 0) + 1
        WHERE id = NEW.review_id;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql
"""

NOTIFY_EVENTS = {
    "INSERT": "NEW TABLE AS changed",
    "UPDATE": "NEW TABLE AS changed",
    "DELETE": "OLD TABLE AS changed",
}


def _notify_trigger(event: str) -> str:
    return f"trigger_review_helpful_votes_notify_{event.lower()}"


def upgrade() -> None:
    op.execute(TABLE)
    op.execute("CREATE INDEX idx_review_helpful_votes_user_id ON review_helpful_votes(user_id)")
    op.execute(COUNT_FUNCTION)
    op.execute(
        "CREATE TRIGGER trigger_review_helpful_votes_count "
        "AFTER INSERT OR UPDATE OF review_id OR DELETE ON review_helpful_votes "
        "FOR EACH ROW EXECUTE FUNCTION count_review_helpful_votes()"
    )
    for event, transition in NOTIFY_EVENTS.items():
        op.execute(
            f"CREATE TRIGGER {_notify_trigger(event)} AFTER {event} ON review_helpful_votes "
            f"REFERENCING {transition} FOR EACH STATEMENT "
            "EXECUTE FUNCTION notify_exotic_changes()"
        )


def downgrade() -> None:
    # The counts stay as they are: the design's column keeps the votes it was given.
    op.execute("DROP TABLE review_helpful_votes")  # its triggers and index go with it
    op.execute("DROP FUNCTION count_review_helpful_votes()")
