"""Destinations: the catalogue counter staff sell from.

A destination's ``images`` may gain only references to pictures stored in the
database and web addresses (``desktop.domain.images``); a new reference must name
a picture that is stored. What the row holds already is kept as it is, whatever
it is: other clients' entries, and file paths saved by older versions.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from desktop.db.uow import UnitOfWork
from desktop.domain.errors import ValidationError
from desktop.domain.images import ENTRIES_FIELD, picture_entries, quoted, reference_digest
from desktop.domain.listing import (
    DestinationFilter,
    Page,
    PageRequest,
    RowCount,
    check_destination_filter,
)
from desktop.domain.permissions import Actor, Permission
from desktop.domain.records import DestinationRow, TakenDates, record_values
from desktop.domain.validation import (
    CITY_MAX,
    COUNTRY_MAX,
    NAME_MAX,
    TEXT_MAX,
    Problems,
    clean_count,
    clean_list,
    clean_money,
    clean_text,
)
from desktop.services.context import Service, changed_fields

MAX_DURATION_DAYS = 365
CENTS = Decimal("0.01")
MAX_GUESTS = 1000


@dataclass(frozen=True)
class DestinationDraft:
    """Everything the destination editor edits."""

    name: str
    description: str
    country: str
    city: str
    price: Decimal | str
    duration: int
    max_guests: int
    images: tuple[str, ...] = field(default_factory=tuple)
    features: tuple[str, ...] = field(default_factory=tuple)
    active: bool = True


class Removal(StrEnum):
    DELETED = "deleted"
    DEACTIVATED = "deactivated"  # it has bookings: kept for their sake, no longer bookable


def _clean(draft: DestinationDraft, *, stored_images: Collection[str] | None) -> dict[str, Any]:
    """The draft as the row stores it, or every problem at once (``ValidationError``).

    ``stored_images`` are what the row holds now: among the images only new entries
    are judged. None: the row is not read yet, and the images are left for later.
    """
    problems = Problems()
    images: list[str] | None = None
    if stored_images is not None:
        images = picture_entries(problems, draft.images, stored=stored_images)
    values: dict[str, Any] = {
        "name": clean_text(problems, "name", draft.name, max_length=NAME_MAX, label="Name"),
        "description": clean_text(
            problems, "description", draft.description, max_length=TEXT_MAX, label="Description"
        ),
        "country": clean_text(
            problems, "country", draft.country, max_length=COUNTRY_MAX, label="Country"
        ),
        "city": clean_text(problems, "city", draft.city, max_length=CITY_MAX, label="City"),
        "price": clean_money(problems, "price", draft.price, label="Price per person"),
        "duration": clean_count(problems, "duration", draft.duration, label="Duration (days)"),
        "max_guests": clean_count(problems, "max_guests", draft.max_guests, label="Maximum guests"),
        "images": images,
        "features": clean_list(problems, "features", draft.features, label="Features"),
        "active": bool(draft.active),
    }
    if values["price"] is not None:
        # As the column stores it (1200 is 1200.00), so saving an unchanged form changes nothing.
        values["price"] = values["price"].quantize(CENTS)
    if values["duration"] is not None and values["duration"] > MAX_DURATION_DAYS:
        problems.add("duration", f"Duration can be at most {MAX_DURATION_DAYS} days.")
    if values["max_guests"] is not None and values["max_guests"] > MAX_GUESTS:
        problems.add("max_guests", f"Maximum guests can be at most {MAX_GUESTS}.")
    problems.raise_if_any()
    return values


def _require_stored_pictures(
    uow: UnitOfWork, images: list[str], *, stored_images: Collection[str] = ()
) -> None:
    """New references must name pictures in the database (kept there until commit)."""
    known = {entry.strip() for entry in stored_images}
    wanted = {
        entry: digest
        for entry in images
        if entry not in known and (digest := reference_digest(entry)) is not None
    }
    found = uow.images.keep_stored(set(wanted.values()))
    missing = [entry for entry, digest in wanted.items() if digest not in found]
    if missing:
        raise ValidationError(
            {
                ENTRIES_FIELD: f"Images: {quoted(missing[0])} names a picture that is not "
                "stored in the database (it may have been stored in another database, or "
                "never). Add the picture from its file again, or remove the entry."
            }
        )


class DestinationService(Service):
    def page(
        self, actor: Actor, f: DestinationFilter, request: PageRequest
    ) -> Page[DestinationRow]:
        actor.require(Permission.VIEW_DESTINATIONS)
        check_destination_filter(f)
        with self.ctx.reading() as uow:
            return uow.destinations.page(f, request)

    def count(self, actor: Actor, f: DestinationFilter) -> RowCount:
        actor.require(Permission.VIEW_DESTINATIONS)
        check_destination_filter(f)
        with self.ctx.reading() as uow:
            return uow.destinations.count(f)

    def get(self, actor: Actor, destination_id: int) -> DestinationRow:
        actor.require(Permission.VIEW_DESTINATIONS)
        with self.ctx.reading() as uow:
            return uow.destinations.get(destination_id)

    def countries(self, actor: Actor) -> list[str]:
        actor.require(Permission.VIEW_DESTINATIONS)
        with self.ctx.reading() as uow:
            return uow.destinations.countries()

    def taken_dates(
        self, actor: Actor, destination_id: int, start: date, end: date
    ) -> list[TakenDates]:
        """Active bookings in [start, end): the counter's availability hint."""
        actor.require(Permission.VIEW_BOOKINGS)
        if end <= start:
            raise ValidationError({"end_date": "must be after the start date."})
        with self.ctx.reading() as uow:
            return uow.destinations.taken_dates(destination_id, start, end)

    def create(self, actor: Actor, draft: DestinationDraft) -> DestinationRow:
        actor.require(Permission.MANAGE_DESTINATIONS)
        values = _clean(draft, stored_images=())
        with self.ctx.units_of_work() as uow:
            _require_stored_pictures(uow, values["images"])
            destination = uow.destinations.add(values)
            self.ctx.record(
                uow, actor, "destination.create", "destination", destination.id, new=values
            )
            uow.commit()
            return destination

    def update(
        self, actor: Actor, destination_id: int, version: str, draft: DestinationDraft
    ) -> DestinationRow:
        actor.require(Permission.MANAGE_DESTINATIONS)
        _clean(draft, stored_images=None)  # every field but the images, before the row is read
        with self.ctx.units_of_work() as uow:
            current = uow.destinations.lock_versioned(destination_id, version)
            # The images as the row holds them now: entries it has are not judged again.
            values = _clean(draft, stored_images=current.images)
            _require_stored_pictures(uow, values["images"], stored_images=current.images)
            old, new = changed_fields(record_values(current), values)
            if new:
                uow.destinations.update_versioned(destination_id, current.version, new)
                self.ctx.record(
                    uow,
                    actor,
                    "destination.update",
                    "destination",
                    destination_id,
                    old=old,
                    new=new,
                )
            destination = uow.destinations.get(destination_id)
            uow.commit()
            return destination

    def set_active(
        self, actor: Actor, destination_id: int, version: str, active: bool
    ) -> DestinationRow:
        actor.require(Permission.MANAGE_DESTINATIONS)
        with self.ctx.units_of_work() as uow:
            current = uow.destinations.lock_versioned(destination_id, version)
            if current.active != active:
                changes = {"active": active}
                uow.destinations.update_versioned(destination_id, current.version, changes)
                self.ctx.record(
                    uow,
                    actor,
                    "destination.activate" if active else "destination.deactivate",
                    "destination",
                    destination_id,
                    old={"active": current.active},
                    new={"active": active},
                )
            destination = uow.destinations.get(destination_id)
            uow.commit()
            return destination

    def remove(self, actor: Actor, destination_id: int, version: str) -> Removal:
        """Delete a destination nobody booked; deactivate one with bookings.

        Removing a booked destination that is closed already changes nothing and
        records nothing.
        """
        actor.require(Permission.MANAGE_DESTINATIONS)
        with self.ctx.units_of_work() as uow:
            current = uow.destinations.lock_versioned(destination_id, version)
            if uow.destinations.has_bookings(destination_id):
                if current.active:
                    uow.destinations.update_versioned(
                        destination_id, current.version, {"active": False}
                    )
                    self.ctx.record(
                        uow,
                        actor,
                        "destination.deactivate",
                        "destination",
                        destination_id,
                        old={"active": True},
                        new={"active": False},
                    )
                    uow.commit()
                return Removal.DEACTIVATED
            uow.destinations.delete(destination_id)
            old = {k: v for k, v in record_values(current).items() if k != "version"}
            self.ctx.record(
                uow, actor, "destination.delete", "destination", destination_id, old=old
            )
            uow.commit()
            return Removal.DELETED
