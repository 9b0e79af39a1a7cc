"""Repositories against a real PostgreSQL: keyset pages in every sort order, filters, counts.

Text values in the sorted data are letters (or digits) of one shape, so Python's
ordering and the server's collation (C on the embedded server, a glibc or ICU
locale elsewhere) agree on them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from sqlalchemy import Engine, Table, event, insert, text
from sqlalchemy.orm import Session

from desktop.db import keyset
from desktop.db.engine import build_engine
from desktop.db.models import AuditLog, Booking, Destination, Review, User
from desktop.db.repositories.audit import SORTS as AUDIT_SORTS
from desktop.db.repositories.audit import AuditRepository
from desktop.db.repositories.bookings import SORTS as BOOKING_SORTS
from desktop.db.repositories.bookings import BookingRepository
from desktop.db.repositories.destinations import SORTS as DESTINATION_SORTS
from desktop.db.repositories.destinations import DestinationRepository
from desktop.db.repositories.people import SORTS as PEOPLE_SORTS
from desktop.db.repositories.people import PeopleRepository
from desktop.db.repositories.reviews import SORTS as REVIEW_SORTS
from desktop.db.repositories.reviews import ReviewRepository
from desktop.domain.enums import BookingStatus, PaymentStatus, Role
from desktop.domain.errors import Conflict, NotFound, ValidationError
from desktop.domain.listing import (
    AuditFilter,
    BookingFilter,
    Cursor,
    DestinationFilter,
    Page,
    PageRequest,
    PersonFilter,
    ReviewFilter,
    RowCount,
    Sort,
)
from desktop.domain.records import BookingRow

if TYPE_CHECKING:  # imported at run time, pytest would try to collect it as a test class
    from tests.conftest import TestServer

R = TypeVar("R")

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
# Cycles of different lengths spread ties and NULLs over the rows in different orders.
CREATED = (T0, None, T0 + HOUR, T0, None, T0 + 2 * HOUR)
UPDATED = (None, T0 + 5 * HOUR, T0 + 5 * HOUR, T0 + 3 * HOUR, None)
ROWS = 15
UNIQUE_COLUMNS = frozenset({"id", "email"})


def pick(values: Sequence[R], i: int) -> R:
    return values[i % len(values)]


def insert_rows(session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert exactly these values (NULLs included, which the ORM would replace by defaults)."""
    table: Table = model.__table__
    return [
        session.execute(insert(table).values(**row).returning(table.c.id)).scalar_one()
        for row in rows
    ]


def users(session: Session, names: Sequence[str], **fields: Any) -> list[int]:
    start = session.execute(text("SELECT count(*) FROM users")).scalar_one()
    return insert_rows(
        session,
        User,
        [
            {
                "name": name,
                # One length and shape for every local part, so collations agree on the order.
                "email": f"{chr(ord('z') - (start + i) % 26)}{chr(ord('a') + (start + i) // 26)}"
                "x@example.com",
                "password_hash": "!",
                **fields,
            }
            for i, name in enumerate(names)
        ],
    )


def destinations(session: Session, names: Sequence[str], **fields: Any) -> list[int]:
    return insert_rows(
        session,
        Destination,
        [
            {
                "name": name,
                "description": "White sand and warm water.",
                "country": "Maldives",
                "city": "Male",
                "price": Decimal("1200.00"),
                "duration": 7,
                "max_guests": 4,
                **fields,
            }
            for name in names
        ],
    )


# --- data for the sort walks: ties in every column, NULLs in every nullable one ---------------


def seed_people(session: Session) -> None:
    names = ("Nadia", "Bruno", "Nadia", "Carla", "Bruno", "Elena", "Anna", "Nadia", "Dario")
    phones = ("5550003", None, "5550001", "5550003", None)
    roles = ("user", "agent", "user", "moderator", "admin")
    ids = users(session, [pick(names, i) for i in range(ROWS)])
    for i, ident in enumerate(ids):
        session.execute(
            text(
                "UPDATE users SET phone = :phone, role = :role, created_at = :created "
                "WHERE id = :id"
            ),
            {
                "id": ident,
                "phone": pick(phones, i),
                "role": pick(roles, i),
                "created": pick(CREATED, i),
            },
        )
    # updated_at last: the design's trigger sets it on every UPDATE; this one overrides it.
    _set_updated_at(session, "users", ids)


def seed_destinations(session: Session) -> None:
    rows = [
        {
            "name": pick(("Lagoon", "Reef", "Atoll", "Lagoon", "Jungle"), i),
            "description": "White sand and warm water.",
            "country": pick(("Maldives", "Belize", "Fiji"), i),
            "city": pick(("Male", "Placencia", "Nadi", "Suva"), i),
            "price": pick((Decimal("1200.00"), Decimal("950.50"), Decimal("3100.00")), i),
            "duration": pick((7, 10, 7, 14, 5), i),
            "max_guests": pick((4, 2, 4, 6), i),
            "rating": pick((None, Decimal("4.50"), Decimal("3.00"), Decimal("4.50"), None), i),
            "review_count": pick((None, 3, 0, 3), i),
            "active": pick((True, None, False, True), i),
            "created_at": pick(CREATED, i),
        }
        for i in range(ROWS)
    ]
    ids = insert_rows(session, Destination, rows)
    _set_updated_at(session, "destinations", ids)


