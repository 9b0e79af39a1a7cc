"""Fill a migrated, empty database with realistic data for the benchmarks, through COPY.

    python benchmarks/generate.py --database-url URL --bookings 1000000

By default the other tables scale with the bookings as 1,000,000 bookings :
100,000 customers : 5,000 destinations : 500,000 reviews (plus a handful of
staff accounts). The data are deterministic for a seed and a "today"
(``--seed``, ``--today``): the same arguments give the same rows.

The shape of the data, chosen so that the schema accepts every row as it stands:

* each destination's calendar, eight years back and one ahead of "today", is
  cut into equal slots and every booking stays inside its own slot, so no two
  bookings of a destination overlap and the exclusion constraint on active
  (pending, confirmed) bookings always holds;
* stays that ended before "today" are completed (or cancelled), stays to come
  are pending or confirmed (or cancelled), with matching payment statuses;
* booking ids follow ``created_at``, as they do in a real table;
* every review belongs to a completed booking of its customer and destination
  (so ``(user_id, destination_id, booking_id)`` is unique).

Nothing in the schema is switched off: constraints, foreign keys, the
exclusion constraint and the triggers all check every row. The one exception,
allowed for the benchmarks, is the design's rating trigger on reviews
(``trigger_update_destination_rating``): run once per review, it rewrites the
destination row 500,000 times, and each rewrite re-indexes its full-text
document (measured: 23 s for 50,000 reviews against 1.8 s without it, so
minutes for 500,000). Within the one transaction that loads the reviews, that trigger
alone is disabled for the COPY, ``destinations.rating`` and ``review_count``
are then recomputed in one UPDATE with the trigger's own formula, and the
trigger is enabled again before the commit, so no other session ever sees it
off. ``--rating-trigger`` keeps it on instead (slow; for comparison).

At the end the database is vacuumed and analysed, as autovacuum would have
left a table that has been in use for a while.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import itertools
import math
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
from sqlalchemy.engine import URL

from desktop.config import SettingsError
from desktop.db.location import parse_url
from desktop.services.passwords import UNUSABLE

DATA_TODAY = date(2026, 12, 1)  # "today" of the generated data, fixed so runs repeat
PAST_YEARS = 8
FUTURE_YEARS = 1
CHUNK_ROWS = 20_000
STAFF = (("admin", 1), ("moderator", 3), ("agent", 16))

# -- vocabulary ---------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """Words separated by spaces; an underscore joins the words of one name."""
    return tuple(word.replace("_", " ") for word in text.split())


FIRST_NAMES = _words(
    "Aaliyah Aarav Abebe Ada Adriana Ahmed Aiko Akira Alejandro Alessia Alexei Ali Alice Amara "
    "Amelia Ana Anders Andrea Ang Anita Anna Antoine Aroha Arjun Astrid Ayesha Beatriz Ben "
    "Bianca Bilal Bruno Camila Carlos Carmen Charlotte Chen Chiara Chidi Chloe Daniel Dario "
    "David Diego Dmitri Elena Elif Elijah Emeka Emil Emily Emma Erik Esther Fatima Felix "
    "Fernanda Finn Francesca Gabriel Giulia Grace Hana Hannah Hiroshi Ibrahim Ines Ingrid Isabel "
    "Ivan Jack James Jana Javier Jin Joanna Johan John Jonas Jose Joseph Julia Kai Kamala Karim "
    "Katarina Kenji Khalid Kofi Lars Laura Layla Leila Leon Liam Lin Lucas Lucia Luis Maja "
    "Malik Manon Marco Maria Mateo Matthew Maya Mei Mia Miguel Mohammed Nadia Naledi Nia Nikolai "
    "Noah Nora Olga Oliver Olivia Omar Oscar Pablo Paolo Pedro Priya Rafael Rahul Rania Ravi "
    "Rosa Ruth Sakura Samuel Sara Sebastian Sofia Sophie Soren Sun Tariq Thandiwe Theo Tomas "
    "Valentina Victor Wei William Yara Yasmin Yuki Yusuf Zainab Zara Zoe"
)
LAST_NAMES = _words(
    "Abara Adeyemi Ahmadi Alvarez Andersen Anderson Bakker Banerjee Becker Bennett Bianchi "
    "Brown Campbell Castro Chen Costa Cruz Dahl Da_Silva Dubois Edwards Eriksson Evans Fernandes "
    "Ferrari Fischer Fitzgerald Garcia Gomez Gonzalez Gupta Haddad Hansen Hernandez Hoffmann "
    "Horvat Hughes Ibrahim Ivanova Jensen Johansson Johnson Jones Kaur Khan Kim Kowalski Kruger "
    "Kumar Larsen Laurent Lee Lewis Li Lim Lopez Martin Martinez Mbeki Meyer Moreau Moreno "
    "Muller Murphy Nakamura Nguyen Nielsen Novak Nowak Ochieng Okafor Okonkwo Olsen Ortiz Park "
    "Patel Pereira Perez Petrov Popescu Quinn Ramirez Reddy Richter Rivera Roberts Rodriguez "
    "Romano Rossi Russo Sanchez Santos Sato Schmidt Schneider Shah Silva Singh Smith Sokolov "
    "Suzuki Tanaka Taylor Thomas Torres Tran Van_Dijk Virtanen Wagner Walker Wang Weber Wilson "
    "Wong Wright Yamamoto Yilmaz Young Zhang Zhou"
)
MAIL_DOMAINS = _words(
    "example.com example.net example.org mail.example travel.example post.example "
    "inbox.example webmail.example"
)
PHONE_PREFIXES = ("+1", "+44", "+49", "+33", "+39", "+34", "+31", "+46", "+61", "+81", "+65")

PLACES: dict[str, tuple[str, ...]] = {
    "Maldives": ("Male", "Maafushi", "Baa Atoll", "Addu City"),
    "Indonesia": ("Ubud", "Seminyak", "Labuan Bajo", "Gili Trawangan", "Yogyakarta"),
    "Thailand": ("Krabi", "Koh Samui", "Chiang Mai", "Phuket", "Koh Lanta"),
    "Vietnam": ("Hoi An", "Ha Long", "Da Lat", "Phu Quoc"),
    "Cambodia": ("Siem Reap", "Kampot"),
    "Philippines": ("El Nido", "Coron", "Siargao", "Bohol"),
    "Sri Lanka": ("Galle", "Ella", "Kandy", "Mirissa"),
    "India": ("Goa", "Udaipur", "Kerala", "Rishikesh", "Jaipur"),
    "Nepal": ("Pokhara", "Kathmandu", "Chitwan"),
    "Bhutan": ("Paro", "Punakha", "Thimphu"),
    "Japan": ("Kyoto", "Okinawa", "Hakone", "Niseko"),
    "Seychelles": ("Mahe", "Praslin", "La Digue"),
    "Mauritius": ("Grand Baie", "Le Morne", "Flic en Flac"),
    "Madagascar": ("Nosy Be", "Antananarivo", "Morondava"),
    "Tanzania": ("Zanzibar", "Arusha", "Serengeti", "Ngorongoro"),
    "Kenya": ("Masai Mara", "Lamu", "Diani Beach", "Amboseli"),
    "Botswana": ("Okavango Delta", "Chobe", "Maun"),
    "Namibia": ("Sossusvlei", "Etosha", "Swakopmund"),
    "South Africa": ("Cape Town", "Kruger", "Stellenbosch"),
    "Morocco": ("Marrakech", "Essaouira", "Chefchaouen", "Merzouga"),
    "Egypt": ("Luxor", "Aswan", "Dahab"),
    "Jordan": ("Petra", "Wadi Rum", "Aqaba"),
    "Oman": ("Muscat", "Musandam", "Salalah"),
    "Peru": ("Cusco", "Machu Picchu", "Iquitos", "Arequipa"),
    "Bolivia": ("Uyuni", "La Paz"),
    "Chile": ("Atacama", "Torres del Paine", "Easter Island"),
    "Argentina": ("Patagonia", "Mendoza", "Iguazu"),
    "Brazil": ("Fernando de Noronha", "Manaus", "Salvador", "Paraty"),
    "Ecuador": ("Galapagos", "Quito", "Banos"),
    "Costa Rica": ("Monteverde", "Tamarindo", "Arenal", "Tortuguero"),
    "Belize": ("Ambergris Caye", "Placencia"),
    "Mexico": ("Tulum", "Oaxaca", "Holbox", "San Cristobal"),
    "Cuba": ("Havana", "Trinidad", "Vinales"),
    "French Polynesia": ("Bora Bora", "Moorea", "Tahiti"),
    "Fiji": ("Nadi", "Taveuni", "Yasawa"),
    "Iceland": ("Reykjavik", "Vik", "Husavik"),
    "Norway": ("Tromso", "Lofoten", "Geiranger"),
    "Greenland": ("Ilulissat", "Nuuk"),
    "New Zealand": ("Queenstown", "Rotorua", "Milford Sound"),
    "Australia": ("Cairns", "Uluru", "Tasmania", "Kimberley"),
    "Mongolia": ("Gobi", "Ulaanbaatar", "Khuvsgul"),
}
ADJECTIVES = _words(
    "Hidden Golden Silent Wild Blue Emerald Coral Misty Sunset Sapphire Jade Crimson Ancient "
    "Secret Tranquil Majestic Lush Azure Velvet Amber Starlit Serene Royal Windswept Salt "
    "Moonlit Cedar Ivory Copper Painted"
)
NOUNS = _words(
    "Lagoon Reef Jungle Valley Dune Canyon Summit Glacier Island Cove Bay Forest River Savanna "
    "Oasis Volcano Cliff Harbour Garden Temple Fjord Delta Desert Mountain Cape Shore Terrace "
    "Highland Rainforest Atoll"
)
KINDS = _words(
    "Villas Lodge Retreat Camp Resort Eco_Lodge Safari_Camp Treehouses Bungalows Riad "
    "Homestay Cabins Suites Tented_Camp Hideaway Sanctuary Expedition Cruise Ranch"
)
STAY_PHRASES = (
    "Overwater villas on a quiet lagoon",
    "A small eco lodge deep in the rainforest",
    "Luxury tents on the edge of the savanna",
    "A family-run guesthouse among rice terraces",
    "Treehouses above a river valley",
    "A restored riad with a rooftop terrace",
    "Beach bungalows steps from the sea",
    "A mountain lodge with glacier views",
    "Desert camp under a sky full of stars",
    "A boutique hotel in the old town",
    "Cliffside suites above a turquoise bay",
    "A liveaboard boat among remote islands",
)
ACTIVITY_PHRASES = (
    "Snorkel and dive the house reef with resident turtles.",
    "Guided game drives at dawn and dusk to see lions, elephants and leopards.",
    "Trek to waterfalls and hidden temples with a local guide.",
    "Kayak through mangroves and paddle to sandbanks at low tide.",
    "Surf uncrowded breaks and take yoga classes at sunrise.",
    "Watch whales and dolphins from the deck.",
    "Hike volcano trails and bathe in hot springs.",
    "Cook with a local family and visit the night market.",
    "Ski fresh powder and watch the northern lights.",
    "Ride camels across the dunes to a Berber camp.",
    "Climb to ancient ruins above the clouds.",
    "Spot birds, sloths and monkeys on canopy walks.",
)
AMENITY_PHRASES = (
    "Private pool, spa treatments and a beach bar.",
    "All meals included, with wine from the region.",
    "Solar powered, plastic free and run with the village.",
    "Airport transfers by seaplane are included.",
    "Wifi in the lounge only, so you can switch off.",
    "Suitable for families; children's club and babysitting.",
    "Adults only, with a quiet library and a fire pit.",
    "Open-air bathrooms and outdoor showers.",
)
FEATURES = _words(
    "beach pool spa wifi breakfast all-inclusive diving snorkelling surfing yoga safari hiking "
    "kayaking fishing family-friendly adults-only airport-transfer private-chef gym "
    "wheelchair-accessible pet-friendly"
)
SPECIAL_REQUESTS = (
    "Vegetarian meals, please.",
    "Honeymoon: flowers in the room if possible.",
    "Late arrival, around midnight.",
    "Ground floor room; one guest uses a wheelchair.",
    "Gluten-free diet.",
    "Cot for a baby.",
    "Early check-in if available.",
    "Celebrating a birthday on the second night.",
    "Please arrange a transfer from the airport.",
    "Twin beds rather than a double.",
)
CANCELLATION_REASONS = (
    "Customer's travel plans changed.",
    "Flight cancelled by the airline.",
    "Illness in the family.",
    "Payment not received in time.",
    "Visa not granted.",
    "Duplicate booking.",
    "Customer found another offer.",
    "Destination closed for the season.",
)
REVIEW_OPENINGS = (
    "Absolutely stunning place",
    "Great value for money",
    "The staff made our stay",
    "Beautiful but remote",
    "A once in a lifetime trip",
    "Not what the photos promised",
    "Perfect for a honeymoon",
    "The food was outstanding",
    "Good, with a few rough edges",
    "We will come back",
)
REVIEW_DETAILS = (
    "the guides knew every bird by its call",
    "the room was spotless and the view unforgettable",
    "the transfer took longer than expected",
    "the snorkelling right off the beach was the highlight",
    "breakfast could have had more choice",
    "the wifi barely worked, which turned out to be a blessing",
    "our children loved the pool and the kids' club",
    "the sunset dinners on the sand were magical",
    "the bed was hard and the walls thin",
    "every request was handled with a smile",
)
RATING_WEIGHTS = (0.04, 0.06, 0.15, 0.33, 0.42)  # 1 to 5 stars


# -- sizes and connections ----------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    bookings: int
    customers: int
    destinations: int
    reviews: int

    @classmethod
    def scaled(
        cls,
        bookings: int,
        *,
        customers: int | None = None,
        destinations: int | None = None,
        reviews: int | None = None,
    ) -> Sizes:
        """The design's proportions, 1,000,000 : 100,000 : 5,000 : 500,000, unless given."""
        return cls(
            bookings=bookings,
            customers=customers if customers is not None else max(10, bookings // 10),
            destinations=destinations if destinations is not None else max(5, bookings // 200),
            reviews=reviews if reviews is not None else bookings // 2,
        )


def psycopg_url(raw: str) -> URL:
    """A SQLAlchemy URL for psycopg from the forms the application accepts."""
    try:
        return parse_url(raw, origin="--database-url")
    except SettingsError as exc:
        raise SystemExit(str(exc)) from None


def connect(url: URL, **kwargs: Any) -> psycopg.Connection[Any]:
    """A plain psycopg connection to the database a SQLAlchemy URL names."""
    _, params = url.get_dialect()().create_connect_args(url)
    params.update(kwargs)
    return psycopg.connect(**params)


# -- rows ---------------------------------------------------------------------

# Dates are handled as ordinals and times as seconds since 1970 (UTC): a million rows
# of date and datetime objects would cost more than the rest of the generation.
_EPOCH_DAY = date(1970, 1, 1).toordinal()
DAY_S = 86_400


@functools.cache
def _day(ordinal: int) -> str:
    """An ISO date from a day ordinal (memoised: a few thousand distinct days)."""
    return date.fromordinal(ordinal).isoformat()


def _ts(seconds: int) -> str:
    """A timestamptz in COPY's text form, from seconds since 1970 (UTC)."""
    day, rest = divmod(seconds, DAY_S)
    return f"{_day(day + _EPOCH_DAY)} {rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}+00"


def _day_seconds(ordinal: int) -> int:
    """Seconds since 1970 at midnight (UTC) of a day ordinal."""
    return (ordinal - _EPOCH_DAY) * DAY_S


def _n(value: str | None) -> str:
    r"""A nullable text in COPY's text format (``\N`` is NULL)."""
    return "\\N" if value is None else value


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _array(items: Sequence[str]) -> str:
    return "{" + ",".join('"' + item + '"' for item in items) + "}"


def _copy(cur: psycopg.Cursor[Any], table: str, columns: str, lines: Iterator[str]) -> int:
    """COPY text lines into the table's columns (named with spaces between); the row count."""
    count = 0
    with cur.copy(f"COPY {table} ({', '.join(columns.split())}) FROM STDIN") as copy:
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) == CHUNK_ROWS:
                copy.write("".join(chunk))
                count += len(chunk)
                chunk = []
        copy.write("".join(chunk))
        count += len(chunk)
    return count


@dataclass(frozen=True)
class DestinationFacts:
    """What the bookings need to know of a destination."""

    ident: int
    price_cents: int
    duration: int
    max_guests: int


class Generator:
    """The rows of every table, as COPY text lines, table by table in load order."""

    def __init__(self, sizes: Sizes, *, seed: int, today: date) -> None:
        self.sizes = sizes
        self.seed = seed
        self.today = today.toordinal()
        self.span_start = date(today.year - PAST_YEARS, today.month, 1).toordinal()
        self.span_end = date(today.year + FUTURE_YEARS, today.month, 1).toordinal()
        self.now_s = _day_seconds(self.today) + 10 * 3600
        self.first_customer_id = sum(n for _, n in STAFF) + 1
        self.destinations: list[DestinationFacts] = []
        # For the reviews: (booking id, customer id, destination id, end day) of completed stays.
        self.completed: list[tuple[int, int, int, int]] = []

    def rng(self, table: str) -> random.Random:
        """One random stream per table, so changing one table leaves the others as they were."""
        return random.Random(f"{self.seed}:{table}")

    # users ------------------------------------------------------------------

    USER_COLUMNS = "id name email password_hash phone role email_verified created_at updated_at"

    def user_rows(self) -> Iterator[str]:
        """Staff first, then customers; every account is unusable for signing in."""
        rng = self.rng("users")
        start_s = _day_seconds(self.span_start) - 2 * 365 * DAY_S
        people: list[tuple[str, str]] = []
        for role, n in STAFF:
            people += [(role, f"{role}{k + 1}@exotic-travel.example") for k in range(n)]
        people += [("user", "")] * self.sizes.customers
        for ident, (role, staff_email) in enumerate(people, start=1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = staff_email
            if not email:  # unique through the customer's number
                local = f"{first}.{last}".lower().replace(" ", "")
                email = f"{local}.{ident}@{rng.choice(MAIL_DOMAINS)}"
            phone = None
            if rng.random() < 0.8:
                digits = f"{rng.randrange(10**9):09d}"
                phone = f"{rng.choice(PHONE_PREFIXES)} {digits[:3]} {digits[3:6]} {digits[6:]}"
            verified = rng.choices(("t", "f", None), (0.7, 0.28, 0.02))[0]
            created = rng.randrange(start_s, self.now_s)
            updated = created if rng.random() < 0.6 else rng.randrange(created, self.now_s + 1)
            yield (
                f"{ident}\t{first} {last}\t{email}\t{UNUSABLE}\t{_n(phone)}\t{role}\t"
                f"{_n(verified)}\t{_ts(created)}\t{_ts(updated)}\n"
            )

    # destinations -----------------------------------------------------------

    DESTINATION_COLUMNS = (
        "id name description country city price duration max_guests images features "
        "active created_at updated_at"
    )

    def destination_rows(self) -> Iterator[str]:
        rng = self.rng("destinations")
        countries = sorted(PLACES)
        start_s = _day_seconds(self.span_start) - 3 * 365 * DAY_S
        for ident in range(1, self.sizes.destinations + 1):
            country = rng.choice(countries)
            city = rng.choice(PLACES[country])
            name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(KINDS)}"
            description = (
                f"{rng.choice(STAY_PHRASES)} near {city}, {country}. "
                f"{rng.choice(ACTIVITY_PHRASES)} {rng.choice(AMENITY_PHRASES)}"
            )
            # Prices per person spread log-uniformly from 150 to 9,000, in whole 10s.
            price_cents = round(math.exp(rng.uniform(math.log(150), math.log(9000))) / 10) * 1000
            duration = rng.choice((3, 4, 5, 6, 7, 7, 7, 8, 10, 10, 12, 14, 14, 21))
            max_guests = rng.choice((1, 2, 2, 2, 4, 4, 4, 6, 6, 8, 10, 12))
            slug = name.lower().replace(" ", "-")
            images = [f"{slug}-{k + 1}.jpg" for k in range(rng.randrange(0, 6))]
            features = rng.sample(FEATURES, rng.randrange(0, 7))
            active = "t" if rng.random() < 0.94 else "f"
            created = rng.randrange(start_s, _day_seconds(self.span_start))
            updated = rng.randrange(created, self.now_s)
            self.destinations.append(DestinationFacts(ident, price_cents, duration, max_guests))
            yield (
                f"{ident}\t{name}\t{description}\t{country}\t{city}\t{_money(price_cents)}\t"
                f"{duration}\t{max_guests}\t{_array(images)}\t{_array(features)}\t{active}\t"
                f"{_ts(created)}\t{_ts(updated)}\n"
            )

    # bookings ---------------------------------------------------------------

    BOOKING_COLUMNS = (
        "id user_id destination_id start_date end_date guests total_price status "
        "special_requests payment_intent_id payment_status cancellation_reason cancelled_at "
        "created_at updated_at request_token"
    )

    def _bookings_per_destination(self, rng: random.Random) -> list[int]:
        """Bookings per destination: some destinations are three times as popular as others."""
        weights = [rng.uniform(0.5, 1.5) for _ in self.destinations]
        total = sum(weights)
        counts = [int(self.sizes.bookings * w / total) for w in weights]
        for k in range(self.sizes.bookings - sum(counts)):
            counts[k % len(counts)] += 1
        span_days = self.span_end - self.span_start
        if span_days // max(counts) < 2:
            raise SystemExit(
                f"{self.sizes.bookings:,} bookings over {len(counts):,} destinations do not fit "
                f"in {span_days:,} days without overlaps; add destinations."
            )
        return counts

    def _stays(self) -> list[tuple[int, int, int, int, int]]:
        """(created_at, destination, customer, start day, nights) of every booking, oldest first.

        Each destination's calendar is cut into equal slots, one stay inside each,
        so no two stays of a destination overlap.
        """
        rng = self.rng("stays")
        random_ = rng.random
        counts = self._bookings_per_destination(rng)
        span_days = self.span_end - self.span_start
        first_customer = self.first_customer_id
        customers = self.sizes.customers
        latest_s = self.now_s
        stays: list[tuple[int, int, int, int, int]] = []
        for facts, count in zip(self.destinations, counts, strict=True):
            slot = span_days // count
            jitter = max(1, slot // 4)
            # Calendars start at different days, so no day is everyone's first or last.
            first = self.span_start + int(random_() * slot) - slot // 2
            for k in range(count):
                offset = int(random_() * jitter)
                nights = max(1, min(facts.duration + int(random_() * 5) - 2, slot - offset))
                start = first + k * slot + offset
                lead_days = 3 + int(random_() ** 2 * 400)
                created_s = _day_seconds(start - lead_days) + int(random_() * DAY_S)
                created_s = min(created_s, latest_s - int(random_() * 30 * DAY_S))
                # A few customers book often, most rarely.
                customer = first_customer + int(customers * random_() ** 1.25)
                stays.append((created_s, facts.ident, customer, start, nights))
        stays.sort()
        return stays

    def booking_rows(self) -> Iterator[str]:
        """Bookings in ``created_at`` order, numbered in that order."""
        rng = self.rng("bookings")
        random_ = rng.random
        today = self.today
        now_s = self.now_s
        recent_s = now_s - 2 * 365 * DAY_S
        by_id = {f.ident: f for f in self.destinations}
        party_sizes = (1, 2, 2, 2, 2, 3, 4, 4, 5, 6)
        for ident, (created_s, dest, customer, start, nights) in enumerate(self._stays(), 1):
            facts = by_id[dest]
            end = start + nights
            status = _status(start, end, today, random_())
            payment = _payment(status, random_())
            guests = min(facts.max_guests, party_sizes[int(random_() * len(party_sizes))])
            special = None
            if random_() < 0.15:
                special = SPECIAL_REQUESTS[int(random_() * len(SPECIAL_REQUESTS))]
            intent = None
            if payment in ("paid", "refunded"):
                intent = f"pi_{rng.getrandbits(96):024x}"
            reason = cancelled_at = None
            updated_s = created_s
            if status == "cancelled":
                if random_() < 0.9:
                    reason = CANCELLATION_REASONS[int(random_() * len(CANCELLATION_REASONS))]
                latest = min(_day_seconds(start), now_s)
                updated_s = created_s + int(random_() * max(1, latest - created_s))
                cancelled_at = _ts(updated_s)
            elif status == "completed":
                updated_s = min(now_s, _day_seconds(end) + 40_000)
                self.completed.append((ident, customer, dest, end))
            elif status == "confirmed":
                updated_s = created_s + int(random_() * 3 * DAY_S)
            # Request tokens exist since the window sends them: the last two years only.
            token = None
            if created_s > recent_s:
                token = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            yield (
                f"{ident}\t{customer}\t{dest}\t{_day(start)}\t{_day(end)}\t{guests}\t"
                f"{_money(facts.price_cents * guests)}\t{status}\t{_n(special)}\t{_n(intent)}\t"
                f"{_n(payment)}\t{_n(reason)}\t{_n(cancelled_at)}\t{_ts(created_s)}\t"
                f"{_ts(updated_s)}\t{_n(token)}\n"
            )

    # reviews ----------------------------------------------------------------

    REVIEW_COLUMNS = (
        "id user_id destination_id booking_id rating comment helpful_count created_at updated_at"
    )

    def review_rows(self) -> Iterator[str]:
        """Reviews of a sample of the completed stays, numbered in ``created_at`` order."""
        rng = self.rng("reviews")
        random_ = rng.random
        wanted = self.sizes.reviews
        if wanted > len(self.completed):
            print(
                f"  only {len(self.completed):,} completed bookings: "
                f"{len(self.completed):,} reviews instead of {wanted:,}",
                file=sys.stderr,
            )
            wanted = len(self.completed)
        reviews: list[tuple[int, int, int, int]] = []
        for k in rng.sample(range(len(self.completed)), wanted):
            booking, customer, dest, end = self.completed[k]
            created_s = _day_seconds(end) + int(random_() ** 2 * 45 * DAY_S)
            reviews.append((min(created_s, self.now_s), booking, customer, dest))
        reviews.sort()
        # Cumulative shares of 1 to 5 stars.
        shares = list(itertools.accumulate(RATING_WEIGHTS))
        for ident, (created_s, booking, customer, dest) in enumerate(reviews, start=1):
            rating = bisect.bisect(shares, random_() * shares[-1]) + 1
            comment = None
            if random_() < 0.8:
                opening = REVIEW_OPENINGS[int(random_() * len(REVIEW_OPENINGS))]
                comment = f"{opening}: {REVIEW_DETAILS[int(random_() * len(REVIEW_DETAILS))]}."
            helpful = int(random_() ** 6 * 40)
            updated_s = created_s if random_() < 0.9 else created_s + int(random_() * DAY_S)
            yield (
                f"{ident}\t{customer}\t{dest}\t{booking}\t{rating}\t{_n(comment)}\t{helpful}\t"
                f"{_ts(created_s)}\t{_ts(updated_s)}\n"
            )


# Payment statuses by booking status: (cumulative share, payment status); None is NULL.
PAYMENTS: dict[str, tuple[tuple[float, str | None], ...]] = {
    "completed": ((0.97, "paid"), (1.0, None)),
    "pending": ((0.85, "pending"), (1.0, "failed")),
    "confirmed": ((0.70, "paid"), (1.0, "pending")),
    "cancelled": ((0.40, "refunded"), (0.75, "pending"), (0.95, "failed"), (1.0, None)),
}


def _status(start: int, end: int, today: int, r: float) -> str:
    """A stay's status, from where it lies relative to today."""
    if end <= today:
        return "completed" if r < 0.86 else "cancelled"
    if start <= today:
        return "confirmed"
    if r < 0.35:
        return "pending"
    return "confirmed" if r < 0.86 else "cancelled"


def _payment(status: str, r: float) -> str | None:
    return next(payment for share, payment in PAYMENTS[status] if r < share)


# -- the load -----------------------------------------------------------------

RECOMPUTE_RATINGS = """
UPDATE destinations d
SET rating = s.rating, review_count = s.review_count, updated_at = NOW()
FROM (
    SELECT destination_id, COALESCE(AVG(rating), 0) AS rating, COUNT(*) AS review_count
    FROM reviews GROUP BY destination_id
) s
WHERE d.id = s.destination_id
"""


def _require_empty(cur: psycopg.Cursor[Any]) -> None:
    for table in ("users", "destinations", "bookings", "reviews"):
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
        row = cur.fetchone()
        if row is None or row[0]:
            raise SystemExit(
                f"The table {table} already has rows; generate into a freshly migrated database."
            )


def fill(
    url: URL,
    sizes: Sizes,
    *,
    seed: int = 1,
    today: date = DATA_TODAY,
    rating_trigger: bool = False,
    report: Callable[[str], None] = print,
) -> dict[str, float]:
    """Load every table in one transaction, then VACUUM ANALYZE; seconds per step."""
    gen = Generator(sizes, seed=seed, today=today)
    timings: dict[str, float] = {}

    def step(name: str, action: Callable[[], int | None]) -> None:
        began = time.perf_counter()
        rows = action()
        timings[name] = time.perf_counter() - began
        counted = f"{rows:>11,} rows" if rows is not None else " " * 16
        report(f"  {name:<28}{counted}  {timings[name]:7.1f} s")

    with connect(url) as conn, conn.cursor() as cur:
        _require_empty(cur)
        step("users", lambda: _copy(cur, "users", Generator.USER_COLUMNS, gen.user_rows()))
        step(
            "destinations",
            lambda: _copy(
                cur, "destinations", Generator.DESTINATION_COLUMNS, gen.destination_rows()
            ),
        )
        step(
            "bookings",
            lambda: _copy(cur, "bookings", Generator.BOOKING_COLUMNS, gen.booking_rows()),
        )
        if rating_trigger:
            step(
                "reviews (rating trigger on)",
                lambda: _copy(cur, "reviews", Generator.REVIEW_COLUMNS, gen.review_rows()),
            )
        else:
            # See the module's docstring: the rating trigger alone is off for this COPY,
            # inside this transaction, and its result is computed once below.
            cur.execute("ALTER TABLE reviews DISABLE TRIGGER trigger_update_destination_rating")
            step(
                "reviews",
                lambda: _copy(cur, "reviews", Generator.REVIEW_COLUMNS, gen.review_rows()),
            )
            step("destination ratings", lambda: cur.execute(RECOMPUTE_RATINGS).rowcount)
            cur.execute("ALTER TABLE reviews ENABLE TRIGGER trigger_update_destination_rating")
        for table in ("users", "destinations", "bookings", "reviews"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        began = time.perf_counter()
        conn.commit()
        timings["commit"] = time.perf_counter() - began
    with connect(url, autocommit=True) as conn:

        def vacuum() -> None:
            conn.execute("VACUUM (ANALYZE)")

        step("vacuum analyze", vacuum)
    timings["total"] = sum(timings.values())
    report(f"  {'total':<28}{'':16}  {timings['total']:7.1f} s")
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a migrated, empty database")
    parser.add_argument("--bookings", type=int, required=True)
    parser.add_argument("--customers", type=int, help="default: bookings / 10")
    parser.add_argument("--destinations", type=int, help="default: bookings / 200")
    parser.add_argument("--reviews", type=int, help="default: bookings / 2")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=DATA_TODAY,
        help=f"the data's today (default {DATA_TODAY}; fixed, so runs repeat)",
    )
    parser.add_argument(
        "--rating-trigger",
        action="store_true",
        help="keep the rating trigger on while loading reviews (slow)",
    )
    args = parser.parse_args(argv)
    sizes = Sizes.scaled(
        args.bookings,
        customers=args.customers,
        destinations=args.destinations,
        reviews=args.reviews,
    )
    print(
        f"Generating {sizes.bookings:,} bookings, {sizes.customers:,} customers, "
        f"{sizes.destinations:,} destinations, {sizes.reviews:,} reviews (seed {args.seed})"
    )
    fill(
        psycopg_url(args.database_url),
        sizes,
        seed=args.seed,
        today=args.today,
        rating_trigger=args.rating_trigger,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
