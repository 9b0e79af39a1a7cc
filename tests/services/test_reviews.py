"""Reviews through the service, and the destination's rating the database's triggers keep."""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from desktop.bootstrap import BackOffice
from desktop.db.models import Destination, User
from desktop.domain.enums import BookingStatus, Role
from desktop.domain.errors import AlreadyDone, NotFound, PermissionDenied, ValidationError
from desktop.domain.listing import AuditFilter, PageRequest, ReviewFilter, RowCount, Sort
from desktop.domain.permissions import Actor
from desktop.domain.records import ReviewRow
from desktop.services.reviews import ALREADY_REVIEWED, NewReview
from tests.factories import make_booking, make_destination, make_user

R = TypeVar("R")
_weeks = itertools.count()


@dataclass(frozen=True)
class Stay:
    customer_id: int
    destination_id: int
    booking_id: int


def stay(
    engine: Engine,
    *,
    customer_id: int | None = None,
    destination_id: int | None = None,
    status: BookingStatus = BookingStatus.COMPLETED,
) -> Stay:
    """A customer's booking, straight into the database (the booking rules are tested elsewhere)."""
    with Session(engine) as session:
        customer = session.get(User, customer_id) if customer_id else make_user(session)
        destination = (
            session.get(Destination, destination_id)
            if destination_id
            else make_destination(session)
        )
        start = date(2026, 1, 5) + timedelta(weeks=next(_weeks))
        booking = make_booking(
            session, user=customer, destination=destination, start=start, status=status.value
        )
        session.commit()
        return Stay(booking.user_id, booking.destination_id, booking.id)


def rating_of(engine: Engine, destination_id: int) -> tuple[Decimal, int]:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT rating, review_count FROM destinations WHERE id = :id"),
            {"id": destination_id},
        ).one()
    return row.rating, row.review_count


def assert_every_rating_follows_its_reviews(engine: Engine) -> None:
    """Each destination's rating and count, recomputed in Python from the reviews."""
    with engine.connect() as conn:
        reviews = conn.execute(text("SELECT destination_id, rating FROM reviews")).all()
        destinations = conn.execute(text("SELECT id, rating, review_count FROM destinations"))
        ratings: dict[int, list[int]] = defaultdict(list)
        for destination_id, rating in reviews:
            ratings[destination_id].append(rating)
        for d in destinations:
            given = ratings[d.id]
            average = Decimal(sum(given)) / len(given) if given else Decimal(0)
            expected = (average.quantize(Decimal("0.01"), ROUND_HALF_UP), len(given))
            assert (d.rating, d.review_count) == expected, f"destination {d.id}"


def execute(engine: Engine, sql: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def review_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM reviews")).scalar_one())


def all_at_once(calls: list[Callable[[], R]]) -> list[R | Exception]:
    """Run the calls on threads released together; each one's result or error, in order."""
    start = threading.Barrier(len(calls))
    outcomes: list[R | Exception | None] = [None] * len(calls)

    def run(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = calls[i]()
        except Exception as exc:  # the test inspects every outcome
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    return [o for o in outcomes if o is not None]


# -- recording a review ---------------------------------------------------------------------


def test_a_customer_reviews_their_completed_stay(
    office: BackOffice, admin: Actor, agent: Actor
) -> None:
    s = stay(office.engine)
    review = office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 4, " Lovely "))
    assert (review.user_id, review.destination_id, review.booking_id) == (
        s.customer_id,
        s.destination_id,
        s.booking_id,
    )
    assert (review.rating, review.comment, review.helpful_count) == (4, "Lovely", 0)
    assert office.reviews.get(agent, review.id) == review
    assert rating_of(office.engine, s.destination_id) == (Decimal("4.00"), 1)
    (entry,) = office.audit.page(
        admin, AuditFilter(resource_type="review"), PageRequest(Sort("id"))
    ).rows
    assert (entry.action, entry.resource_id, entry.user_id) == (
        "review.create",
        review.id,
        agent.id,
    )
    assert entry.new_values is not None
    assert entry.new_values["rating"] == 4


def test_one_review_per_customer_destination_and_booking(office: BackOffice, agent: Actor) -> None:
    s = stay(office.engine)
    office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 5))
    with pytest.raises(ValidationError) as refused:
        office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 1, "Changed my mind"))
    assert refused.value.fields == {"booking": ALREADY_REVIEWED}
    assert review_count(office.engine) == 1
    # Another completed stay at the same destination is another review.
    again = stay(office.engine, customer_id=s.customer_id, destination_id=s.destination_id)
    office.reviews.create(agent, NewReview(s.customer_id, again.booking_id, 2))
    assert rating_of(office.engine, s.destination_id) == (Decimal("3.50"), 2)


