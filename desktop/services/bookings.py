"""Bookings: the counter's everyday work, from a new booking to its refund."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from desktop.db.models import (
    BOOKING_CUSTOMER_FKEY,
    BOOKING_DESTINATION_FKEY,
    BOOKING_OVERLAP_CONSTRAINTS,
)
from desktop.db.uow import UnitOfWork
from desktop.domain.bookings import (
    ACTIVE_STATUSES,
    StayRequest,
    check_payment_change,
    check_status_change,
    validate_stay,
)
from desktop.domain.enums import BookingStatus, PaymentStatus, Role
from desktop.domain.errors import (
    Conflict,
    ConstraintViolated,
    DatabaseBusy,
    NotFound,
    ValidationError,
)
from desktop.domain.listing import (
    BOOKINGS_DEFAULT_SORT,
    BookingFilter,
    Page,
    PageRequest,
    RowCount,
    check_booking_filter,
)
from desktop.domain.permissions import Actor, Permission
from desktop.domain.records import BookingRow, DestinationRow, record_values
from desktop.domain.validation import PAYMENT_REFERENCE_MAX, TEXT_MAX, Problems, clean_text
from desktop.services.context import Service, changed_fields

# Saves of a stay tried before a deadlock between two exclusion checks is reported as taken.
STAY_WRITE_ATTEMPTS = 3
MISSING_ON_INSERT = {
    BOOKING_DESTINATION_FKEY: "The destination was deleted meanwhile. Choose another.",
    BOOKING_CUSTOMER_FKEY: "The customer was deleted meanwhile. Choose another.",
}

T = TypeVar("T")


@dataclass(frozen=True)
class NewBooking:
    customer_id: int
    destination_id: int
    start_date: date
    end_date: date
    guests: int
    special_requests: str | None = None
    # One per "new booking" form: a second submission returns the first booking.
    request_token: uuid.UUID | None = None


@dataclass(frozen=True)
class StayChange:
    """The stay as the form now holds it. Requests are always given: None clears them."""

    start_date: date
    end_date: date
    guests: int
    special_requests: str | None


def _date(d: date) -> str:
    return f"{d:%d %b %Y}"


def overlap_message(other: BookingRow) -> str:
    return (
        f"These dates overlap booking #{other.id} for {other.customer_name}, "
        f"{_date(other.start_date)} to {_date(other.end_date)} ({other.status.value}). "
        "Choose other dates or another destination."
    )


def _write_stay(uow: UnitOfWork, write: Callable[[], T]) -> T:
    """Run the insert or update of a stay in a savepoint, retrying a deadlock.

    Two saves of overlapping stays that reach the exclusion constraint at the
    same moment (or are released together by a third that gave up) each find
    the other's uncommitted stay and wait for each other; PostgreSQL aborts one
    with a deadlock instead of the constraint violation (``DatabaseBusy``, as is
    a wait longer than the lock timeout). Its retry waits for the other and ends
    in the violation, which names the booking that has the dates. A failed
    write leaves its savepoint rolled back and re-raises.
    """
    attempt = 1
    while True:
        try:
            with uow.savepoint():
                return write()
        except DatabaseBusy:
            if attempt >= STAY_WRITE_ATTEMPTS:
                raise
            attempt += 1


class BookingService(Service):
    def page(self, actor: Actor, f: BookingFilter, request: PageRequest) -> Page[BookingRow]:
        actor.require(Permission.VIEW_BOOKINGS)
        check_booking_filter(f)
        with self.ctx.reading() as uow:
            return uow.bookings.page(f, request)

    def warm_up(self) -> None:
        """Run the bookings list's first queries once, for no one, and keep nothing.

        SQLAlchemy compiles a statement the first time a process runs it (tens of
        milliseconds for the list's); done while the sign-in dialog waits for a
        password, the Bookings page then opens at once.
        """
        with self.ctx.reading() as uow:
            uow.bookings.page(BookingFilter(), PageRequest(sort=BOOKINGS_DEFAULT_SORT, limit=1))
            uow.bookings.count(BookingFilter())

    def count(self, actor: Actor, f: BookingFilter) -> RowCount:
        actor.require(Permission.VIEW_BOOKINGS)
        check_booking_filter(f)
        with self.ctx.reading() as uow:
            return uow.bookings.count(f)

    def get(self, actor: Actor, booking_id: int) -> BookingRow:
        actor.require(Permission.VIEW_BOOKINGS)
        with self.ctx.reading() as uow:
            return uow.bookings.get(booking_id)

    def find_by_request_token(self, actor: Actor, token: uuid.UUID) -> BookingRow | None:
        """Whether a create sent with this token landed (after a lost connection)."""
        actor.require(Permission.VIEW_BOOKINGS)
        with self.ctx.reading() as uow:
            return uow.bookings.find_by_request_token(token)

    # -- create and change ----------------------------------------------------------

    def create(self, actor: Actor, request: NewBooking) -> BookingRow:
        actor.require(Permission.MANAGE_BOOKINGS)
        requests = self._clean_requests(request.special_requests)
        stay = StayRequest(request.start_date, request.end_date, request.guests)
        with self.ctx.units_of_work() as uow:
            if request.request_token is not None:
                earlier = uow.bookings.find_by_request_token(request.request_token)
                if earlier is not None:
                    return earlier
            destination = uow.destinations.get_for_booking(request.destination_id)
            customer = uow.people.get(request.customer_id)
            if customer.role != Role.USER:
                raise ValidationError(
                    {"customer": f"{customer.name} is a staff account; choose a customer."}
                )
            price = self._check_stay(uow, stay, destination)
            values: dict[str, Any] = {
                "user_id": customer.id,
                "destination_id": destination.id,
                "start_date": stay.start_date,
                "end_date": stay.end_date,
                "guests": stay.guests,
                "total_price": price,
                "special_requests": requests,
                "status": BookingStatus.PENDING.value,
                "payment_status": PaymentStatus.PENDING.value,
                "request_token": request.request_token,
            }
            booking_id = self._insert(uow, values, request)
            if booking_id is None:  # the same request, committed by a concurrent submission
                assert request.request_token is not None  # noqa: S101
                earlier = uow.bookings.find_by_request_token(request.request_token)
                if earlier is None:
                    raise Conflict("This booking is being saved from another window; refresh.")
                return earlier
            self.ctx.record(
                uow,
                actor,
                "booking.create",
                "booking",
                booking_id,
                new={k: v for k, v in values.items() if k != "request_token"},
            )
            booking = uow.bookings.get(booking_id)
            uow.commit()
            return booking

    def _insert(self, uow: UnitOfWork, values: dict[str, Any], request: NewBooking) -> int | None:
        try:
            return _write_stay(uow, lambda: uow.bookings.add(values))
        except (ConstraintViolated, DatabaseBusy) as exc:
            name = exc.constraint if isinstance(exc, ConstraintViolated) else ""
            token = request.request_token
            if token is not None and uow.bookings.find_by_request_token(token) is not None:
                return None  # a double submission: its twin (maybe our own dates) won
            if name in BOOKING_OVERLAP_CONSTRAINTS or isinstance(exc, DatabaseBusy):
                self._raise_overlap(uow, request.destination_id, values, except_id=None)
            if name in MISSING_ON_INSERT:
                raise NotFound(MISSING_ON_INSERT[name]) from exc
            raise

    @staticmethod
    def _raise_overlap(
        uow: UnitOfWork, destination_id: int, values: dict[str, Any], except_id: int | None
    ) -> None:
        other = uow.bookings.overlapping(
            destination_id, values["start_date"], values["end_date"], except_id=except_id
        )
        if other is None:  # the other booking went away meanwhile: say so plainly
            raise Conflict("These dates were just taken by another booking. Try again.")
        raise Conflict(overlap_message(other), current={"booking_id": other.id})

    def change_stay(
        self, actor: Actor, booking_id: int, version: str, change: StayChange
    ) -> BookingRow:
        """New dates, guests or requests; new dates or guests are priced at today's price."""
        actor.require(Permission.MANAGE_BOOKINGS)
        requests = self._clean_requests(change.special_requests)
        stay = StayRequest(change.start_date, change.end_date, change.guests)
        with self.ctx.units_of_work() as uow:
            current = uow.bookings.lock_versioned(booking_id, version)
            if current.status not in ACTIVE_STATUSES:
                status = current.status.value
                raise ValidationError(
                    {"status": f"a {status} booking cannot be changed."},
                    f"A {status} booking cannot be changed. Only pending or confirmed "
                    "bookings can.",
                )
            destination = uow.destinations.get_for_booking(current.destination_id)
            booked = StayRequest(current.start_date, current.end_date, current.guests)
            price = self._check_stay(uow, stay, destination, booked=booked)
            values = {
                "start_date": stay.start_date,
                "end_date": stay.end_date,
                "guests": stay.guests,
                # New dates or guests take today's price; new requests alone change no price.
                "total_price": price if stay != booked else current.total_price,
                "special_requests": requests,
            }
            old, new = changed_fields(record_values(current), values)
            if new:
                try:
                    _write_stay(
                        uow,
                        lambda: uow.bookings.update_versioned(booking_id, current.version, values),
                    )
                except (ConstraintViolated, DatabaseBusy) as exc:
                    if (
                        isinstance(exc, DatabaseBusy)
                        or exc.constraint in BOOKING_OVERLAP_CONSTRAINTS
                    ):
                        self._raise_overlap(
                            uow, current.destination_id, values, except_id=booking_id
                        )
                    raise
                self.ctx.record(
                    uow, actor, "booking.change", "booking", booking_id, old=old, new=new
                )
            booking = uow.bookings.get(booking_id)
            uow.commit()
            return booking

    # -- status ------------------------------------------------------------------

    def confirm(self, actor: Actor, booking_id: int, version: str) -> BookingRow:
        return self._move(actor, booking_id, version, BookingStatus.CONFIRMED, {})

    def cancel(self, actor: Actor, booking_id: int, version: str, reason: str) -> BookingRow:
        actor.require(Permission.MANAGE_BOOKINGS)  # refuse the person before judging the reason
        problems = Problems()
        text = clean_text(
            problems, "cancellation_reason", reason, max_length=TEXT_MAX, label="Reason"
        )
        problems.raise_if_any()
        return self._move(
            actor, booking_id, version, BookingStatus.CANCELLED, {"cancellation_reason": text}
        )

    def complete(self, actor: Actor, booking_id: int, version: str) -> BookingRow:
        return self._move(actor, booking_id, version, BookingStatus.COMPLETED, {})

    def _move(
        self,
        actor: Actor,
        booking_id: int,
        version: str,
        target: BookingStatus,
        extra: dict[str, Any],
    ) -> BookingRow:
        actor.require(Permission.MANAGE_BOOKINGS)
        with self.ctx.units_of_work() as uow:
            current = uow.bookings.lock_versioned(booking_id, version)
            check_status_change(current.status, target)
            # The server's date and time: a workstation's clock may be days out.
            if target == BookingStatus.COMPLETED and uow.database_today() < current.end_date:
                raise ValidationError(
                    {"status": "the stay has not ended yet."},
                    "This booking can be completed from its end date, "
                    f"{_date(current.end_date)}, on.",
                )
            values = {"status": target.value, **extra}
            if target == BookingStatus.CANCELLED:
                values["cancelled_at"] = uow.database_now()
            old, new = changed_fields(record_values(current), values)
            uow.bookings.update_versioned(booking_id, current.version, values)
            action = {
                BookingStatus.CONFIRMED: "booking.confirm",
                BookingStatus.CANCELLED: "booking.cancel",
                BookingStatus.COMPLETED: "booking.complete",
            }[target]
            self.ctx.record(uow, actor, action, "booking", booking_id, old=old, new=new)
            booking = uow.bookings.get(booking_id)
            uow.commit()
            return booking

    # -- payment -----------------------------------------------------------------

    def record_payment(
        self,
        actor: Actor,
        booking_id: int,
        version: str,
        status: PaymentStatus,
        reference: str | None,
    ) -> BookingRow:
        """Paid, failed, or refunded (a cancelled, paid booking), with the payment reference."""
        actor.require(Permission.MANAGE_BOOKINGS)
        problems = Problems()
        ref = clean_text(
            problems,
            "payment_intent_id",
            reference,
            max_length=PAYMENT_REFERENCE_MAX,
            required=status in (PaymentStatus.PAID, PaymentStatus.REFUNDED),
            label="Payment reference",
        )
        problems.raise_if_any()
        with self.ctx.units_of_work() as uow:
            current = uow.bookings.lock_versioned(booking_id, version)
            check_payment_change(
                current.status, current.payment_status or PaymentStatus.PENDING, status
            )
            values: dict[str, Any] = {"payment_status": status.value}
            if ref is not None:
                values["payment_intent_id"] = ref
            old, new = changed_fields(record_values(current), values)
            if not new:  # another failed attempt: the event itself is the news
                old, new = {"payment_status": current.payment_status}, {"payment_status": status}
            uow.bookings.update_versioned(booking_id, current.version, values)
            self.ctx.record(uow, actor, "booking.payment", "booking", booking_id, old=old, new=new)
            booking = uow.bookings.get(booking_id)
            uow.commit()
            return booking

    # -- helpers -----------------------------------------------------------------

    @staticmethod
    def _check_stay(
        uow: UnitOfWork,
        stay: StayRequest,
        destination: DestinationRow,
        booked: StayRequest | None = None,
    ) -> Decimal:
        return validate_stay(
            stay,
            today=uow.database_today(),  # the server's date, the same for every workstation
            max_guests=destination.max_guests,
            duration_days=destination.duration,
            price_per_person=destination.price,
            destination_active=destination.active,
            destination_name=destination.name,
            booked=booked,
        )

    @staticmethod
    def _clean_requests(text: str | None) -> str | None:
        problems = Problems()
        cleaned = clean_text(
            problems,
            "special_requests",
            text,
            max_length=TEXT_MAX,
            required=False,
            label="Special requests",
        )
        problems.raise_if_any()
        return cleaned
