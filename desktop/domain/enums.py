"""The business's fixed vocabularies, as the database's CHECK constraints allow them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    USER = "user"  # a customer: a record managed by staff, never signs in
    ADMIN = "admin"
    MODERATOR = "moderator"
    AGENT = "agent"  # counter staff


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class PaymentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"