def test_two_clerks_recording_the_same_review_at_once_make_one(
    office: BackOffice, agent: Actor, moderator: Actor
) -> None:
    s = stay(office.engine)
    outcomes = all_at_once(
        [
            lambda: office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 5)),
            lambda: office.reviews.create(moderator, NewReview(s.customer_id, s.booking_id, 3)),
        ]
    )
    created = [o for o in outcomes if isinstance(o, ReviewRow)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(created), len(refused)) == (1, 1), outcomes
    assert refused[0].fields == {"booking": ALREADY_REVIEWED}
    assert review_count(office.engine) == 1
    assert rating_of(office.engine, s.destination_id) == (Decimal(created[0].rating), 1)


def test_the_booking_must_be_the_customers_own(office: BackOffice, agent: Actor) -> None:
    ann = stay(office.engine)
    bob = stay(office.engine)
    with pytest.raises(ValidationError) as refused:
        office.reviews.create(agent, NewReview(bob.customer_id, ann.booking_id, 5))
    assert refused.value.fields["booking"].startswith(f"Booking #{ann.booking_id} belongs to ")
    assert review_count(office.engine) == 0


@pytest.mark.parametrize(
    "status", [BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.CANCELLED]
)
def test_only_completed_stays_can_be_reviewed(
    office: BackOffice, agent: Actor, status: BookingStatus
) -> None:
    s = stay(office.engine, status=status)
    with pytest.raises(ValidationError) as refused:
        office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 5))
    assert refused.value.fields == {
        "booking": f"Booking #{s.booking_id} is {status.value}; only completed stays can be "
        "reviewed."
    }
    assert review_count(office.engine) == 0


def test_a_missing_booking_or_a_staff_member_cannot_review(
    office: BackOffice, agent: Actor
) -> None:
    s = stay(office.engine)
    with pytest.raises(ValidationError, match="This booking does not exist"):
        office.reviews.create(agent, NewReview(s.customer_id, 999_999, 5))
    with pytest.raises(ValidationError, match="Only customers review their stays"):
        office.reviews.create(agent, NewReview(agent.id, s.booking_id, 5))
    with pytest.raises(NotFound):
        office.reviews.create(agent, NewReview(999_999, s.booking_id, 5))
    assert review_count(office.engine) == 0


@pytest.mark.parametrize("rating", [0, 6, -1, 100, True])
def test_a_rating_is_one_to_five_stars(office: BackOffice, agent: Actor, rating: int) -> None:
    s = stay(office.engine)
    with pytest.raises(ValidationError) as refused:
        office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, rating))
    assert set(refused.value.fields) == {"rating"}
    assert review_count(office.engine) == 0


@pytest.mark.parametrize("rating", [1, 5])
def test_one_and_five_stars_are_ratings(office: BackOffice, agent: Actor, rating: int) -> None:
    s = stay(office.engine)
    assert office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, rating)).rating == (
        rating
    )


def test_a_comment_too_long_for_a_form_is_refused(office: BackOffice, agent: Actor) -> None:
    s = stay(office.engine)
    with pytest.raises(ValidationError) as refused:
        office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 4, "x" * 10_001))
    assert set(refused.value.fields) == {"comment"}
    assert review_count(office.engine) == 0


# -- moderation -----------------------------------------------------------------------------


def test_moderators_delete_reviews_and_agents_cannot(
    office: BackOffice, admin: Actor, agent: Actor, moderator: Actor
) -> None:
    s = stay(office.engine)
    review = office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 2, "Rude staff"))
    kept = stay(office.engine, destination_id=s.destination_id)
    office.reviews.create(agent, NewReview(kept.customer_id, kept.booking_id, 5))
    assert rating_of(office.engine, s.destination_id) == (Decimal("3.50"), 2)

    with pytest.raises(PermissionDenied, match="Counter agents may not moderate reviews"):
        office.reviews.delete(agent, review.id)
    assert office.reviews.get(agent, review.id) == review

    office.reviews.delete(moderator, review.id)
    with pytest.raises(NotFound):
        office.reviews.get(agent, review.id)
    assert rating_of(office.engine, s.destination_id) == (Decimal("5.00"), 1)
    entry = office.audit.page(
        admin, AuditFilter(action="review.delete"), PageRequest(Sort("id"))
    ).rows[0]
    assert (entry.user_id, entry.resource_id) == (moderator.id, review.id)
    assert entry.old_values == {
        "user_id": s.customer_id,
        "destination_id": s.destination_id,
        "booking_id": s.booking_id,
        "rating": 2,
        "comment": "Rude staff",
    }
    with pytest.raises(NotFound):
        office.reviews.delete(moderator, review.id)


# -- helpful votes --------------------------------------------------------------------------