def seed_bookings(session: Session) -> None:
    customers = users(session, ["Anna", "Bruno", "Anna"])
    dests = destinations(session, ["Lagoon", "Reef", "Lagoon"])
    prices = (Decimal("1200.00"), Decimal("950.50"), Decimal("1200.00"))
    first_day = date(2026, 5, 1)
    rows = []
    for i in range(ROWS):
        # Bookings i and i+1 (i even) share their start; one destination's stays never overlap.
        start = first_day + timedelta(days=10 * (i // 2))
        guests = pick((2, 1, 2, 3), i)
        rows.append(
            {
                "user_id": customers[(2 * i) % 3],
                "destination_id": dests[i % 3],
                "start_date": start,
                "end_date": start + timedelta(days=pick((3, 3, 7, 5), i)),
                "guests": guests,
                "total_price": prices[i % 3] * guests,
                "status": pick(("completed", "cancelled", "pending", "confirmed", "completed"), i),
                "payment_status": pick(("paid", None, "pending", "paid", None, "refunded"), i),
                "created_at": pick(CREATED, i),
            }
        )
    ids = insert_rows(session, Booking, rows)
    _set_updated_at(session, "bookings", ids)


def seed_reviews(session: Session) -> None:
    authors = users(session, ["Anna", "Anna", "Bruno", "Carla"])
    dests = destinations(session, ["Lagoon", "Reef", "Lagoon"])
    rows = [
        {
            "user_id": authors[i % 4],
            "destination_id": dests[i % 3],
            "rating": pick((5, 3, 5, 1, 4), i),
            "comment": "Fine.",
            "helpful_count": pick((None, 2, 0, 2, None, 7), i),
            "created_at": pick(CREATED, i),
        }
        for i in range(ROWS)
    ]
    ids = insert_rows(session, Review, rows)
    _set_updated_at(session, "reviews", ids)


def seed_audit(session: Session) -> None:
    actors = [*users(session, ["Ada", "Mia"], role="admin"), None]
    rows = [
        {
            "user_id": pick(actors, i),
            "action": pick(("booking.create", "review.delete", "booking.create", "place.edit"), i),
            "resource_type": pick(("booking", "review", "destination"), i),
            "resource_id": i,
            "created_at": pick(CREATED, i),
        }
        for i in range(ROWS)
    ]
    insert_rows(session, AuditLog, rows)


def _set_updated_at(session: Session, table: str, ids: Sequence[int]) -> None:
    """Give rows chosen updated_at values (NULL included) behind the updated_at trigger's back."""
    trigger = f"trigger_{table}_updated_at"
    session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}"))
    for i, ident in enumerate(ids):
        session.execute(
            text(f"UPDATE {table} SET updated_at = :at WHERE id = :id"),
            {"at": pick(UPDATED, i), "id": ident},
        )
    session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}"))


# --- the walks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """One repository's list, as the walks use it."""

    name: str
    sorts: Mapping[str, keyset.SortKey]
    seed: Callable[[Session], None]
    page: Callable[[Session, PageRequest], Page[Any]]
    count: Callable[[Session], RowCount]
    table: str


LISTINGS = (
    Listing(
        "people",
        PEOPLE_SORTS,
        seed_people,
        lambda s, r: PeopleRepository(s).page(PersonFilter(), r),
        lambda s: PeopleRepository(s).count(PersonFilter()),
        "users",
    ),
    Listing(
        "destinations",
        DESTINATION_SORTS,
        seed_destinations,
        lambda s, r: DestinationRepository(s).page(DestinationFilter(), r),
        lambda s: DestinationRepository(s).count(DestinationFilter()),
        "destinations",
    ),
    Listing(
        "bookings",
        BOOKING_SORTS,
        seed_bookings,
        lambda s, r: BookingRepository(s).page(BookingFilter(), r),
        lambda s: BookingRepository(s).count(BookingFilter()),
        "bookings",
    ),
    Listing(
        "reviews",
        REVIEW_SORTS,
        seed_reviews,
        lambda s, r: ReviewRepository(s).page(ReviewFilter(), r),
        lambda s: ReviewRepository(s).count(ReviewFilter()),
        "reviews",
    ),
    # Searches of 3+ characters find their matches before sorting them (an OFFSET 0 fence):
    # every e-mail of the sort data contains "example", so the whole table matches.
    Listing(
        "people-searched",
        PEOPLE_SORTS,
        lambda _s: None,
        lambda s, r: PeopleRepository(s).page(PersonFilter(text="example"), r),
        lambda s: PeopleRepository(s).count(PersonFilter(text="example")),
        "users",
    ),
    Listing(
        "bookings-searched",
        BOOKING_SORTS,
        lambda _s: None,
        lambda s, r: BookingRepository(s).page(BookingFilter(text="example"), r),
        lambda s: BookingRepository(s).count(BookingFilter(text="example")),
        "bookings",
    ),
    Listing(
        "audit",
        AUDIT_SORTS,
        seed_audit,
        lambda s, r: AuditRepository(s).page(AuditFilter(), r),
        lambda s: AuditRepository(s).count(AuditFilter()),
        "audit_logs",
    ),
)
SORT_CASES = [
    pytest.param(listing, column, descending, id=f"{listing.name}-{column}-{direction}")
    for listing in LISTINGS
    for column in listing.sorts
    for descending, direction in ((False, "asc"), (True, "desc"))
]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


