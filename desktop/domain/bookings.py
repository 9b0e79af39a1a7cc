"""Booking rules: the price, the dates, and the one table of allowed transitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from desktop.domain.enums import BookingStatus, PaymentStatus
from desktop.domain.errors import ValidationError

B = BookingStatus
P = PaymentStatus

# Bookings that hold their dates: the one definition. The models' overlap index and
# exclusion constraint, the repositories' availability queries and the window all use it.
ACTIVE_STATUSES = frozenset({B.PENDING, B.CONFIRMED})
MAX_TOTAL_PRICE = Decimal("99999999.99")  # NUMERIC(10,2)

# The allowed status changes. Anything else is refused, saying what is allowed.
STATUS_TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    B.PENDING: frozenset({B.CONFIRMED, B.CANCELLED}),
    B.CONFIRMED: frozenset({B.CANCELLED, B.COMPLETED}),
    B.CANCELLED: frozenset(),
    B.COMPLETED: frozenset(),
}

# The allowed payment changes, each with the booking statuses it may happen in.
PAYMENT_TRANSITIONS: dict[tuple[PaymentStatus, PaymentStatus], frozenset[BookingStatus]] = {
    (P.PENDING, P.PAID): frozenset({B.PENDING, B.CONFIRMED, B.COMPLETED}),
    (P.PENDING, P.FAILED): frozenset({B.PENDING, B.CONFIRMED}),
    (P.FAILED, P.PAID): frozenset({B.PENDING, B.CONFIRMED, B.COMPLETED}),
    (P.FAILED, P.FAILED): frozenset({B.PENDING, B.CONFIRMED}),  # another attempt failed
    (P.PAID, P.REFUNDED): frozenset({B.CANCELLED}),  # the refund of a cancelled booking
}

STATUS_VERBS: dict[BookingStatus, str] = {
    B.PENDING: "pending",
    B.CONFIRMED: "confirm",
    B.CANCELLED: "cancel",
    B.COMPLETED: "complete",
}


def _join(items: list[str]) -> str:
    if not items:
        return "nothing"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def check_status_change(current: BookingStatus, target: BookingStatus) -> None:
    allowed = STATUS_TRANSITIONS[current]
    if target not in allowed:
        options = sorted(STATUS_VERBS[s] for s in allowed)
        raise ValidationError(
            {"status": f"a {current.value} booking cannot be {target.value}"},
            f"A {current.value} booking cannot become {target.value}. "
            f"Allowed: {_join(options) if options else 'no further change'}.",
        )


def check_payment_change(
    booking_status: BookingStatus, current: PaymentStatus, target: PaymentStatus
) -> None:
    statuses = PAYMENT_TRANSITIONS.get((current, target))
    if statuses is not None and booking_status in statuses:
        return
    allowed = sorted(
        to.value
        for (frm, to), in_statuses in PAYMENT_TRANSITIONS.items()
        if frm == current and booking_status in in_statuses
    )
    raise ValidationError(
        {"payment_status": f"cannot go from {current.value} to {target.value}"},
        f"The payment of a {booking_status.value} booking cannot go from {current.value} to "
        f"{target.value}. Allowed: {_join(allowed) if allowed else 'no change'}."
        f"{_refund_hint(booking_status, current, target)}",
    )


def _refund_hint(
    booking_status: BookingStatus, current: PaymentStatus, target: PaymentStatus
) -> str:
    """What the clerk must do first when a refund is refused."""
    if target is not P.REFUNDED:
        return ""
    if current is not P.PAID:
        return " Only a paid booking can be refunded."
    if booking_status is not B.CANCELLED:
        return " Cancel the booking first, then record the refund."
    return ""


def total_price(price_per_person: Decimal, guests: int) -> Decimal:
    """The booking's price: the destination's price per person times the guests."""
    return (price_per_person * guests).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# How long a stay may be, and how far ahead it may start: one place for both rules.
# A stay ending in the year 9999 was once accepted at the price of a week and held
# the destination for ever.
MAX_STAY_NIGHTS = 60
BOOKING_HORIZON_YEARS = 3


def max_stay_nights(duration_days: int) -> int:
    """The longest stay a destination takes: 60 nights, or its own trip if that is longer."""
    return max(MAX_STAY_NIGHTS, duration_days)


def booking_horizon(today: date) -> date:
    """The last day a stay may start: three years from today (28 February for 29 February)."""
    year = today.year + BOOKING_HORIZON_YEARS
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February, and the year three ahead is not a leap year
        return today.replace(year=year, day=28)


def proposed_end(start: date, duration_days: int) -> date:
    """The end a stay editor proposes for a start: the destination's trip length later.

    Bounded by the calendar's last day, so an editor can call it with any date it holds.
    """
    try:
        return start + timedelta(days=duration_days)
    except OverflowError:
        return date.max


@dataclass(frozen=True)
class StayRequest:
    """What a clerk asks for: dates and guests for a destination."""

    start_date: date
    end_date: date
    guests: int


def _long_date(d: date) -> str:
    return f"{d:%d %b %Y}"


def stay_date_problems(
    start: date,
    end: date,
    *,
    today: date,
    duration_days: int | None,
    destination_name: str,
    booked: StayRequest | None = None,
) -> dict[str, str]:
    """What is wrong with a stay's dates, by field ("start_date", "end_date"); {} when nothing.

    The one wording of the date rules: ``validate_stay`` refuses with it, and the
    window says it under the fields as the dates are typed (``duration_days`` None:
    the destination is not chosen yet, so its longest stay is not known). Each
    message goes after the field's name ("[The start date] is in the past. ...").
    ``today`` is the database server's date; ``booked`` as for ``validate_stay``.
    """
    problems: dict[str, str] = {}
    new_start = booked is None or start != booked.start_date
    new_dates = booked is None or (start, end) != (booked.start_date, booked.end_date)
    if new_start and start < today:
        problems["start_date"] = "is in the past. Choose today or a later date."
    elif new_start and start > (horizon := booking_horizon(today)):
        problems["start_date"] = (
            f"is more than {BOOKING_HORIZON_YEARS} years ahead. Stays can start until "
            f"{_long_date(horizon)}; choose an earlier date."
        )
    if end <= start:
        problems["end_date"] = "must be after the start date."
    elif new_dates and duration_days is not None:
        nights = (end - start).days
        longest = max_stay_nights(duration_days)
        if nights > longest:
            problems["end_date"] = (
                f"makes a stay of {nights} nights; a stay at {destination_name} can be at most "
                f"{longest} nights ({MAX_STAY_NIGHTS}, or the trip's own length if longer). "
                "Choose an earlier end date, or book the rest as a second stay."
            )
    return problems


def validate_stay(
    stay: StayRequest,
    *,
    today: date,
    max_guests: int,
    duration_days: int,
    price_per_person: Decimal,
    destination_active: bool,
    destination_name: str,
    booked: StayRequest | None = None,
) -> Decimal:
    """Check a stay against the destination; return its total price. Collects every problem.

    ``today`` is the database server's date, the same for every workstation.
    ``booked`` is the stay as booked when an existing booking changes: its dates
    and guests were accepted once and stay acceptable as they are. A stay under
    way keeps its start (in the past by then); a destination closed since, a
    lower guest limit or a shorter horizon refuse only new dates or new guests,
    never a change of special requests alone.
    """
    problems: dict[str, str] = {}
    new_dates = booked is None or (stay.start_date, stay.end_date) != (
        booked.start_date,
        booked.end_date,
    )
    new_guests = booked is None or stay.guests != booked.guests
    if new_dates and not destination_active:
        problems["destination"] = (
            f"{destination_name} is not open for booking. Choose another destination."
            if booked is None
            else f"{destination_name} is not open for booking: this booking keeps its dates "
            "but cannot take new ones. Keep the dates, or cancel and book another destination."
        )
    problems.update(
        stay_date_problems(
            stay.start_date,
            stay.end_date,
            today=today,
            duration_days=duration_days,
            destination_name=destination_name,
            booked=booked,
        )
    )
    if stay.guests < 1:
        problems["guests"] = "must be at least 1."
    elif (new_guests or new_dates) and stay.guests > max_guests:
        problems["guests"] = f"{destination_name} takes at most {max_guests} guests."
    priced = new_guests or new_dates  # only new dates or guests take today's price
    # The schema is shared: another client may have left a destination without a usable price.
    if priced and price_per_person <= 0:
        problems.setdefault(
            "destination",
            f"{destination_name} has no price per person. Ask a moderator to set one.",
        )
    price = total_price(price_per_person, max(stay.guests, 1))
    if priced and price > MAX_TOTAL_PRICE and "guests" not in problems:
        problems["guests"] = (
            f"the total price, {price:,}, is more than the system can record "
            f"({MAX_TOTAL_PRICE:,}). Book fewer guests."
        )
    if problems:
        raise ValidationError(problems)
    return price