def staff_members(engine: Engine, count: int) -> list[Actor]:
    """Counter agents straight into the database (signing in is tested elsewhere)."""
    with Session(engine) as session:
        people = [make_user(session, role="agent") for _ in range(count)]
        session.commit()
        return [Actor(p.id, p.name, p.email, Role.AGENT) for p in people]


def votes_of(engine: Engine, review_id: int) -> list[int]:
    """Who voted the review helpful, as the database keeps it."""
    with engine.connect() as conn:
        return sorted(
            conn.execute(
                text("SELECT user_id FROM review_helpful_votes WHERE review_id = :id"),
                {"id": review_id},
            ).scalars()
        )


def test_twenty_staff_members_voting_at_once_count_twenty(
    office: BackOffice, admin: Actor, agent: Actor
) -> None:
    s = stay(office.engine)
    review = office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 5))
    voters = staff_members(office.engine, 20)
    outcomes = all_at_once(
        [lambda voter=voter: office.reviews.mark_helpful(voter, review.id) for voter in voters]  # type: ignore[misc]
    )
    assert sorted(o for o in outcomes if isinstance(o, int)) == list(range(1, 21)), outcomes
    assert office.reviews.get(agent, review.id).helpful_count == 20
    assert votes_of(office.engine, review.id) == sorted(v.id for v in voters)
    votes = office.audit.count(admin, AuditFilter(action="review.helpful"))
    assert votes == RowCount(20, exact=True)


def test_one_person_voting_again_is_told_so_and_changes_nothing(
    office: BackOffice, admin: Actor, agent: Actor
) -> None:
    s = stay(office.engine)
    review = office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 5))
    assert office.reviews.mark_helpful(agent, review.id) == 1
    before = office.reviews.get(agent, review.id)

    with pytest.raises(AlreadyDone) as again:
        office.reviews.mark_helpful(agent, review.id)

    assert "already marked this review helpful" in again.value.message
    assert office.reviews.get(agent, review.id) == before  # count and version unchanged
    votes = office.audit.count(admin, AuditFilter(action="review.helpful"))
    assert votes == RowCount(1, exact=True)


def test_each_reader_sees_whether_they_voted_themselves(
    office: BackOffice, admin: Actor, agent: Actor, moderator: Actor
) -> None:
    s = stay(office.engine)
    review = office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 5))
    office.reviews.mark_helpful(agent, review.id)

    def listed(reader: Actor) -> bool:
        rows = office.reviews.page(reader, ReviewFilter(), PageRequest(Sort("id"))).rows
        return next(r for r in rows if r.id == review.id).voted_by_me

    assert listed(agent)
    assert office.reviews.get(agent, review.id).voted_by_me
    assert not listed(moderator)
    assert not office.reviews.get(moderator, review.id).voted_by_me
    office.reviews.mark_helpful(moderator, review.id)
    assert listed(moderator)
    assert not listed(admin)


def test_one_person_clicking_ten_times_at_once_counts_once(
    office: BackOffice, admin: Actor, agent: Actor
) -> None:
    s = stay(office.engine)
    review = office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 5))
    outcomes = all_at_once([lambda: office.reviews.mark_helpful(agent, review.id)] * 10)
    assert [o for o in outcomes if isinstance(o, int)] == [1], outcomes
    assert all(isinstance(o, AlreadyDone) for o in outcomes if not isinstance(o, int)), outcomes
    assert office.reviews.get(agent, review.id).helpful_count == 1
    assert votes_of(office.engine, review.id) == [agent.id]


def test_a_vote_on_a_review_without_a_count_starts_at_one(
    office: BackOffice, admin: Actor, agent: Actor
) -> None:
    """Other clients may leave helpful_count NULL; NULL + 1 must not read as 'deleted'."""
    s = stay(office.engine)
    review = office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 5))
    execute(office.engine, "UPDATE reviews SET helpful_count = NULL WHERE id = :id", id=review.id)
    assert office.reviews.mark_helpful(agent, review.id) == 1
    assert office.reviews.mark_helpful(admin, review.id) == 2


def test_votes_from_before_one_vote_per_person_are_kept(
    office: BackOffice, admin: Actor, agent: Actor
) -> None:
    """Counts written before revision 0010 have no voters to check; the new votes add to them."""
    s = stay(office.engine)
    review = office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 5))
    execute(office.engine, "UPDATE reviews SET helpful_count = 7 WHERE id = :id", id=review.id)
    assert office.reviews.mark_helpful(agent, review.id) == 8


def test_a_vote_on_a_deleted_review_says_so(
    office: BackOffice, agent: Actor, moderator: Actor
) -> None:
    s = stay(office.engine)
    review = office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, 5))
    office.reviews.delete(moderator, review.id)
    with pytest.raises(NotFound, match="deleted"):
        office.reviews.mark_helpful(agent, review.id)