@dataclass(frozen=True)
class Sent:
    """A statement as the driver received it, with its parameters."""

    sql: str
    parameters: Any


@contextmanager
def recording(engine: Engine) -> Iterator[list[Sent]]:
    """Every SQL statement the engine sends meanwhile, in order."""
    sent: list[Sent] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        sent.append(Sent(statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[Sent]]:
    with recording(engine) as sent:
        yield sent


@pytest.fixture(scope="module")
def sorted_world(test_server: TestServer, template_database: str) -> Iterator[Engine]:
    """One database holding every listing's sort data, shared by the read-only walks."""
    name = test_server.new_name()
    url = test_server.create_database(name, template=template_database)
    engine = build_engine(url)
    try:
        with Session(engine) as session:
            for listing in LISTINGS:
                listing.seed(session)
            session.commit()
        yield engine
    finally:
        engine.dispose()
        test_server.drop_database(name)


def shown(row: Any, column: str) -> Any:
    """The value the list shows in ``column`` (what it sorts by)."""
    value = getattr(row, column)
    return value.value if isinstance(value, Enum) else value


def sorted_in_python(rows: Sequence[Any], column: str, descending: bool) -> list[int]:
    """NULLs last ascending (first descending); ties by id in the sort's direction."""
    ascending = sorted(rows, key=lambda r: (shown(r, column) is None, shown(r, column), r.id))
    return [r.id for r in (reversed(ascending) if descending else ascending)]


def walk(list_page: Callable[[PageRequest], Page[R]], sort: Sort, page_size: int) -> list[R]:
    """Every row, page after page, each page asked for after the previous page's last row."""
    rows: list[R] = []
    after: Cursor | None = None
    for _ in range(1000):
        page = list_page(PageRequest(sort, after, page_size))
        rows.extend(page.rows)
        if page.is_last:
            assert len(page.rows) <= page_size
            return rows
        assert len(page.rows) == page_size, "only the last page may be short"
        after = page.next
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize(("listing", "column", "descending"), SORT_CASES)
def test_pages_concatenate_to_the_whole_list_in_order(
    sorted_world: Engine, listing: Listing, column: str, descending: bool
) -> None:
    with Session(sorted_world) as session, recording(sorted_world) as statements:
        everything = listing.page(session, PageRequest(Sort("id"), limit=1000)).rows
        table_size = session.execute(text(f"SELECT count(*) FROM {listing.table}")).scalar_one()
        assert len(everything) == table_size

        expected = sorted_in_python(everything, column, descending)
        values = [shown(r, column) for r in everything]
        non_null = [v for v in values if v is not None]
        if listing.sorts[column].nullable:
            assert values.count(None) >= 2, "the data must have NULLs to sort"
        if column not in UNIQUE_COLUMNS:
            assert len(set(non_null)) < len(non_null), "the data must have ties to break"

        statements.clear()
        for page_size in (1, 3, 4):
            walked = walk(lambda r: listing.page(session, r), Sort(column, descending), page_size)
            ids = [r.id for r in walked]
            assert len(ids) == len(set(ids)), f"a row came twice with pages of {page_size}"
            assert ids == expected, f"pages of {page_size}"
        assert statements, "the walk must have queried the database"
        offsets = [
            s.sql for s in statements if re.search(r"\bOFFSET\s+(?!0\b)", s.sql, re.IGNORECASE)
        ]
        assert not offsets, "pages never skip rows with OFFSET (OFFSET 0 only fences a search)"
        fenced = any(re.search(r"\bOFFSET 0\b", s.sql) for s in statements)
        assert fenced == listing.name.endswith("-searched")


def test_nulls_shown_as_zero_or_inactive_are_really_null_in_the_sort_data(
    sorted_world: Engine,
) -> None:
    """The coalesced sort columns are walked over real NULLs, not only over zeros."""
    with Session(sorted_world) as session:
        for table, column in (
            ("destinations", "rating"),
            ("destinations", "review_count"),
            ("destinations", "active"),
            ("reviews", "helpful_count"),
        ):
            nulls = session.execute(
                text(f"SELECT count(*) FROM {table} WHERE {column} IS NULL")
            ).scalar_one()
            assert nulls >= 2, f"{table}.{column}"


LISTING_CASES = [pytest.param(listing, id=listing.name) for listing in LISTINGS]


@pytest.mark.parametrize("listing", LISTING_CASES)
def test_an_unknown_sort_column_names_the_allowed_ones(
    sorted_world: Engine, listing: Listing
) -> None:
    with Session(sorted_world) as session, pytest.raises(ValidationError) as refused:
        listing.page(session, PageRequest(Sort("password_hash")))
    problem = refused.value.fields["sort"]
    assert "'password_hash'" in problem
    for column in listing.sorts:
        assert column in problem


@pytest.mark.parametrize("listing", LISTING_CASES)
def test_count_is_exact_below_the_limit(sorted_world: Engine, listing: Listing) -> None:
    with Session(sorted_world) as session:
        rows = session.execute(text(f"SELECT count(*) FROM {listing.table}")).scalar_one()
        assert listing.count(session) == RowCount(rows, exact=True)


@pytest.mark.parametrize("listing", LISTING_CASES)
def test_count_is_an_estimate_above_the_limit(
    sorted_world: Engine, listing: Listing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyset, "EXACT_COUNT_LIMIT", 5)
    with Session(sorted_world) as session:
        session.execute(text(f"ANALYZE {listing.table}"))  # statistics only: the data stays
        count = listing.count(session)
    assert count.exact is False
    assert count.value > 5


def test_the_empty_list_has_one_empty_last_page(session: Session) -> None:
    page = DestinationRepository(session).page(DestinationFilter(), PageRequest(Sort("rating")))
    assert page.rows == ()
    assert page.is_last
    assert DestinationRepository(session).count(DestinationFilter()) == RowCount(0, exact=True)


# --- get -----------------------------------------------------------------------------------


def test_get_returns_the_row_or_says_it_is_gone(session: Session) -> None:
    seed_bookings(session)
    seed_reviews(session)
    booking_id = session.execute(text("SELECT min(id) FROM bookings")).scalar_one()
    review_id = session.execute(text("SELECT min(id) FROM reviews")).scalar_one()
    booking = BookingRepository(session).get(booking_id)
    assert (booking.id, booking.customer_name, booking.destination_name) == (
        booking_id,
        "Anna",
        "Lagoon",
    )
    assert booking.payment_status is PaymentStatus.PAID
    assert ReviewRepository(session).get(review_id).helpful_count == 0  # NULL shows as 0
    with pytest.raises(NotFound, match="Booking 999999 does not exist"):
        BookingRepository(session).get(999_999)
    with pytest.raises(NotFound, match="Destination 999999 does not exist"):
        DestinationRepository(session).get(999_999)
    with pytest.raises(NotFound, match="Review 999999 does not exist"):
        ReviewRepository(session).get(999_999)


def test_a_versioned_update_writes_only_over_the_version_it_was_given(session: Session) -> None:
    seed_bookings(session)
    session.commit()
    repo = BookingRepository(session)
    booking = repo.get(session.execute(text("SELECT min(id) FROM bookings")).scalar_one())
    new_version = repo.update_versioned(booking.id, booking.version, {"guests": 3})
    assert new_version != booking.version
    assert (repo.get(booking.id).guests, repo.get(booking.id).version) == (3, new_version)
    with pytest.raises(Conflict, match="Someone else changed this booking") as refused:
        repo.update_versioned(booking.id, booking.version, {"guests": 1})
    assert refused.value.current is not None
    assert (refused.value.current["guests"], refused.value.current["version"]) == (3, new_version)
    assert repo.get(booking.id).guests == 3
    with pytest.raises(Conflict):
        repo.lock_versioned(booking.id, booking.version)
    locked = repo.lock_versioned(booking.id, new_version)
    assert isinstance(locked, BookingRow)
    assert (locked.guests, locked.version) == (3, new_version)
    assert locked == repo.get(booking.id)
    with pytest.raises(NotFound):
        repo.update_versioned(999_999, new_version, {"guests": 1})


# --- filters: bookings ---------------------------------------------------------------------


@dataclass(frozen=True)
class BookingWorld:
    ann: int
    bob: int
    lagoon: int
    rainforest: int
    b1: int  # Ann, Lagoon, 1-8 May, completed, paid, created 10 Jan
    b2: int  # Ann, Rainforest, 8-15 May, pending, no payment status, created 1 Feb 00:00
    b3: int  # Bob, Lagoon, 8-12 May, confirmed, payment pending, created 15 Feb
    b4: int  # Bob, Rainforest, 20 Apr-1 May, cancelled, refunded, created 1 Mar 00:00


@pytest.fixture
def booking_world(session: Session) -> BookingWorld:
    ann = insert_rows(session, User, [_person("Ann Lee", "ann@example.com")])[0]
    bob = insert_rows(session, User, [_person("Bob Ray", "bob@example.com")])[0]
    lagoon, rainforest = destinations(session, ["Lagoon Villas", "Rainforest Lodge"])

    def booking(
        who: int, where: int, start: date, end: date, status: str, pay: str | None, made: datetime
    ) -> int:
        row = {
            "user_id": who,
            "destination_id": where,
            "start_date": start,
            "end_date": end,
            "guests": 2,
            "total_price": Decimal("2400.00"),
            "status": status,
            "payment_status": pay,
            "created_at": made,
        }
        return insert_rows(session, Booking, [row])[0]

    may = date(2026, 5, 1)
    world = BookingWorld(
        ann=ann,
        bob=bob,
        lagoon=lagoon,
        rainforest=rainforest,
        b1=booking(ann, lagoon, may, date(2026, 5, 8), "completed", "paid", _at(1, 10, 12)),
        b2=booking(ann, rainforest, date(2026, 5, 8), date(2026, 5, 15), "pending", None,
                   _at(2, 1)),
        b3=booking(bob, lagoon, date(2026, 5, 8), date(2026, 5, 12), "confirmed", "pending",
                   _at(2, 15, 9)),
        b4=booking(bob, rainforest, date(2026, 4, 20), may, "cancelled", "refunded",
                   _at(3, 1)),
    )  # fmt: skip
    session.commit()
    return world


def _person(name: str, email: str, phone: str | None = None, role: str = "user") -> dict[str, Any]:
    return {"name": name, "email": email, "phone": phone, "role": role, "password_hash": "!"}


def _at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def booking_ids(session: Session, f: BookingFilter) -> set[int]:
    repo = BookingRepository(session)
    ids = {b.id for b in repo.page(f, PageRequest(Sort("id"), limit=1000)).rows}
    assert repo.count(f) == RowCount(len(ids), exact=True)
    return ids


def test_bookings_filter_by_status_payment_destination_and_customer(
    session: Session, booking_world: BookingWorld
) -> None:
    w = booking_world
    both_active = frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED})
    assert booking_ids(session, BookingFilter(statuses=both_active)) == {w.b2, w.b3}
    settled = frozenset({PaymentStatus.PAID, PaymentStatus.REFUNDED})
    assert booking_ids(session, BookingFilter(payment_statuses=settled)) == {w.b1, w.b4}
    pending_payment = frozenset({PaymentStatus.PENDING})
    assert booking_ids(session, BookingFilter(payment_statuses=pending_payment)) == {w.b3}
    assert booking_ids(session, BookingFilter(destination_id=w.lagoon)) == {w.b1, w.b3}
    assert booking_ids(session, BookingFilter(customer_id=w.bob)) == {w.b3, w.b4}
    completed = frozenset({BookingStatus.COMPLETED})
    assert booking_ids(session, BookingFilter(statuses=completed, customer_id=w.bob)) == set()
    assert booking_ids(session, BookingFilter(statuses=completed, customer_id=w.ann)) == {w.b1}


