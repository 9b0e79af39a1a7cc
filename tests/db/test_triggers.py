"""The design's triggers, and the revision that extends them, do their job."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import IntegrityError
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


def _helpful(session: Session, review_id: int) -> int | None:
    session.expire_all()
    count: int | None = session.execute(
        select(Review.helpful_count).where(Review.id == review_id)
    ).scalar_one()
    return count


def _vote(session: Session, review_id: int, user_id: int) -> None:
    session.execute(
        text("INSERT INTO review_helpful_votes (review_id, user_id) VALUES (:r, :u)"),
        {"r": review_id, "u": user_id},
    )


def test_helpful_votes_are_counted_into_the_designs_column_by_the_database(
    engine: Engine,
) -> None:
    """Revision 0010: whoever writes the votes (any client), the count follows them."""
    with Session(engine) as session:
        dest = make_destination(session)
        review = make_review(session, destination=dest, rating=5)
        other = make_review(session, destination=dest, rating=4)
        ada, bo, cy = (make_user(session, role="agent") for _ in range(3))
        assert _helpful(session, review.id) == 0

        for voter in (ada, bo, cy):
            _vote(session, review.id, voter.id)
        assert _helpful(session, review.id) == 3

        session.execute(
            text("DELETE FROM review_helpful_votes WHERE review_id = :r AND user_id = :u"),
            {"r": review.id, "u": ada.id},
        )
        assert _helpful(session, review.id) == 2

        session.execute(text("DELETE FROM users WHERE id = :id"), {"id": bo.id})  # cascades
        assert _helpful(session, review.id) == 1

        session.execute(
            text("UPDATE review_helpful_votes SET review_id = :o WHERE review_id = :r"),
            {"o": other.id, "r": review.id},
        )
        assert (_helpful(session, review.id), _helpful(session, other.id)) == (0, 1)

        session.execute(text("DELETE FROM reviews WHERE id = :id"), {"id": other.id})
        left = session.execute(text("SELECT count(*) FROM review_helpful_votes")).scalar_one()
        assert left == 0


def test_a_count_never_goes_below_zero_nor_stays_null(engine: Engine) -> None:
    with Session(engine) as session:
        dest = make_destination(session)
        review = make_review(session, destination=dest, rating=5)
        voter = make_user(session, role="agent")
        session.execute(
            text("UPDATE reviews SET helpful_count = NULL WHERE id = :id"), {"id": review.id}
        )
        _vote(session, review.id, voter.id)
        assert _helpful(session, review.id) == 1
        session.execute(
            text("UPDATE reviews SET helpful_count = 0 WHERE id = :id"), {"id": review.id}
        )
        session.execute(text("DELETE FROM review_helpful_votes"))
        assert _helpful(session, review.id) == 0


def test_one_person_votes_once_per_review(engine: Engine) -> None:
    with Session(engine) as session:
        dest = make_destination(session)
        review = make_review(session, destination=dest, rating=5)
        voter = make_user(session, role="agent")
        _vote(session, review.id, voter.id)
        session.commit()
        with pytest.raises(IntegrityError, match="review_helpful_votes_pkey"):
            _vote(session, review.id, voter.id)
