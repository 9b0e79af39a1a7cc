"""The design's triggers, and the revision that extends them, do their job."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from desktop.db.models import Booking, Destination, Review, User
from tests.factories import make_booking, make_destination, make_review, make_user


def _rating(session: Session, destination_id: int) -> tuple[Decimal, int]:
    session.expire_all()
    row = session.execute(
        select(Destination.rating, Destination.review_count).where(Destination.id == destination_id)
    ).one()
    return row.rating, row.review_count


def test_rating_and_count_follow_inserts_updates_and_deletes(engine: Engine) -> None:
    with Session(engine) as session:
        dest = make_destination(session)
        assert _rating(session, dest.id) == (Decimal("0.00"), 0)

        first = make_review(session, destination=dest, rating=5)
        assert _rating(session, dest.id) == (Decimal("5.00"), 1)

        make_review(session, destination=dest, rating=2)
        make_review(session, destination=dest, rating=4)
        assert _rating(session, dest.id) == (Decimal("3.67"), 3)

        session.execute(update(Review).where(Review.id == first.id).values(rating=1))
        assert _rating(session, dest.id) == (Decimal("2.33"), 3)

        session.execute(text("DELETE FROM reviews WHERE id = :id"), {"id": first.id})
        assert _rating(session, dest.id) == (Decimal("3.00"), 2)

        session.execute(text("DELETE FROM reviews WHERE destination_id = :d"), {"d": dest.id})
        assert _rating(session, dest.id) == (Decimal("0.00"), 0)


def test_moving_a_review_recomputes_both_destinations(engine: Engine) -> None:
    with Session(engine) as session:
        left, right = make_destination(session), make_destination(session)
        moving = make_review(session, destination=left, rating=1)
        make_review(session, destination=left, rating=5)
        make_review(session, destination=right, rating=3)
        assert _rating(session, left.id) == (Decimal("3.00"), 2)

        session.execute(
            update(Review).where(Review.id == moving.id).values(destination_id=right.id)
        )
        assert _rating(session, left.id) == (Decimal("5.00"), 1)
        assert _rating(session, right.id) == (Decimal("2.00"), 2)


def test_deleting_a_user_cascades_reviews_and_rating(engine: Engine) -> None:
    with Session(engine) as session:
        dest = make_destination(session)
        author = make_user(session)
        make_review(session, destination=dest, rating=1, user=author)
        make_review(session, destination=dest, rating=5)
        session.execute(text("DELETE FROM users WHERE id = :id"), {"id": author.id})
        assert _rating(session, dest.id) == (Decimal("5.00"), 1)


def test_updated_at_moves_on_every_update(engine: Engine) -> None:
    with Session(engine) as session:
        user = make_user(session)
        dest = make_destination(session)
        booking = make_booking(session, user=user, destination=dest)
        review = make_review(session, destination=dest, rating=4, user=user)
        session.commit()
        ids = {User: user.id, Destination: dest.id, Booking: booking.id, Review: review.id}
        before = {
            model: session.execute(select(model.updated_at).where(model.id == ident)).scalar_one()
            for model, ident in ids.items()
        }

    with Session(engine) as session:
        session.execute(update(User).where(User.id == ids[User]).values(phone="+960 555 0101"))
        session.execute(
            update(Destination).where(Destination.id == ids[Destination]).values(city="Maafushi")
        )
        session.execute(update(Booking).where(Booking.id == ids[Booking]).values(guests=3))
        session.execute(update(Review).where(Review.id == ids[Review]).values(comment="Lovely"))
        session.commit()
        for model, ident in ids.items():
            after = session.execute(select(model.updated_at).where(model.id == ident)).scalar_one()
            assert after > before[model], model.__tablename__