def test_bookings_filter_by_stay_overlap_is_half_open(
    session: Session, booking_world: BookingWorld
) -> None:
    w = booking_world

    def stays(start: date | None, end: date | None) -> set[int]:
        return booking_ids(session, BookingFilter(stay_from=start, stay_to=end))

    # b1 ends on 8 May: a stay ending on stay_from does not overlap; b2 and b3 start that day.
    assert stays(date(2026, 5, 8), date(2026, 5, 9)) == {w.b2, w.b3}
    # b4 ends on 1 May, b1 starts then.
    assert stays(date(2026, 5, 1), date(2026, 5, 2)) == {w.b1}
    # A range ending on a stay's first day does not overlap it either.
    assert stays(date(2026, 4, 25), date(2026, 5, 1)) == {w.b4}
    assert stays(None, date(2026, 5, 1)) == {w.b4}
    assert stays(date(2026, 5, 14), None) == {w.b2}
    assert stays(date(2026, 5, 15), None) == set()
    assert stays(date(2026, 4, 1), date(2026, 6, 1)) == {w.b1, w.b2, w.b3, w.b4}


def test_bookings_filter_by_creation_time_includes_from_and_excludes_to(
    session: Session, booking_world: BookingWorld
) -> None:
    w = booking_world
    february = BookingFilter(created_from=_at(2, 1), created_to=_at(3, 1))
    assert booking_ids(session, february) == {w.b2, w.b3}
    assert booking_ids(session, BookingFilter(created_from=_at(2, 15, 9))) == {w.b3, w.b4}
    assert booking_ids(session, BookingFilter(created_to=_at(2, 1))) == {w.b1}


