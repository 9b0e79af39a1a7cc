"""Services against a real database: a back office with a controllable clock and cheap hashing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from desktop.bootstrap import BackOffice, build
from desktop.domain.enums import Role
from desktop.domain.permissions import Actor
from desktop.services.context import AuditContext
from desktop.services.destinations import DestinationDraft
from desktop.services.passwords import HashParameters, Passwords
from desktop.services.people import PersonDetails

# Cheap Argon2id parameters keep the suite fast; the production ones are tested separately.
FAST_HASHING = HashParameters(time_cost=1, memory_cost_kib=1024, parallelism=1)
TEST_AUDIT = AuditContext(ip_address="10.20.30.40", user_agent="ExoticTravelBackOffice/test")
PASSWORD = "correct horse battery"


@dataclass
class FakeClock:
    """The workstation's clock, which tests move by hand."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def today(self) -> date:
        return self.now.astimezone().date()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def passwords() -> Passwords:
    return Passwords(FAST_HASHING)


@pytest.fixture
def office(engine: Engine, clock: FakeClock, passwords: Passwords) -> BackOffice:
    return build(engine, passwords=passwords, clock=clock, audit=TEST_AUDIT)


@pytest.fixture
def admin(office: BackOffice) -> Actor:
    return office.auth.create_first_admin("Ada Admin", "ada@office.example", PASSWORD)


def _staff(office: BackOffice, admin: Actor, role: Role, name: str, email: str) -> Actor:
    person = office.staff.create(admin, PersonDetails(name, email), role, PASSWORD)
    return Actor(id=person.id, name=person.name, email=person.email, role=person.role)


@pytest.fixture
def agent(office: BackOffice, admin: Actor) -> Actor:
    return _staff(office, admin, Role.AGENT, "Alex Agent", "alex@office.example")


@pytest.fixture
def moderator(office: BackOffice, admin: Actor) -> Actor:
    return _staff(office, admin, Role.MODERATOR, "Mia Moderator", "mia@office.example")


def destination_draft(**overrides: object) -> DestinationDraft:
    values: dict[str, object] = {
        "name": "Lagoon Villas",
        "description": "Overwater villas on a quiet lagoon with a house reef.",
        "country": "Maldives",
        "city": "Malé",
        "price": Decimal("1200.00"),
        "duration": 7,
        "max_guests": 4,
        "images": (),  # new entries must be stored pictures or web addresses
        "features": ("snorkelling", "spa"),
        "active": True,
    }
    values.update(overrides)
    return DestinationDraft(**values)  # type: ignore[arg-type]
