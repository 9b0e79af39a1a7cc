"""Destinations through the service: validation, list editing, versions, removal, permissions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from desktop.bootstrap import BackOffice
from desktop.db.models import Destination, User
from desktop.domain.enums import BookingStatus, Role
from desktop.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desktop.domain.listing import AuditFilter, DestinationFilter, PageRequest, RowCount, Sort
from desktop.domain.permissions import Actor
from desktop.domain.records import AuditRow
from desktop.services.destinations import Removal
from tests.factories import make_booking, make_review, make_user
from tests.services.conftest import destination_draft

MAY = date(2027, 5, 1)
VILLA = "https://images.example/villa.jpg"
REEF = "https://images.example/reef.jpg"
BEACH = "http://images.example/beach.jpg"


def stored(engine: Engine, destination_id: int) -> dict[str, Any] | None:
    """The destination's row as the database holds it (``xmin`` included)."""
    with engine.connect() as conn:
        row = (
            conn.execute(
                text("SELECT *, xmin::text AS xmin FROM destinations WHERE id = :id"),
                {"id": destination_id},
            )
            .mappings()
            .first()
        )
    return dict(row) if row is not None else None


def destination_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM destinations")).scalar_one())


def audit_of(office: BackOffice, admin: Actor, destination_id: int) -> list[AuditRow]:
    f = AuditFilter(resource_type="destination", resource_id=destination_id)
    return list(office.audit.page(admin, f, PageRequest(Sort("id"))).rows)


def book(
    engine: Engine,
    destination_id: int,
    start: date,
    nights: int,
    status: BookingStatus = BookingStatus.PENDING,
) -> int:
    """A booking straight into the database (the booking rules are tested elsewhere)."""
    with Session(engine) as session:
        destination = session.get(Destination, destination_id)
        booking = make_booking(
            session, destination=destination, start=start, nights=nights, status=status.value
        )
        session.commit()
        return booking.id


# -- create ---------------------------------------------------------------------------------


def test_create_trims_the_draft_and_cleans_the_lists(office: BackOffice, admin: Actor) -> None:
    draft = destination_draft(
        name="  Lagoon Villas ",
        country=" Maldives",
        price="1200.5",
        images=(f" {VILLA} ", REEF, VILLA, "", "   "),
        features=("spa", " spa ", "snorkelling", ""),
    )
    created = office.destinations.create(admin, draft)
    assert created.name == "Lagoon Villas"
    assert created.country == "Maldives"
    assert created.price == Decimal("1200.50")
    assert created.images == (VILLA, REEF)
    assert created.features == ("spa", "snorkelling")
    assert (created.rating, created.review_count, created.active) == (Decimal("0"), 0, True)
    assert office.destinations.get(admin, created.id) == created
    row = stored(office.engine, created.id)
    assert row is not None
    assert (row["images"], row["features"]) == ([VILLA, REEF], ["spa", "snorkelling"])
    (entry,) = audit_of(office, admin, created.id)
    assert entry.action == "destination.create"
    assert entry.new_values is not None
    assert entry.new_values["images"] == [VILLA, REEF]
    assert entry.new_values["price"] == "1200.50"


def test_a_300_character_name_is_refused_with_a_message(office: BackOffice, admin: Actor) -> None:
    with pytest.raises(ValidationError) as refused:
        office.destinations.create(admin, destination_draft(name="N" * 300))
    assert refused.value.fields == {
        "name": "Name is 300 characters long; at most 255 fit. Shorten it."
    }
    assert destination_count(office.engine) == 0