def test_bookings_text_search(session: Session, booking_world: BookingWorld) -> None:
    w = booking_world

    def found(query: str) -> set[int]:
        return booking_ids(session, BookingFilter(text=query))

    assert found("ann") == {w.b1, w.b2}  # customer name, any case
    assert found("  RAY ") == {w.b3, w.b4}
    assert found("bob@example") == {w.b3, w.b4}  # customer e-mail
    assert found("rainforest") == {w.b2, w.b4}  # destination name
    assert found(f"#{w.b3}") == {w.b3}  # booking number
    assert found(str(w.b4)) == {w.b4}
    # LIKE's wildcards are literal characters: nobody's name holds them.
    assert found("%") == set()
    assert found("_") == set()
    assert found("ann%lee") == set()
    # A digit that is not a decimal digit ("²") is searched for as text, not read as a number.
    assert found("²") == set()
    assert found("9" * 25) == set()  # too long for a booking number: text only
    # A NUL (pasted from a binary source) cannot reach PostgreSQL: it is dropped, not an error.
    assert found("an\x00n") == {w.b1, w.b2}


# --- filters: destinations and the full-text index -----------------------------------------


@dataclass(frozen=True)
class DestinationWorld:
    lagoon: int  # Maldives, Male, 1200, 4.50, active
    rainforest: int  # Costa Rica, Monteverde, 450, 3.80, inactive
    reef: int  # Belize, Placencia, 950.50, rating NULL, active NULL
    atoll: int  # Maldives, Addu, 3100, 5.00, active