# -- the destination's rating, kept by the database -----------------------------------------


@dataclass(frozen=True)
class RatedPair:
    left: int
    right: int
    reviews: dict[str, ReviewRow]
    stays: dict[str, Stay]


@pytest.fixture
def rated_pair(office: BackOffice, agent: Actor) -> RatedPair:
    """Two destinations: left reviewed 1, 4 and 5 stars (3.33), right 3 stars (3.00)."""
    left = stay(office.engine)
    stays = {
        "one": left,
        "four": stay(office.engine, destination_id=left.destination_id),
        "five": stay(office.engine, destination_id=left.destination_id),
        "three": stay(office.engine),
    }
    stars = {"one": 1, "four": 4, "five": 5, "three": 3}
    reviews = {
        name: office.reviews.create(agent, NewReview(s.customer_id, s.booking_id, stars[name]))
        for name, s in stays.items()
    }
    pair = RatedPair(left.destination_id, stays["three"].destination_id, reviews, stays)
    assert rating_of(office.engine, pair.left) == (Decimal("3.33"), 3)
    assert rating_of(office.engine, pair.right) == (Decimal("3.00"), 1)
    assert_every_rating_follows_its_reviews(office.engine)
    return pair


def test_rating_follows_a_review_deleted_by_a_moderator(
    office: BackOffice, moderator: Actor, rated_pair: RatedPair
) -> None:
    office.reviews.delete(moderator, rated_pair.reviews["one"].id)
    assert rating_of(office.engine, rated_pair.left) == (Decimal("4.50"), 2)
    for name in ("four", "five"):
        office.reviews.delete(moderator, rated_pair.reviews[name].id)
    assert rating_of(office.engine, rated_pair.left) == (Decimal("0.00"), 0)
    assert_every_rating_follows_its_reviews(office.engine)


def test_rating_follows_a_review_moved_to_another_destination(
    office: BackOffice, rated_pair: RatedPair
) -> None:
    execute(
        office.engine,
        "UPDATE reviews SET destination_id = :right WHERE id = :id",
        right=rated_pair.right,
        id=rated_pair.reviews["five"].id,
    )
    assert rating_of(office.engine, rated_pair.left) == (Decimal("2.50"), 2)
    assert rating_of(office.engine, rated_pair.right) == (Decimal("4.00"), 2)
    assert_every_rating_follows_its_reviews(office.engine)


def test_rating_follows_a_rating_changed_by_sql(office: BackOffice, rated_pair: RatedPair) -> None:
    execute(
        office.engine,
        "UPDATE reviews SET rating = 5 WHERE id = :id",
        id=rated_pair.reviews["one"].id,
    )
    assert rating_of(office.engine, rated_pair.left) == (Decimal("4.67"), 3)
    assert rating_of(office.engine, rated_pair.right) == (Decimal("3.00"), 1)
    assert_every_rating_follows_its_reviews(office.engine)


def test_rating_follows_a_deleted_customer_whose_reviews_cascade(
    office: BackOffice, agent: Actor, rated_pair: RatedPair
) -> None:
    customer = rated_pair.stays["five"].customer_id
    execute(office.engine, "DELETE FROM users WHERE id = :id", id=customer)
    assert rating_of(office.engine, rated_pair.left) == (Decimal("2.50"), 2)
    with pytest.raises(NotFound):
        office.reviews.get(agent, rated_pair.reviews["five"].id)
    assert_every_rating_follows_its_reviews(office.engine)


def test_a_deleted_booking_leaves_its_review_and_the_rating(
    office: BackOffice, agent: Actor, rated_pair: RatedPair
) -> None:
    review = rated_pair.reviews["four"]
    execute(office.engine, "DELETE FROM bookings WHERE id = :id", id=review.booking_id)
    kept = office.reviews.get(agent, review.id)
    assert (kept.booking_id, kept.rating, kept.destination_id) == (None, 4, rated_pair.left)
    assert rating_of(office.engine, rated_pair.left) == (Decimal("3.33"), 3)
    listed = office.reviews.page(
        agent, ReviewFilter(destination_id=rated_pair.left), PageRequest(Sort("rating"))
    )
    assert [r.rating for r in listed.rows] == [1, 4, 5]
    assert_every_rating_follows_its_reviews(office.engine)


def test_the_review_list_through_the_service(
    office: BackOffice, agent: Actor, rated_pair: RatedPair
) -> None:
    f = ReviewFilter(destination_id=rated_pair.left, ratings=frozenset({4, 5}))
    page = office.reviews.page(agent, f, PageRequest(Sort("rating", descending=True)))
    assert [r.rating for r in page.rows] == [5, 4]
    assert office.reviews.count(agent, f) == RowCount(2, exact=True)
