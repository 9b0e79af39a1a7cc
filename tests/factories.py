"""Factories that build rows straight into the database (below the services)."""

from __future__ import annotations

import itertools
import struct
import zlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from desktop.db.models import Booking, Destination, Review, User

_seq = itertools.count(1)
UNUSABLE_HASH = "!"  # no password verifies against it


def make_user(session: Session, **fields: Any) -> User:
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"Customer {n}",
        "email": f"customer{n}@example.com",
        "password_hash": UNUSABLE_HASH,
        "role": "user",
    }
    values.update(fields)
    user = User(**values)
    session.add(user)
    session.flush()
    return user


def make_destination(session: Session, **fields: Any) -> Destination:
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"Destination {n}",
        "description": "White sand, warm water and a quiet lagoon.",
        "country": "Maldives",
        "city": "Malé",
        "price": Decimal("1200.00"),
        "duration": 7,
        "max_guests": 4,
    }
    values.update(fields)
    destination = Destination(**values)
    session.add(destination)
    session.flush()
    return destination


def make_booking(
    session: Session,
    *,
    user: User | None = None,
    destination: Destination | None = None,
    start: date | None = None,
    nights: int = 7,
    **fields: Any,
) -> Booking:
    user = user or make_user(session)
    destination = destination or make_destination(session)
    start = start or date.today() + timedelta(days=30)
    guests = fields.pop("guests", 2)
    values: dict[str, Any] = {
        "user_id": user.id,
        "destination_id": destination.id,
        "start_date": start,
        "end_date": start + timedelta(days=nights),
        "guests": guests,
        "total_price": destination.price * guests,
    }
    values.update(fields)
    booking = Booking(**values)
    session.add(booking)
    session.flush()
    return booking


def make_review(
    session: Session,
    *,
    destination: Destination,
    rating: int,
    user: User | None = None,
    **fields: Any,
) -> Review:
    user = user or make_user(session)
    review = Review(user_id=user.id, destination_id=destination.id, rating=rating, **fields)
    session.add(review)
    session.flush()
    return review


def let_days_pass(engine: Engine, days: int) -> None:
    """As if ``days`` had passed on the database server's calendar: every stay moves earlier.

    The services take "today" from the server, whose clock no test can move; so
    the stays move instead, below the services, all by the same number of days
    (no two active stays come to overlap). Their versions change: read the
    bookings again before changing them.
    """
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE bookings SET start_date = start_date - :days, end_date = end_date - :days"
            ),
            {"days": days},
        )


def save_images_as_before(engine: Engine, destination_id: int, *images: str) -> None:
    """A destination's ``images`` as older versions (file paths) or other clients wrote them.

    The services take only stored pictures and web addresses as new entries; what a
    row holds already stays. Read the destination again: its version changed.
    """
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE destinations SET images = :images WHERE id = :id"),
            {"images": list(images), "id": destination_id},
        )


def server_today(engine: Engine) -> date:
    """The database server's date: "today" for every rule of the services."""
    with engine.connect() as conn:
        today: date = conn.execute(text("SELECT current_date")).scalar_one()
    return today


def png(width: int = 3, height: int = 2, *, pixels: bool = True) -> bytes:
    """A small, valid PNG, made by hand (no imaging library in the services' tests)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + b"\x20\x80\xc0" * width for _ in range(height)) if pixels else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