@pytest.fixture
def destination_world(session: Session) -> DestinationWorld:
    def place(name: str, description: str, **fields: Any) -> int:
        return destinations(session, [name], description=description, **fields)[0]

    world = DestinationWorld(
        lagoon=place(
            "Lagoon Villas",
            "Overwater villas on a quiet lagoon with a house reef.",
            rating=Decimal("4.50"),
            active=True,
        ),
        rainforest=place(
            "Rainforest Lodge",
            "Treehouses in the canopy and guided night walks.",
            country="Costa Rica",
            city="Monteverde",
            price=Decimal("450.00"),
            rating=Decimal("3.80"),
            active=False,
        ),
        reef=place(
            "Reef Diving Camp",
            "Dive the barrier reef from a beach camp.",
            country="Belize",
            city="Placencia",
            price=Decimal("950.50"),
            rating=None,
            active=None,
        ),
        atoll=place(
            "Atoll Retreat",
            "A quiet island retreat.",
            city="Addu",
            price=Decimal("3100.00"),
            rating=Decimal("5.00"),
            active=True,
        ),
    )
    session.commit()
    return world


def destination_ids(session: Session, f: DestinationFilter) -> set[int]:
    repo = DestinationRepository(session)
    ids = {d.id for d in repo.page(f, PageRequest(Sort("name"), limit=1000)).rows}
    assert repo.count(f) == RowCount(len(ids), exact=True)
    return ids


def test_destinations_filter_by_place_price_rating_and_activity(
    session: Session, destination_world: DestinationWorld
) -> None:
    w = destination_world

    def found(**fields: Any) -> set[int]:
        return destination_ids(session, DestinationFilter(**fields))

    assert found(country="Maldives") == {w.lagoon, w.atoll}
    assert found(country=" Belize ") == {w.reef}
    assert found(city="Placencia") == {w.reef}
    assert found(country="Maldives", city="Addu") == {w.atoll}
    assert found(price_min=Decimal("950.50")) == {w.lagoon, w.reef, w.atoll}  # inclusive
    assert found(price_max=Decimal("950.50")) == {w.rainforest, w.reef}
    assert found(price_min=Decimal("1000"), price_max=Decimal("3100")) == {w.lagoon, w.atoll}
    assert found(min_rating=Decimal("4.5")) == {w.lagoon, w.atoll}
    assert found(min_rating=Decimal("3.8")) == {w.lagoon, w.rainforest, w.atoll}
    # The list shows a NULL rating as 0 and NULL active as inactive; the filters agree.
    assert found(min_rating=Decimal("0")) == {w.lagoon, w.rainforest, w.reef, w.atoll}
    assert found(active=True) == {w.lagoon, w.atoll}
    assert found(active=False) == {w.rainforest, w.reef}
    shown_inactive = DestinationRepository(session).get(w.reef)
    assert (shown_inactive.active, shown_inactive.rating) == (False, Decimal("0"))


def test_destinations_full_text_search(
    session: Session, destination_world: DestinationWorld
) -> None:
    w = destination_world

    def found(query: str) -> set[int]:
        return destination_ids(session, DestinationFilter(text=query))

    assert found("reef") == {w.lagoon, w.reef}  # name or description
    assert found("villa") == {w.lagoon}  # English stemming: villas
    assert found("diving") == {w.reef}  # dive, diving
    assert found("Quiet") == {w.lagoon, w.atoll}
    assert found("reef -camp") == {w.lagoon}  # web-search syntax
    assert found('"barrier reef"') == {w.reef}
    assert found("quiet or canopy") == {w.lagoon, w.rainforest, w.atoll}
    assert found("the") == set()  # only a stop word: nothing, and no error
    assert found("o'brien's \\ 100%") == set()
    assert found("re\x00ef") == {w.lagoon, w.reef}
    assert destination_ids(session, DestinationFilter(country="Bel\x00ize")) == {w.reef}


def explain(session: Session, sent: Sent) -> str:
    """The plan of a statement the repository sent, with the same parameters."""
    plan = session.connection().exec_driver_sql(f"EXPLAIN {sent.sql}", sent.parameters)
    return "\n".join(line for (line,) in plan)


def only_bitmap_scans(session: Session) -> None:
    """Leave the planner bitmap scans only, for this transaction.

    On a few thousand rows a sequential scan, or a b-tree walked in the list's
    order, is rightly cheaper; ruling both out shows whether the search
    predicate can use its index at all.
    """
    session.execute(text("SET LOCAL enable_seqscan = off"))
    session.execute(text("SET LOCAL enable_indexscan = off"))
    session.execute(text("SET LOCAL enable_indexonlyscan = off"))


def last_sent(statements: Sequence[Sent], marker: str) -> Sent:
    return next(s for s in reversed(statements) if marker in s.sql)


