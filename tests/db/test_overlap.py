"""The exclusion constraint: no two active bookings of a destination overlap."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.db.models import Booking
from tests.factories import make_booking, make_destination

START = date.today() + timedelta(days=60)


def test_overlapping_active_booking_is_rejected(engine: Engine) -> None:
    with Session(engine) as session:
        dest = make_destination(session)
        make_booking(session, destination=dest, start=START, nights=7)
        session.commit()
        with pytest.raises(IntegrityError) as caught:
            make_booking(session, destination=dest, start=START + timedelta(days=3), nights=7)
        assert "excl_bookings_active_overlap" in str(caught.value)


def test_overlap_is_allowed_after_the_first_is_cancelled(engine: Engine) -> None:
    with Session(engine) as session:
        dest = make_destination(session)
        first = make_booking(session, destination=dest, start=START, nights=7)
        session.commit()
        session.execute(update(Booking).where(Booking.id == first.id).values(status="cancelled"))
        second = make_booking(session, destination=dest, start=START + timedelta(days=3))
        session.commit()
        assert second.id != first.id


def test_back_to_back_stays_and_other_destinations_are_fine(engine: Engine) -> None:
    with Session(engine) as session:
        dest, other = make_destination(session), make_destination(session)
        make_booking(session, destination=dest, start=START, nights=7)
        make_booking(session, destination=dest, start=START + timedelta(days=7), nights=3)
        make_booking(session, destination=other, start=START, nights=7)
        session.commit()


def test_completed_bookings_do_not_block(engine: Engine) -> None:
    with Session(engine) as session:
        dest = make_destination(session)
        make_booking(session, destination=dest, start=START, status="completed")
        make_booking(session, destination=dest, start=START)
        session.commit()


def test_unknown_status_is_rejected_by_the_enumeration_check(engine: Engine) -> None:
    with Session(engine) as session:
        with pytest.raises(IntegrityError, match="chk_bookings_status"):
            make_booking(session, status="maybe")
