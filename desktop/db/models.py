"""SQLAlchemy models mirroring the database design column for column.

The schema itself is created by the Alembic migrations (the design's DDL,
verbatim, plus later revisions); these models mirror it, names included, so
that an autogenerate comparison finds no drift. Server defaults and
constraints live in the database because other clients share it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA, INET, JSONB, UUID, ExcludeConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from desktop.domain.bookings import ACTIVE_STATUSES
from desktop.domain.enums import BookingStatus, PaymentStatus, Role
from desktop.domain.images import MAX_IMAGE_BYTES
from desktop.domain.images import MEDIA_TYPES as IMAGE_MEDIA_TYPES


def _in_list(column: str, values: list[str]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


ROLE_CHECK = _in_list("role", [r.value for r in Role])
STATUS_CHECK = _in_list("status", [s.value for s in BookingStatus])
PAYMENT_STATUS_CHECK = _in_list("payment_status", [p.value for p in PaymentStatus])
# The domain's active statuses, as the overlap index's and exclusion constraint's WHERE lists them.
ACTIVE_BOOKING_STATUSES = tuple(sorted(s.value for s in ACTIVE_STATUSES))
USERS_EMAIL_KEY = "users_email_key"  # the design's UNIQUE (email)
# What refuses a second active booking of the same dates: the design's partial unique
# index and revision 0002's exclusion constraint.
BOOKING_OVERLAP_CONSTRAINTS = frozenset({"idx_bookings_no_overlap", "excl_bookings_active_overlap"})
BOOKING_CUSTOMER_FKEY = "bookings_user_id_fkey"
BOOKING_DESTINATION_FKEY = "bookings_destination_id_fkey"
REVIEW_ONCE_PER_STAY = "reviews_user_id_destination_id_booking_id_key"  # the design's UNIQUE
REVIEW_VOTE_REVIEW_FKEY = "review_helpful_votes_review_id_fkey"
REVIEW_VOTE_USER_FKEY = "review_helpful_votes_user_id_fkey"
# The expression of the design's full-text index; queries must use the same one.
SEARCH_DOCUMENT = "to_tsvector('english'::regconfig, (name::text || ' '::text) || description)"

Timestamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = MetaData()


class User(Base):
    """Staff members (admin, moderator, agent) and customers (role ``user``)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(50), server_default=text("'user'"))
    email_verified: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime | None] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(Timestamp, server_default=func.now())

    __table_args__ = (
        UniqueConstraint("email", name=USERS_EMAIL_KEY),
        CheckConstraint(ROLE_CHECK, name="chk_users_role"),
        Index("idx_users_email", "email"),
        Index("idx_users_role", "role"),
        Index("idx_users_created_at", "created_at"),
        Index("idx_users_name_id", "name", "id"),
        *(
            Index(
                f"idx_users_{column}_trgm",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
            for column in ("name", "email", "phone")
        ),
    )


class Destination(Base):
    __tablename__ = "destinations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    duration: Mapped[int] = mapped_column(Integer)
    max_guests: Mapped[int] = mapped_column(Integer)
    images: Mapped[list[str] | None] = mapped_column(
        ARRAY(Text), server_default=text("'{}'::text[]")
    )
    features: Mapped[list[str] | None] = mapped_column(
        ARRAY(Text), server_default=text("'{}'::text[]")
    )
    rating: Mapped[Decimal | None] = mapped_column(Numeric(3, 2), server_default=text("0.0"))
    review_count: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    active: Mapped[bool | None] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime | None] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(Timestamp, server_default=func.now())

    __table_args__ = (
        Index("idx_destinations_country", "country"),
        Index("idx_destinations_city", "city"),
        Index("idx_destinations_price", "price"),
        Index("idx_destinations_rating", "rating"),
        Index("idx_destinations_active", "active"),
        Index("idx_destinations_created_at", "created_at"),
        Index(
            "idx_destinations_search",
            text(SEARCH_DOCUMENT),
            postgresql_using="gin",
        ),
    )


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE", name=BOOKING_CUSTOMER_FKEY)
    )
    destination_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("destinations.id", ondelete="CASCADE", name=BOOKING_DESTINATION_FKEY),
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    guests: Mapped[int] = mapped_column(Integer)
    total_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    status: Mapped[str] = mapped_column(String(50), server_default=text("'pending'"))
    special_requests: Mapped[str | None] = mapped_column(Text)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    payment_status: Mapped[str | None] = mapped_column(String(50), server_default=text("'pending'"))
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime | None] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(Timestamp, server_default=func.now())
    request_token: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))

    __table_args__ = (
        CheckConstraint("end_date > start_date", name="chk_booking_dates"),
        CheckConstraint("guests > 0", name="chk_booking_guests"),
        CheckConstraint("total_price > 0", name="chk_booking_price"),
        CheckConstraint(STATUS_CHECK, name="chk_bookings_status"),
        CheckConstraint(PAYMENT_STATUS_CHECK, name="chk_bookings_payment_status"),
        Index("idx_bookings_user_id", "user_id"),
        Index("idx_bookings_destination_id", "destination_id"),
        Index("idx_bookings_status", "status"),
        Index("idx_bookings_dates", "start_date", "end_date"),
        Index("idx_bookings_created_at", "created_at"),
        Index("uq_bookings_request_token", "request_token", unique=True),
        Index(
            "idx_bookings_no_overlap",
            "destination_id",
            "start_date",
            "end_date",
            unique=True,
            postgresql_where=text(_in_list("status", list(ACTIVE_BOOKING_STATUSES))),
        ),
        ExcludeConstraint(
            ("destination_id", "="),
            (func.daterange(text("start_date"), text("end_date")), "&&"),
            name="excl_bookings_active_overlap",
            using="gist",
            where=text(_in_list("status", list(ACTIVE_BOOKING_STATUSES))),
        ),
    )


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE", name="reviews_user_id_fkey")
    )
    destination_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("destinations.id", ondelete="CASCADE", name="reviews_destination_id_fkey"),
    )
    booking_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("bookings.id", ondelete="SET NULL", name="reviews_booking_id_fkey")
    )
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    helpful_count: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime | None] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(Timestamp, server_default=func.now())

    __table_args__ = (
        CheckConstraint("rating >= 1 AND rating <= 5", name="reviews_rating_check"),
        UniqueConstraint(
            "user_id",
            "destination_id",
            "booking_id",
            name=REVIEW_ONCE_PER_STAY,
        ),
        Index("idx_reviews_user_id", "user_id"),
        Index("idx_reviews_destination_id", "destination_id"),
        Index("idx_reviews_rating", "rating"),
        Index("idx_reviews_created_at", "created_at"),
    )