def test_full_text_search_uses_the_designs_gin_index(
    session: Session, destination_world: DestinationWorld, statements: list[Sent]
) -> None:
    session.execute(
        text(
            "INSERT INTO destinations (name, description, country, city, price, duration, "
            "max_guests) SELECT 'Place ' || g, 'Sun and sea number ' || g, 'Fiji', 'Nadi', "
            "100 + g, 7, 4 FROM generate_series(1, 3000) AS g"
        )
    )
    session.execute(text("ANALYZE destinations"))
    only_bitmap_scans(session)
    repo = DestinationRepository(session)
    statements.clear()
    f = DestinationFilter(text="barrier reef")
    assert {d.id for d in repo.page(f, PageRequest(Sort("price"))).rows} == {destination_world.reef}
    assert repo.count(f) == RowCount(1, exact=True)
    assert "to_tsvector('english'::regconfig" in last_sent(statements, "ORDER BY").sql
    assert "idx_destinations_search" in explain(session, last_sent(statements, "ORDER BY"))
    assert "idx_destinations_search" in explain(session, last_sent(statements, "count("))


# --- filters: people and the trigram indexes ------------------------------------------------


@dataclass(frozen=True)
class PeopleWorld:
    ann: int  # Ann Lee, customer
    bob: int  # Bob Ray, agent, no phone
    promo: int  # "Promo 50%_Club", customer
    annabel: int  # Annabel Stone, moderator


@pytest.fixture
def people_world(session: Session) -> PeopleWorld:
    rows = [
        _person("Ann Lee", "ann.lee@example.com", "+44 20 7946 0000"),
        _person("Bob Ray", "bob@ray.example", None, "agent"),
        _person("Promo 50%_Club", "promo@example.com", "555-0100"),
        _person("Annabel Stone", "annabel@example.org", "555 0199", "moderator"),
    ]
    world = PeopleWorld(*insert_rows(session, User, rows))
    session.commit()
    return world


def people_ids(session: Session, f: PersonFilter) -> set[int]:
    repo = PeopleRepository(session)
    ids = {p.id for p in repo.page(f, PageRequest(Sort("name"), limit=1000)).rows}
    assert repo.count(f) == RowCount(len(ids), exact=True)
    return ids


def test_people_filter_by_role_and_substring(session: Session, people_world: PeopleWorld) -> None:
    w = people_world

    def found(query: str = "", roles: frozenset[Role] = frozenset()) -> set[int]:
        return people_ids(session, PersonFilter(roles=roles, text=query))

    assert found(roles=frozenset({Role.USER})) == {w.ann, w.promo}
    assert found(roles=frozenset({Role.AGENT, Role.MODERATOR})) == {w.bob, w.annabel}
    assert found("ann") == {w.ann, w.annabel}  # name, any case
    assert found(" RAY ") == {w.bob}
    assert found("7946") == {w.ann}  # phone
    assert found("example.org") == {w.annabel}  # e-mail
    assert found("ann", frozenset({Role.USER})) == {w.ann}
    # LIKE's wildcards are literal characters.
    assert found("50%") == {w.promo}
    assert found("%") == {w.promo}
    assert found("_") == {w.promo}
    assert found("n%l") == set()
    assert found("a\\") == set()


def test_people_search_uses_the_trigram_indexes(
    session: Session, people_world: PeopleWorld, statements: list[Sent]
) -> None:
    session.execute(
        text(
            "INSERT INTO users (name, email, password_hash, phone) "
            "SELECT 'Guest ' || g, 'guest' || g || '@example.net', '!', '0700 ' || g "
            "FROM generate_series(1, 3000) AS g"
        )
    )
    session.execute(text("ANALYZE users"))
    only_bitmap_scans(session)
    statements.clear()
    f = PersonFilter(text="annabel")
    assert people_ids(session, f) == {people_world.annabel}
    for sent in (last_sent(statements, "ORDER BY"), last_sent(statements, "count(")):
        plan = explain(session, sent)
        for column in ("name", "email", "phone"):
            assert f"idx_users_{column}_trgm" in plan


# --- filters: reviews and audit -------------------------------------------------------------


def test_reviews_filter_by_destination_rating_user_booking_and_comment(session: Session) -> None:
    ann, bob = users(session, ["Ann", "Bob"])
    lagoon, reef = destinations(session, ["Lagoon", "Reef"])
    stay = insert_rows(
        session,
        Booking,
        [
            {
                "user_id": ann,
                "destination_id": lagoon,
                "start_date": date(2026, 1, 1),
                "end_date": date(2026, 1, 8),
                "guests": 1,
                "total_price": Decimal("100.00"),
                "status": "completed",
            }
        ],
    )[0]
    r1, r2, r3 = insert_rows(
        session,
        Review,
        [
            {"user_id": ann, "destination_id": lagoon, "booking_id": stay, "rating": 5,
             "comment": "Worth 100% of it"},
            {"user_id": bob, "destination_id": lagoon, "rating": 2, "comment": "Too hot"},
            {"user_id": ann, "destination_id": reef, "rating": 4, "comment": None},
        ],
    )  # fmt: skip
    session.commit()
    repo = ReviewRepository(session)

    def found(**fields: Any) -> set[int]:
        f = ReviewFilter(**fields)
        ids = {r.id for r in repo.page(f, PageRequest(Sort("id"))).rows}
        assert repo.count(f) == RowCount(len(ids), exact=True)
        return ids

    assert found(destination_id=lagoon) == {r1, r2}
    assert found(user_id=ann) == {r1, r3}
    assert found(booking_id=stay) == {r1}
    assert found(ratings=frozenset({4, 5})) == {r1, r3}
    assert found(ratings=frozenset({3})) == set()
    assert found(text="HOT") == {r2}
    assert found(text="100%") == {r1}
    assert found(text="%") == {r1}
    assert found(text="h\x00ot") == {r2}
    assert found(destination_id=lagoon, ratings=frozenset({5, 2}), user_id=bob) == {r2}


