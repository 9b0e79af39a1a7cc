"""Indexes for finding people as you type, and for listing them by name.

Counter staff find a customer by any part of the name, e-mail or phone
(``ILIKE '%...%'``), which no b-tree index serves. Trigram GIN indexes
(pg_trgm) on the three columns make that search fast on 100,000 customers.
A b-tree on ``(name, id)`` serves the lists sorted by name and the bookings
list sorted by customer.

Revision ID: 0006_people_search_indexes
Revises: 0005_booking_request_token
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_people_search_indexes"
down_revision: str | Sequence[str] | None = "0005_booking_request_token"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_COLUMNS = ("name", "email", "phone")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        op.create_index(
            f"idx_users_{column}_trgm",
            "users",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
    op.create_index("idx_users_name_id", "users", ["name", "id"])


def downgrade() -> None:
    op.drop_index("idx_users_name_id", table_name="users")
    for column in reversed(TRIGRAM_COLUMNS):
        op.drop_index(f"idx_users_{column}_trgm", table_name="users")
    # pg_trgm may serve other objects of a shared database; it stays.