LIMIT_CASES = [
    ({"name": "   "}, "name", "Name is required."),
    ({"name": "N" * 256}, "name", "at most 255 fit"),
    ({"description": "D" * 10_001}, "description", "at most 10000 fit"),
    ({"country": "C" * 101}, "country", "at most 100 fit"),
    ({"city": "C" * 101}, "city", "at most 100 fit"),
    ({"price": "twelve"}, "price", "must be an amount"),
    ({"price": "0"}, "price", "must be more than 0"),
    ({"price": "-5"}, "price", "must be more than 0"),
    ({"price": "12.345"}, "price", "at most two decimals"),
    ({"price": "100000000.00"}, "price", "at most 99,999,999.99"),
    ({"price": "NaN"}, "price", "must be more than 0"),
    ({"duration": 0}, "duration", "at least 1"),
    ({"duration": 366}, "duration", "at most 365 days"),
    ({"max_guests": 0}, "max_guests", "at least 1"),
    ({"max_guests": 1001}, "max_guests", "at most 1000"),
    ({"max_guests": 2**31}, "max_guests", "too large"),
    ({"images": ("https://example.com/" + "x" * 2029,)}, "images", "2049 characters long"),
    ({"images": ("villa.jpg",)}, "images", "neither a picture stored in the database"),
    ({"features": tuple(f"feature {n}" for n in range(51))}, "features", "at most 50"),
    ({"name": "Lagoon\x00Villas"}, "name", "NUL"),
]


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [pytest.param(*case, id=f"{case[1]}: {case[2]}") for case in LIMIT_CASES],
)
def test_values_the_columns_cannot_hold_are_refused_with_a_message(
    office: BackOffice, admin: Actor, overrides: dict[str, Any], field: str, says: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        office.destinations.create(admin, destination_draft(**overrides))
    assert set(refused.value.fields) == {field}
    assert says in refused.value.fields[field]
    assert destination_count(office.engine) == 0


def test_every_problem_is_reported_at_once(office: BackOffice, admin: Actor) -> None:
    draft = destination_draft(name="", country="C" * 101, price="abc", duration=0)
    with pytest.raises(ValidationError) as refused:
        office.destinations.create(admin, draft)
    assert set(refused.value.fields) == {"name", "country", "price", "duration"}


# -- update ---------------------------------------------------------------------------------


def test_update_edits_the_lists_and_audits_only_what_changed(
    office: BackOffice, admin: Actor
) -> None:
    created = office.destinations.create(admin, destination_draft(images=(VILLA,)))
    draft = destination_draft(
        images=(f"{REEF} ", f" {VILLA}", REEF, BEACH),
        features=("spa", "", "diving", "spa"),
    )
    updated = office.destinations.update(admin, created.id, created.version, draft)
    assert updated.images == (REEF, VILLA, BEACH)
    assert updated.features == ("spa", "diving")
    assert updated.version != created.version
    assert updated.name == created.name
    entry = audit_of(office, admin, created.id)[-1]
    assert entry.action == "destination.update"
    assert entry.old_values == {"images": [VILLA], "features": ["snorkelling", "spa"]}
    assert entry.new_values == {
        "images": [REEF, VILLA, BEACH],
        "features": ["spa", "diving"],
    }

    emptied = office.destinations.update(
        admin, created.id, updated.version, destination_draft(images=(), features=("  ",))
    )
    assert (emptied.images, emptied.features) == ((), ())


def test_saving_an_unchanged_form_writes_nothing(office: BackOffice, admin: Actor) -> None:
    created = office.destinations.create(admin, destination_draft(price=Decimal("1200.00")))
    before = stored(office.engine, created.id)
    # The same values as the form shows them: 1200 is the stored 1200.00.
    same = office.destinations.update(
        admin, created.id, created.version, destination_draft(price="1200", name=" Lagoon Villas")
    )
    assert same == created
    assert stored(office.engine, created.id) == before
    assert [e.action for e in audit_of(office, admin, created.id)] == ["destination.create"]


def test_a_refused_save_leaves_the_row_as_it_was(office: BackOffice, admin: Actor) -> None:
    created = office.destinations.create(admin, destination_draft())
    before = stored(office.engine, created.id)
    with pytest.raises(ValidationError, match="at most 255 fit"):
        office.destinations.update(
            admin, created.id, created.version, destination_draft(name="N" * 300, city="Addu")
        )
    assert stored(office.engine, created.id) == before
    assert office.destinations.get(admin, created.id) == created


def test_a_save_over_someone_elses_change_is_a_conflict(office: BackOffice, admin: Actor) -> None:
    created = office.destinations.create(admin, destination_draft())
    # Two editors open the same destination; the first saves.
    first = office.destinations.update(
        admin, created.id, created.version, destination_draft(name="Lagoon Suites")
    )
    before = stored(office.engine, created.id)
    with pytest.raises(Conflict, match="Someone else changed this destination") as refused:
        office.destinations.update(
            admin, created.id, created.version, destination_draft(city="Addu")
        )
    assert refused.value.current is not None
    assert refused.value.current["name"] == "Lagoon Suites"
    assert refused.value.current["version"] == first.version
    assert stored(office.engine, created.id) == before
    # Having seen the change, the second editor saves on top of it.
    second = office.destinations.update(
        admin, created.id, first.version, destination_draft(name="Lagoon Suites", city="Addu")
    )
    assert (second.name, second.city) == ("Lagoon Suites", "Addu")


def test_a_review_recorded_meanwhile_does_not_make_an_open_editor_conflict(
    office: BackOffice, admin: Actor
) -> None:
    """The rating trigger rewrites the row, but nothing the editor shows has changed."""
    created = office.destinations.create(admin, destination_draft())
    with Session(office.engine) as session:
        destination = session.get(Destination, created.id)
        assert destination is not None
        make_review(session, destination=destination, rating=4)
        session.commit()
    rated = office.destinations.get(admin, created.id)
    assert (rated.rating, rated.review_count) == (Decimal("4.00"), 1)
    updated = office.destinations.update(
        admin, created.id, created.version, destination_draft(city="Addu")
    )
    assert (updated.city, updated.rating, updated.review_count) == ("Addu", Decimal("4.00"), 1)


def test_updating_a_deleted_destination_says_it_is_gone(office: BackOffice, admin: Actor) -> None:
    created = office.destinations.create(admin, destination_draft())
    assert office.destinations.remove(admin, created.id, created.version) is Removal.DELETED
    with pytest.raises(NotFound, match="does not exist any more"):
        office.destinations.update(admin, created.id, created.version, destination_draft())


def test_set_active_switches_and_audits_only_a_change(office: BackOffice, admin: Actor) -> None:
    created = office.destinations.create(admin, destination_draft())
    inactive = office.destinations.set_active(admin, created.id, created.version, False)
    assert inactive.active is False
    again = office.destinations.set_active(admin, created.id, inactive.version, False)
    assert again == inactive
    active = office.destinations.set_active(admin, created.id, inactive.version, True)
    assert active.active is True
    assert [e.action for e in audit_of(office, admin, created.id)] == [
        "destination.create",
        "destination.deactivate",
        "destination.activate",
    ]
    # A version names what the editor shows: the inactive one is stale now.
    with pytest.raises(Conflict):
        office.destinations.set_active(admin, created.id, inactive.version, False)
    assert office.destinations.get(admin, created.id).active is True


# -- remove ---------------------------------------------------------------------------------


def test_a_destination_nobody_booked_is_deleted(office: BackOffice, admin: Actor) -> None:
    created = office.destinations.create(admin, destination_draft())
    assert office.destinations.remove(admin, created.id, created.version) is Removal.DELETED
    assert stored(office.engine, created.id) is None
    with pytest.raises(NotFound):
        office.destinations.get(admin, created.id)
    entry = audit_of(office, admin, created.id)[-1]
    assert entry.action == "destination.delete"
    assert entry.old_values is not None
    assert entry.old_values["name"] == "Lagoon Villas"


@pytest.mark.parametrize("status", list(BookingStatus))
def test_a_destination_with_bookings_is_deactivated_not_deleted(
    office: BackOffice, admin: Actor, status: BookingStatus
) -> None:
    created = office.destinations.create(admin, destination_draft())
    booking_id = book(office.engine, created.id, MAY, 7, status)
    assert office.destinations.remove(admin, created.id, created.version) is Removal.DEACTIVATED
    row = stored(office.engine, created.id)
    assert row is not None
    assert row["active"] is False
    with office.engine.connect() as conn:
        still_booked = conn.execute(
            text("SELECT destination_id FROM bookings WHERE id = :id"), {"id": booking_id}
        ).scalar_one()
    assert still_booked == created.id
    assert audit_of(office, admin, created.id)[-1].action == "destination.deactivate"
    # Removing it again (already inactive) deactivates nothing more and deletes nothing.
    current = office.destinations.get(admin, created.id)
    assert office.destinations.remove(admin, created.id, current.version) is Removal.DEACTIVATED
    assert stored(office.engine, created.id) is not None


def test_removing_a_booked_destination_that_is_closed_already_records_nothing(
    office: BackOffice, admin: Actor
) -> None:
    created = office.destinations.create(admin, destination_draft())
    book(office.engine, created.id, MAY, 7)
    closed = office.destinations.set_active(admin, created.id, created.version, False)
    trail = audit_of(office, admin, created.id)
    row = stored(office.engine, created.id)

    assert office.destinations.remove(admin, created.id, closed.version) is Removal.DEACTIVATED

    assert audit_of(office, admin, created.id) == trail  # no "active False -> False" entry
    assert stored(office.engine, created.id) == row  # not even rewritten (same xmin)


def test_removing_with_a_stale_version_is_a_conflict_and_keeps_the_row(
    office: BackOffice, admin: Actor
) -> None:
    created = office.destinations.create(admin, destination_draft())
    office.destinations.update(admin, created.id, created.version, destination_draft(city="Addu"))
    with pytest.raises(Conflict):
        office.destinations.remove(admin, created.id, created.version)
    assert stored(office.engine, created.id) is not None


# -- permissions ----------------------------------------------------------------------------


def test_counter_agents_see_destinations_but_cannot_manage_them(
    office: BackOffice, admin: Actor, agent: Actor
) -> None:
    created = office.destinations.create(admin, destination_draft())
    before = stored(office.engine, created.id)
    attempts = {
        "create": lambda: office.destinations.create(agent, destination_draft(name="Other")),
        "update": lambda: office.destinations.update(
            agent, created.id, created.version, destination_draft(city="Addu")
        ),
        "set_active": lambda: office.destinations.set_active(
            agent, created.id, created.version, False
        ),
        "remove": lambda: office.destinations.remove(agent, created.id, created.version),
    }
    for name, attempt in attempts.items():
        with pytest.raises(PermissionDenied, match="Counter agents may not manage destinations"):
            attempt()
        assert stored(office.engine, created.id) == before, name
    assert destination_count(office.engine) == 1
    assert office.destinations.get(agent, created.id) == created
    assert office.destinations.countries(agent) == ["Maldives"]
    assert office.destinations.taken_dates(agent, created.id, MAY, date(2027, 6, 1)) == []


def test_moderators_manage_destinations(office: BackOffice, admin: Actor, moderator: Actor) -> None:
    created = office.destinations.create(moderator, destination_draft())
    updated = office.destinations.update(
        moderator, created.id, created.version, destination_draft(city="Addu")
    )
    assert office.destinations.remove(moderator, created.id, updated.version) is Removal.DELETED


def test_customers_are_records_not_users_of_the_catalogue(office: BackOffice) -> None:
    with Session(office.engine) as session:
        customer: User = make_user(session)
        session.commit()
        actor = Actor(customer.id, customer.name, customer.email, Role.USER)
    with pytest.raises(PermissionDenied):
        office.destinations.page(actor, DestinationFilter(), PageRequest(Sort("name")))
    with pytest.raises(PermissionDenied):
        office.destinations.taken_dates(actor, 1, MAY, date(2027, 6, 1))


# -- the availability hint and the list -----------------------------------------------------


def test_taken_dates_are_the_active_bookings_overlapping_the_range(
    office: BackOffice, admin: Actor, agent: Actor
) -> None:
    lagoon = office.destinations.create(admin, destination_draft())
    other = office.destinations.create(admin, destination_draft(name="Reef Camp"))
    pending = book(office.engine, lagoon.id, MAY, 7)  # 1-8 May
    confirmed = book(office.engine, lagoon.id, date(2027, 5, 8), 4, BookingStatus.CONFIRMED)
    book(office.engine, lagoon.id, date(2027, 5, 3), 3, BookingStatus.CANCELLED)
    book(office.engine, lagoon.id, date(2027, 5, 20), 3, BookingStatus.COMPLETED)
    book(office.engine, other.id, date(2027, 5, 8), 4)

    def taken(start: date, end: date) -> list[tuple[int, date, date, BookingStatus]]:
        return [
            (t.booking_id, t.start_date, t.end_date, t.status)
            for t in office.destinations.taken_dates(agent, lagoon.id, start, end)
        ]

    assert taken(MAY, date(2027, 6, 1)) == [
        (pending, MAY, date(2027, 5, 8), BookingStatus.PENDING),
        (confirmed, date(2027, 5, 8), date(2027, 5, 12), BookingStatus.CONFIRMED),
    ]
    # Half-open stays: a stay ending on the 8th leaves the 8th free.
    assert [t[0] for t in taken(date(2027, 5, 8), date(2027, 5, 9))] == [confirmed]
    assert [t[0] for t in taken(date(2027, 4, 20), MAY)] == []
    assert [t[0] for t in taken(date(2027, 5, 12), date(2027, 5, 25))] == []
    with pytest.raises(ValidationError) as refused:
        office.destinations.taken_dates(agent, lagoon.id, MAY, MAY)
    assert set(refused.value.fields) == {"end_date"}


def test_the_list_filters_sorts_and_counts_through_the_service(
    office: BackOffice, admin: Actor, agent: Actor
) -> None:
    office.destinations.create(admin, destination_draft(name="Lagoon Villas"))
    reef = office.destinations.create(
        admin,
        destination_draft(
            name="Reef Diving Camp",
            description="Dive the barrier reef.",
            country="Belize",
            price="950.50",
        ),
    )
    office.destinations.create(admin, destination_draft(name="Atoll Retreat", active=False))
    by_price = office.destinations.page(
        agent, DestinationFilter(active=True), PageRequest(Sort("price"))
    )
    assert [d.name for d in by_price.rows] == ["Reef Diving Camp", "Lagoon Villas"]
    searched = office.destinations.page(
        agent, DestinationFilter(text="diving"), PageRequest(Sort("name"))
    )
    assert [d.id for d in searched.rows] == [reef.id]
    assert office.destinations.count(agent, DestinationFilter()) == RowCount(3, exact=True)
    assert office.destinations.count(agent, DestinationFilter(country="Belize")) == RowCount(
        1, exact=True
    )
    assert office.destinations.countries(agent) == ["Belize", "Maldives"]