def test_audit_filter_by_user_action_resource_and_time(session: Session) -> None:
    ada, mia = users(session, ["Ada", "Mia"], role="admin")

    def entry(who: int | None, action: str, kind: str, ident: int, at: datetime | None) -> int:
        row = {
            "user_id": who,
            "action": action,
            "resource_type": kind,
            "resource_id": ident,
            "created_at": at,
        }
        return insert_rows(session, AuditLog, [row])[0]

    a1 = entry(ada, "booking.create", "booking", 7, _at(1, 1))
    a2 = entry(mia, "booking.cancel", "booking", 7, _at(1, 2))
    a3 = entry(ada, "review.delete", "review", 9, _at(1, 3))
    a4 = entry(None, "auth.sign_in_failed", "user", 0, None)
    session.commit()
    repo = AuditRepository(session)

    def found(**fields: Any) -> set[int]:
        f = AuditFilter(**fields)
        ids = {a.id for a in repo.page(f, PageRequest(Sort("created_at", True))).rows}
        assert repo.count(f) == RowCount(len(ids), exact=True)
        return ids

    assert found() == {a1, a2, a3, a4}
    assert found(user_id=ada) == {a1, a3}
    assert found(action="booking.cancel") == {a2}
    assert found(resource_type="booking") == {a1, a2}
    assert found(resource_type="booking", resource_id=7, user_id=mia) == {a2}
    assert found(since=_at(1, 2)) == {a2, a3}  # inclusive
    assert found(until=_at(1, 2)) == {a1}  # exclusive
    assert found(since=_at(1, 1), until=_at(1, 3)) == {a1, a2}
    assert repo.page(AuditFilter(user_id=ada), PageRequest(Sort("id"))).rows[0].actor_name == "Ada"


# --- counts of filtered lists above the limit ------------------------------------------------


def test_filtered_counts_above_the_limit_are_estimates_for_every_kind_of_filter(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The estimate inlines the filter's values into EXPLAIN: every type must render safely."""
    seed_bookings(session)
    seed_reviews(session)
    seed_audit(session)
    session.execute(
        text("UPDATE users SET name = 'O''Brien \\ 50%' WHERE id IN (SELECT user_id FROM bookings)")
    )
    session.commit()
    session.execute(text("ANALYZE"))
    monkeypatch.setattr(keyset, "EXACT_COUNT_LIMIT", 2)
    bookings_filter = BookingFilter(
        text="o'brien \\ 50%",
        statuses=frozenset(BookingStatus),
        stay_from=date(2026, 1, 1),
        stay_to=date(2027, 1, 1),
        created_from=T0 - HOUR,
        created_to=T0 + 10 * HOUR,
    )
    booking_count = BookingRepository(session).count(bookings_filter)
    assert (booking_count.exact, booking_count.value >= 3) == (False, True)
    destination_count = DestinationRepository(session).count(
        DestinationFilter(text="lagoon", country="Maldives", price_min=Decimal("0.01"), active=True)
    )
    assert destination_count.exact is False
    review_count = ReviewRepository(session).count(ReviewFilter(ratings=frozenset({1, 5})))
    assert review_count.exact is False
    audit_count = AuditRepository(session).count(AuditFilter(resource_type="booking", since=T0))
    assert audit_count.exact is False
    people_count = PeopleRepository(session).count(PersonFilter(text="o'brien \\ 50%"))
    assert people_count.exact is False


# --- the keyset predicate's plan -----------------------------------------------------------


def test_a_deep_page_of_bookings_by_newest_walks_the_created_at_index(
    session: Session, statements: list[Sent]
) -> None:
    (customer,) = users(session, ["Anna"])
    (place,) = destinations(session, ["Lagoon"])
    session.execute(
        text(
            "INSERT INTO bookings (user_id, destination_id, start_date, end_date, guests, "
            "total_price, status, created_at) "
            "SELECT :customer, :place, date '2020-01-01' + g, date '2020-01-02' + g, 1, 10, "
            "'completed', timestamptz '2020-01-01 00:00Z' + (g / 3) * interval '1 minute' "
            "FROM generate_series(1, 20000) AS g"
        ),
        {"customer": customer, "place": place},
    )
    session.commit()
    session.execute(text("ANALYZE bookings"))
    repo = BookingRepository(session)
    newest_first = Sort("created_at", descending=True)
    first = repo.page(BookingFilter(), PageRequest(newest_first, limit=5000))
    assert first.next is not None
    statements.clear()
    deep = repo.page(BookingFilter(), PageRequest(newest_first, first.next, limit=50))
    assert len(deep.rows) == 50
    plan = explain(session, last_sent(statements, "created_at <="))
    assert "idx_bookings_created_at" in plan
    # At most an incremental sort of the rows that tie on created_at, never a full sort.
    assert not re.search(r"(?<!Incremental )Sort  \(", plan), plan
