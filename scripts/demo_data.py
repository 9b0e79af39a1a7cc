"""A small, believable data set for screenshots, trials and training, made through the services.

Everything goes through the use cases (so the audit trail fills as it would at a counter).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from desktop.bootstrap import BackOffice
from desktop.domain.enums import PaymentStatus, Role
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking
from desktop.services.destinations import DestinationDraft
from desktop.services.people import PersonDetails
from desktop.services.reviews import NewReview

DESTINATIONS = [
    (
        "Lagoon Villas",
        "Maldives",
        "Malé",
        "1850.00",
        7,
        4,
        "Overwater villas on a quiet lagoon with a house reef and sunset dolphin cruises.",
        ("snorkelling", "spa", "all inclusive"),
    ),
    (
        "Jungle Canopy Lodge",
        "Costa Rica",
        "Monteverde",
        "1240.00",
        6,
        6,
        "Treehouse suites in the cloud forest, night walks and hanging bridges.",
        ("guided hikes", "birdwatching"),
    ),
    (
        "Desert Star Camp",
        "Morocco",
        "Merzouga",
        "980.00",
        4,
        8,
        "Berber tents among the Erg Chebbi dunes, camel treks and a sky full of stars.",
        ("camel trek", "stargazing", "half board"),
    ),
    (
        "Fjord Light Cabins",
        "Norway",
        "Tromsø",
        "2100.00",
        5,
        4,
        "Glass-roofed cabins for the northern lights, husky sledding and fjord cruises.",
        ("northern lights", "husky sledding"),
    ),
    (
        "Spice Island Retreat",
        "Tanzania",
        "Zanzibar",
        "1320.00",
        8,
        6,
        "Beach bungalows near Stone Town with spice farm tours and dhow sailing.",
        ("beach", "spice tour", "diving"),
    ),
    (
        "Temple Rice Terraces",
        "Indonesia",
        "Ubud",
        "890.00",
        7,
        5,
        "A family-run retreat among rice terraces, temples and yoga at dawn.",
        ("yoga", "cooking class"),
    ),
    (
        "Patagonia Glacier Estancia",
        "Argentina",
        "El Calafate",
        "2450.00",
        9,
        4,
        "An estancia near the Perito Moreno glacier with trekking and asados.",
        ("glacier trek", "horse riding"),
    ),
    (
        "Coral Atoll Eco Resort",
        "French Polynesia",
        "Rangiroa",
        "3100.00",
        7,
        2,
        "Solar-powered bungalows on a coral atoll, drift dives with sharks and rays.",
        ("diving", "eco lodge"),
    ),
]

FIRST = [
    "Ann",
    "Bob",
    "Chloé",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemal",
    "Lucía",
    "Maya",
    "Noah",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
]
LAST = [
    "Lee",
    "Ray",
    "Martin",
    "Patel",
    "Rossi",
    "Haddad",
    "Okafor",
    "Tanaka",
    "Silva",
    "Berg",
    "Yilmaz",
    "García",
    "Cohen",
    "Novak",
    "Ivanova",
    "Costa",
    "Byrne",
    "Moreau",
]


class MovableClock:
    """A workstation clock for the demo office (the services decide by the server's clock)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Demo:
    admin: Actor
    agent: Actor
    moderator: Actor


REVIEW_TEXTS = [
    (5, "Magical. The staff remembered our names from day one."),
    (4, "Beautiful place; the transfer was a little late."),
    (5, "Best trip of our lives, already planning the next one."),
    (3, "Lovely setting but the rooms need some care."),
    (4, "Great guides and food. Bring insect repellent!"),
]
PASSWORD = "demo password 2027"


def seed(
    office: BackOffice, clock: MovableClock, *, customers: int = 40, seed_value: int = 7
) -> Demo:
    """Staff, destinations, customers, bookings in every state, payments and reviews.

    The services take "today" from the database server, so past stays are
    booked ahead, then moved six weeks back in the database (the one step below
    the services), then completed and reviewed today. ``clock`` is kept for
    callers; no rule reads it.
    """
    rng = random.Random(seed_value)
    with office.engine.connect() as conn:
        today: date = conn.execute(text("SELECT current_date")).scalar_one()
    admin = office.auth.create_first_admin("Amira Haddad", "amira@exotic.example", PASSWORD)
    agent_row = office.staff.create(
        admin, PersonDetails("Carlos Mendes", "carlos@exotic.example"), Role.AGENT, PASSWORD
    )
    moderator_row = office.staff.create(
        admin, PersonDetails("Priya Nair", "priya@exotic.example"), Role.MODERATOR, PASSWORD
    )
    agent = Actor(agent_row.id, agent_row.name, agent_row.email, agent_row.role)
    moderator = Actor(moderator_row.id, moderator_row.name, moderator_row.email, moderator_row.role)

    destinations = [
        office.destinations.create(
            admin,
            DestinationDraft(
                name,
                description,
                country,
                city,
                Decimal(price),
                days,
                guests,
                images=(f"https://images.example/{name.lower().replace(' ', '-')}.jpg",),
                features=features,
            ),
        )
        for name, country, city, price, days, guests, description, features in DESTINATIONS
    ]
    clients = []
    for n in range(customers):
        first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
        phone = f"+44 20 7946 {1000 + n:04d}" if n % 3 else None
        email = f"{first}.{last}.{n}@mail.example".lower()
        clients.append(
            office.customers.create(agent, PersonDetails(f"{first} {last}", email, phone))
        )

    # Stays that ended recently: booked ahead, moved six weeks back, completed and reviewed.
    past_start = today + timedelta(days=2)
    finished = []
    for n, dest in enumerate(destinations[:6]):
        start = past_start + timedelta(days=n)
        booking = office.bookings.create(
            agent,
            NewBooking(clients[n].id, dest.id, start, start + timedelta(days=dest.duration), 2),
        )
        booking = office.bookings.confirm(agent, booking.id, booking.version)
        booking = office.bookings.record_payment(
            agent, booking.id, booking.version, PaymentStatus.PAID, f"pi_demo_past_{n:02d}"
        )
        finished.append(booking)
    with office.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE bookings SET start_date = start_date - 46, end_date = end_date - 46 "
                "WHERE id = ANY(:ids)"
            ),
            {"ids": [b.id for b in finished]},
        )
    for n, booking in enumerate(finished):
        ended = office.bookings.get(agent, booking.id)
        done = office.bookings.complete(agent, ended.id, ended.version)
        rating, comment = REVIEW_TEXTS[n % len(REVIEW_TEXTS)]
        review = office.reviews.create(agent, NewReview(done.customer_id, done.id, rating, comment))
        for voter in (agent, moderator, admin)[: n % 4]:  # one vote per staff member
            office.reviews.mark_helpful(voter, review.id)

    # Upcoming stays: pending and confirmed, some paid, a few cancelled and refunded.
    next_free = {d.id: today + timedelta(days=3 + i) for i, d in enumerate(destinations)}
    for n in range(60):
        dest = destinations[n % len(destinations)]
        start = next_free[dest.id] + timedelta(days=rng.randint(0, 6))
        end = start + timedelta(days=dest.duration)
        next_free[dest.id] = end
        customer = clients[rng.randrange(len(clients))]
        booking = office.bookings.create(
            agent,
            NewBooking(
                customer.id,
                dest.id,
                start,
                end,
                rng.randint(1, dest.max_guests),
                "Vegetarian meals, please" if n % 9 == 0 else None,
            ),
        )
        roll = n % 6
        if roll in (1, 2, 3):
            booking = office.bookings.confirm(agent, booking.id, booking.version)
        if roll in (2, 3):
            booking = office.bookings.record_payment(
                agent, booking.id, booking.version, PaymentStatus.PAID, f"pi_demo_{n:04d}"
            )
        if roll == 3 and n % 4 == 0:
            booking = office.bookings.cancel(
                agent, booking.id, booking.version, "The customer's flight was cancelled."
            )
            office.bookings.record_payment(
                agent, booking.id, booking.version, PaymentStatus.REFUNDED, f"re_demo_{n:04d}"
            )
        if roll == 5:
            office.bookings.record_payment(
                agent, booking.id, booking.version, PaymentStatus.FAILED, None
            )
    return Demo(admin, agent, moderator)
