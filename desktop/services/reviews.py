"""Reviews: recorded for a customer's completed stay, moderated, voted helpful."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.db.models import REVIEW_ONCE_PER_STAY, REVIEW_VOTE_REVIEW_FKEY, REVIEW_VOTE_USER_FKEY
from desktop.domain.enums import Role
from desktop.domain.errors import (
    AlreadyDone,
    ConstraintViolated,
    NotFound,
    ValidationError,
)
from desktop.domain.listing import Page, PageRequest, ReviewFilter, RowCount, check_review_filter
from desktop.domain.permissions import Actor, Permission
from desktop.domain.records import ReviewRow
from desktop.domain.validation import TEXT_MAX, Problems, clean_text
from desktop.services.context import Service

ALREADY_REVIEWED = "This customer has already reviewed this stay; edit or delete that review."
ALREADY_HELPFUL = (
    "You have already marked this review helpful; each staff member's vote counts once. "
    "Nothing was changed."
)


@dataclass(frozen=True)
class NewReview:
    customer_id: int
    booking_id: int
    rating: int
    comment: str | None = None


class ReviewService(Service):
    def page(self, actor: Actor, f: ReviewFilter, request: PageRequest) -> Page[ReviewRow]:
        actor.require(Permission.VIEW_REVIEWS)
        check_review_filter(f)
        with self.ctx.reading() as uow:
            return uow.reviews.page(f, request, voter_id=actor.id)

    def count(self, actor: Actor, f: ReviewFilter) -> RowCount:
        actor.require(Permission.VIEW_REVIEWS)
        check_review_filter(f)
        with self.ctx.reading() as uow:
            return uow.reviews.count(f)

    def get(self, actor: Actor, review_id: int) -> ReviewRow:
        actor.require(Permission.VIEW_REVIEWS)
        with self.ctx.reading() as uow:
            return uow.reviews.get_for(review_id, actor.id)

    def create(self, actor: Actor, review: NewReview) -> ReviewRow:
        """A review of a completed booking of the customer's own; one per stay."""
        actor.require(Permission.RECORD_REVIEWS)
        problems = Problems()
        if not 1 <= review.rating <= 5:
            problems.add("rating", "Rating must be 1 to 5 stars.")
        comment = clean_text(
            problems,
            "comment",
            review.comment,
            max_length=TEXT_MAX,
            required=False,
            label="Comment",
        )
        problems.raise_if_any()
        with self.ctx.units_of_work() as uow:
            customer = uow.people.get(review.customer_id)
            if customer.role != Role.USER:
                raise ValidationError({"customer": "Only customers review their stays."})
            try:
                booking = uow.bookings.get(review.booking_id)
            except NotFound:
                raise ValidationError({"booking": "This booking does not exist."}) from None
            if booking.customer_id != customer.id:
                raise ValidationError(
                    {"booking": f"Booking #{booking.id} belongs to {booking.customer_name}."}
                )
            if not uow.bookings.has_completed(booking.id, customer.id, booking.destination_id):
                raise ValidationError(
                    {
                        "booking": f"Booking #{booking.id} is {booking.status.value}; only "
                        "completed stays can be reviewed."
                    }
                )
            if uow.reviews.exists_for(customer.id, booking.destination_id, booking.id):
                raise ValidationError({"booking": ALREADY_REVIEWED})
            values = {
                "user_id": customer.id,
                "destination_id": booking.destination_id,
                "booking_id": booking.id,
                "rating": review.rating,
                "comment": comment,
            }
            try:
                with uow.savepoint():
                    created = uow.reviews.add(values)
            except ConstraintViolated as exc:
                if exc.constraint == REVIEW_ONCE_PER_STAY:
                    raise ValidationError({"booking": ALREADY_REVIEWED}) from exc
                raise
            self.ctx.record(uow, actor, "review.create", "review", created.id, new=values)
            uow.commit()
            return created

    def delete(self, actor: Actor, review_id: int) -> None:
        """Moderation: the destination's rating follows (the database's trigger)."""
        actor.require(Permission.MODERATE_REVIEWS)
        with self.ctx.units_of_work() as uow:
            current = uow.reviews.lock_versioned(review_id, None)
            uow.reviews.delete(review_id)
            old = {
                "user_id": current.user_id,
                "destination_id": current.destination_id,
                "booking_id": current.booking_id,
                "rating": current.rating,
                "comment": current.comment,
            }
            self.ctx.record(uow, actor, "review.delete", "review", review_id, old=old)
            uow.commit()

    def mark_helpful(self, actor: Actor, review_id: int) -> int:
        """The signed-in person's helpful vote; the review's count with it.

        One vote per staff member and review: a second is refused (``AlreadyDone``)
        and changes nothing. The database counts votes, so the count stays honest
        whatever other workstations do at the same moment.
        """
        actor.require(Permission.RECORD_REVIEWS)
        with self.ctx.units_of_work() as uow:
            try:
                with uow.savepoint():
                    added = uow.reviews.add_helpful_vote(review_id, actor.id)
            except ConstraintViolated as exc:
                if exc.constraint == REVIEW_VOTE_REVIEW_FKEY:
                    raise NotFound("This review was deleted meanwhile.") from exc
                if exc.constraint == REVIEW_VOTE_USER_FKEY:
                    raise NotFound(
                        "Your staff account no longer exists, so your vote cannot be kept."
                    ) from exc
                raise
            if not added:
                raise AlreadyDone(ALREADY_HELPFUL)
            count = uow.reviews.helpful_count(review_id)
            if count is None:
                raise NotFound("This review was deleted meanwhile.")
            self.ctx.record(
                uow, actor, "review.helpful", "review", review_id, new={"helpful_count": count}
            )
            uow.commit()
            return count