class ReviewHelpfulVote(Base):
    """One staff member's "helpful" vote on a review (revision 0010): one per person and review.

    A trigger counts votes into the design's ``reviews.helpful_count``.
    """

    __tablename__ = "review_helpful_votes"

    review_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("reviews.id", ondelete="CASCADE", name=REVIEW_VOTE_REVIEW_FKEY),
        primary_key=True,
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("users.id", ondelete="CASCADE", name=REVIEW_VOTE_USER_FKEY),
        primary_key=True,
    )
    created_at: Mapped[datetime | None] = mapped_column(Timestamp, server_default=func.now())

    __table_args__ = (Index("idx_review_helpful_votes_user_id", "user_id"),)


class AuditLog(Base):
    __tablename__ = "audit_logs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL", name="audit_logs_user_id_fkey")
    )
    action: Mapped[str] = mapped_column(String(100))
    resource_type: Mapped[str] = mapped_column(String(100))
    resource_id: Mapped[int | None] = mapped_column(BigInteger)
    old_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    new_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    ip_address: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(Timestamp, server_default=func.now())

    __table_args__ = (
        Index("idx_audit_logs_user_id", "user_id"),
        Index("idx_audit_logs_action", "action"),
        Index("idx_audit_logs_resource", "resource_type", "resource_id"),
        Index("idx_audit_logs_created_at", "created_at"),
    )


IMAGE_MEDIA_TYPE_CHECK = _in_list("media_type", list(IMAGE_MEDIA_TYPES))


class DestinationImage(Base):
    """A picture a person added to a destination, stored once by the hash of its bytes.

    ``destinations.images`` refers to it as ``db-image:<sha256>`` (0011_destination_images).
    """

    __tablename__ = "destination_images"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(BYTEA)
    media_type: Mapped[str] = mapped_column(String(50))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    created_by: Mapped[int | None] = mapped_column(
        BigInteger,
        ForeignKey("users.id", ondelete="SET NULL", name="destination_images_created_by_fkey"),
    )

    __table_args__ = (
        CheckConstraint(
            "sha256 = encode(sha256(content), 'hex')", name="chk_destination_images_sha256"
        ),
        CheckConstraint(IMAGE_MEDIA_TYPE_CHECK, name="chk_destination_images_media_type"),
        CheckConstraint(
            f"byte_size = octet_length(content) AND byte_size <= {MAX_IMAGE_BYTES}",
            name="chk_destination_images_byte_size",
        ),
        CheckConstraint("width > 0 AND height > 0", name="chk_destination_images_pixels"),
        Index("idx_destination_images_created_by", "created_by"),
    )
