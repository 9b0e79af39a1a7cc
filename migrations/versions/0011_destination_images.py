"""Pictures of destinations stored in the database, so every workstation can show them.

The design's ``destinations.images`` holds "image URLs". The window used to
put local file paths there, which no other workstation can open. A picture a
person adds now goes into ``destination_images``, keyed by the SHA-256 of its
bytes (the same picture added twice is stored once), and ``images`` holds its
reference ``db-image:<sha256>`` beside the ``https://`` addresses other clients
write: the column keeps its meaning, "where the picture is".

The database keeps the rules every client must follow: the key is the hash of
the content, the content is JPEG, PNG, GIF or WebP by its declared type, the
size is what it says and at most 10 MB. ``content`` is stored uncompressed
(``STORAGE EXTERNAL``): pictures are compressed already, and PostgreSQL's
attempt would only cost time.

No change-notification trigger (0008): a stored picture never changes, no list
shows these rows, and the destination whose ``images`` gains the reference
announces that itself. 0008's function would also turn every row, 10 MB of
content included, into JSON.

Revision ID: 0011_destination_images
Revises: 0010_review_helpful_votes
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_destination_images"
down_revision: str | Sequence[str] | None = "0010_review_helpful_votes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_BYTES = 10 * 1024 * 1024  # desktop.domain.images.MAX_IMAGE_BYTES at this revision
MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def upgrade() -> None:
    media_types = ", ".join(f"'{m}'" for m in MEDIA_TYPES)
    op.create_table(
        "destination_images",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", postgresql.BYTEA(), nullable=False),
        sa.Column("media_type", sa.String(50), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("sha256", name="destination_images_pkey"),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name="destination_images_created_by_fkey",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "sha256 = encode(sha256(content), 'hex')", name="chk_destination_images_sha256"
        ),
        sa.CheckConstraint(
            f"media_type IN ({media_types})", name="chk_destination_images_media_type"
        ),
        sa.CheckConstraint(
            f"byte_size = octet_length(content) AND byte_size <= {MAX_BYTES}",
            name="chk_destination_images_byte_size",
        ),
        sa.CheckConstraint("width > 0 AND height > 0", name="chk_destination_images_pixels"),
    )
    op.execute("ALTER TABLE destination_images ALTER COLUMN content SET STORAGE EXTERNAL")
    op.create_index("idx_destination_images_created_by", "destination_images", ["created_by"])


def downgrade() -> None:
    op.drop_index("idx_destination_images_created_by", table_name="destination_images")
    op.drop_table("destination_images")
