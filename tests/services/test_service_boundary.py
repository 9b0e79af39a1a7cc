"""Every public service method, called with arbitrary values, refuses only with typed errors.

The services are the boundary: a script, a later web client or a test may call
them with anything. The methods are found by introspection (every public
method of every service on ``BackOffice``), so a method added later is covered
without editing this file; a parameter whose type no strategy here can build
fails the test instead of being skipped.

Each method gets arbitrary text (empty, long, 1.2 MB, NUL, lone surrogates),
integers (small, the world's ids, beyond 32 and 64 bits), dates and times
(from year 1 to 9999, with and without time zones), amounts (NaN, infinite,
huge), members of the fixed lists, and now and then a value of the wrong type
altogether; dataclass arguments (filters, page requests, ``NewBooking``...)
get such values in every field. Ids and versions are often those of real rows,
so the calls get past "not found" and "changed meanwhile" into the rules.

What may come out: a result, or an error of the product's own
(``BackOfficeError``), except ``ConstraintViolated``, which would mean the
database caught what the service should have checked. Never a SQLAlchemy,
psycopg, ``UnicodeEncodeError``, ``ValueError`` or ``TypeError``.

What "the database is unchanged" means here: after a call that raised, every
table holds exactly the rows it held before (compared by a checksum of each
table's rows), with one exception: a refused sign-in is itself an event the
throttle counts, so ``audit_logs`` may gain one ``auth.sign_in_failed`` or
``auth.sign_in_throttled`` row that names at most the e-mail typed. A call that
returned may change the database (arbitrary values are sometimes valid ones),
but never silently: such a change comes with an audit row. Sequences are not
compared: a refused insert may use up an id.

The signed-in person (``Actor``) is not input: only signing in makes one, so it
is drawn from the world's real staff members.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from desktop.bootstrap import BackOffice, build
from desktop.db.engine import build_engine
from desktop.db.models import Destination, User
from desktop.db.repositories.audit import SORTS as AUDIT_SORTS
from desktop.db.repositories.bookings import SORTS as BOOKING_SORTS
from desktop.db.repositories.destinations import SORTS as DESTINATION_SORTS
from desktop.db.repositories.people import SORTS as PEOPLE_SORTS
from desktop.db.repositories.reviews import SORTS as REVIEW_SORTS
from desktop.domain.audit import AUDIT_ACTIONS, RESOURCE_TYPES
from desktop.domain.enums import PaymentStatus, Role
from desktop.domain.errors import BackOfficeError, ConstraintViolated, ValidationError
from desktop.domain.listing import (
    AuditFilter,
    BookingFilter,
    DestinationFilter,
    PageRequest,
    PersonFilter,
    ReviewFilter,
    Sort,
)
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking
from desktop.services.boundary import unchecked_hints
from desktop.services.context import Service
from desktop.services.passwords import Passwords
from desktop.services.people import PersonDetails
from desktop.services.reviews import NewReview
from tests.factories import let_days_pass, make_booking, make_review, png, server_today
from tests.services.conftest import FAST_HASHING, PASSWORD, TEST_AUDIT, FakeClock, destination_draft

if typing.TYPE_CHECKING:
    from tests.conftest import TestServer

EXAMPLES_PER_METHOD = 60
HUGE_TEXT = "snorkel reef " * 92_308  # 1.2 MB: the full-text query that once hit a limit
LEGITIMATE_REFUSAL_ROWS = ("auth.sign_in_failed", "auth.sign_in_throttled")
TABLES = ("users", "destinations", "bookings", "reviews", "review_helpful_votes")
POOLED = ("users", "destinations", "bookings", "reviews")  # real ids (and versions) to draw


# -- the methods -------------------------------------------------------------------------------


def public_methods() -> list[tuple[str, str]]:
    """(service, method) for every public method of every service on ``BackOffice``."""
    hints = typing.get_type_hints(BackOffice)
    found = []
    for field in dataclasses.fields(BackOffice):
        kind = hints[field.name]
        if isinstance(kind, type) and issubclass(kind, Service):
            for name, _ in inspect.getmembers(kind, inspect.isfunction):
                if not name.startswith("_"):
                    found.append((field.name, name))
    return found


METHODS = public_methods()
# Which table a service's "<x>_id" and "version" name.
TABLE_OF = {
    "staff": "users",
    "customers": "users",
    "destinations": "destinations",
    "bookings": "bookings",
    "reviews": "reviews",
    "audit": "audit_logs",
}


# -- the world the calls run in ------------------------------------------------------------------


@dataclass
class World:
    """The database the calls run in, and who may call (``service``: the one under test)."""

    office: BackOffice
    engine: Engine
    admin: Actor
    moderator: Actor
    agent: Actor
    tokens: list[uuid.UUID]
    today: date
    calls: Counter[str]
    outcomes: Counter[str]
    service: str = ""  # the service under test: its list's sort columns are drawn
    by_method: defaultdict[str, Counter[str]] = dataclasses.field(
        default_factory=lambda: defaultdict(Counter)
    )

    @property
    def actors(self) -> list[Actor]:
        return [self.admin, self.moderator, self.agent]

    def keep_reviews(self, at_least: int = 3) -> None:
        """Deleting reviews is a use case too: put some back, so later methods have some."""
        with Session(self.engine) as session:
            have = session.execute(text("SELECT count(*) FROM reviews")).scalar_one()
            for _ in range(at_least - have):
                booking = make_booking(
                    session, start=self.today - timedelta(days=400), status="completed"
                )
                make_review(
                    session,
                    destination=session.get_one(Destination, booking.destination_id),
                    user=session.get_one(User, booking.user_id),
                    booking_id=booking.id,
                    rating=3,
                )
            session.commit()

    def rows(self, table: str) -> list[tuple[int, str]]:
        """(id, version) of the table's rows now, as the services hand versions out."""
        a = self.admin
        request = PageRequest(Sort("id"), limit=1000)
        if table == "bookings":
            page: Any = self.office.bookings.page(a, BookingFilter(), request)
        elif table == "destinations":
            page = self.office.destinations.page(a, DestinationFilter(), request)
        elif table == "reviews":
            page = self.office.reviews.page(a, ReviewFilter(), request)
        elif table == "users":
            staff = self.office.staff.page(a, PersonFilter(), request).rows
            customers = self.office.customers.page(a, PersonFilter(), request).rows
            return [(p.id, p.version) for p in (*staff, *customers)]
        else:
            raise ValueError(table)
        return [(r.id, r.version) for r in page.rows]


@pytest.fixture(scope="module")
def world(test_server: TestServer, template_database: str) -> Iterator[World]:
    """One database for every method: staff, destinations, customers, bookings in every
    state, a review; calls that succeed add to it as they would at a counter."""
    name = test_server.new_name()
    engine = build_engine(test_server.create_database(name, template=template_database))
    office = build(engine, passwords=Passwords(FAST_HASHING), clock=FakeClock(), audit=TEST_AUDIT)
    try:
        yield _populate(office, engine)
    finally:
        engine.dispose()
        test_server.drop_database(name)


def _populate(office: BackOffice, engine: Engine) -> World:
    admin = office.auth.create_first_admin("Ada Admin", "ada@office.example", PASSWORD)

    def staff(role: Role, name: str, email: str) -> Actor:
        p = office.staff.create(admin, PersonDetails(name, email), role, PASSWORD)
        return Actor(p.id, p.name, p.email, p.role)

    moderator = staff(Role.MODERATOR, "Mia Moderator", "mia@office.example")
    agent = staff(Role.AGENT, "Alex Agent", "alex@office.example")
    lagoon = office.destinations.create(admin, destination_draft(name="Lagoon Villas"))
    reef = office.destinations.create(admin, destination_draft(name="Reef Lodge", duration=90))
    customers = [
        office.customers.create(agent, PersonDetails(n, f"{n.split()[0].lower()}@example.com"))
        for n in ("Ann Lee", "Bob Ray", "Cy Dunn")
    ]
    today = server_today(engine)
    # A stay that has ended: booked ahead, then the calendar moves on (below the services).
    done = office.bookings.create(
        agent,
        NewBooking(
            customers[0].id, lagoon.id, today + timedelta(days=1), today + timedelta(days=8), 2
        ),
    )
    done = office.bookings.confirm(agent, done.id, done.version)
    let_days_pass(engine, 10)
    done = office.bookings.get(agent, done.id)
    done = office.bookings.record_payment(agent, done.id, done.version, PaymentStatus.PAID, "pi_1")
    done = office.bookings.complete(agent, done.id, done.version)
    review = office.reviews.create(agent, NewReview(customers[0].id, done.id, 4, "Lovely"))
    office.reviews.mark_helpful(moderator, review.id)
    tokens = []
    for n, customer in enumerate(customers):
        token = uuid.uuid4()
        start = today + timedelta(days=20 + 10 * n)
        made = office.bookings.create(
            agent,
            NewBooking(customer.id, lagoon.id, start, start + timedelta(days=7), 2, None, token),
        )
        tokens.append(token)
        if n == 1:
            office.bookings.confirm(agent, made.id, made.version)
        if n == 2:
            office.bookings.cancel(agent, made.id, made.version, "Plans changed")
    current = office.destinations.get(admin, reef.id)
    office.destinations.set_active(admin, reef.id, current.version, False)
    return World(office, engine, admin, moderator, agent, tokens, today, Counter(), Counter())


# -- strategies ------------------------------------------------------------------------------


class UnknownParameterType(TypeError):
    """A parameter whose type no strategy here can build: add one (never skip the method)."""


def _offsets() -> st.SearchStrategy[timezone]:
    return st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


NASTY_TEXTS = (
    "é" * 201,  # just beyond a search box
    "x" * 256,  # beyond a name
    "x" * 1025,  # beyond a password
    "x" * 10_001,  # beyond free text
    "a\x00b",
    "a\ud800b",  # a lone surrogate
    "\udfff",
    "",
    "   ",
)
KNOWN_TEXTS = (
    "ada@office.example",
    "alex@office.example",
    "ann@example.com",
    PASSWORD,
    "pending",
    "booking.create",
    "destination",
    "snorkel",
)
# Plausible values of fields a form fills from a list or with a short word.
GENTLE_TEXTS: dict[str, list[str]] = {
    "action": ["", *sorted(AUDIT_ACTIONS)],
    "resource_type": ["", *sorted(RESOURCE_TYPES)],
    "text": ["", "ann", "lagoon", "#1", "reef snorkel", "example.com"],
    "country": ["", "Maldives", "Peru"],
    "city": ["", "Malé", "Cusco"],
    "email": ["ann@example.com", "new.person@example.com", "ada@office.example"],
    "reason": ["Plans changed", ""],
}
SURROGATES = st.characters(categories=["Cs"])  # halves of UTF-16 pairs, alone
GENTLE_LETTERS = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789@.-"
# The columns each list sorts by: a sort the list knows takes the calls on to the page's
# position (the cursor), which must fit the column's type.
SORTS_OF = {
    "bookings": sorted(BOOKING_SORTS),
    "destinations": sorted(DESTINATION_SORTS),
    "customers": sorted(PEOPLE_SORTS),
    "staff": sorted(PEOPLE_SORTS),
    "reviews": sorted(REVIEW_SORTS),
    "audit": sorted(AUDIT_SORTS),
}
ALL_SORTS = sorted({c for columns in SORTS_OF.values() for c in columns})


def one_of_now(values: list[Any], otherwise: Any) -> st.SearchStrategy[Any]:
    """One of ``values`` as they are now (``otherwise`` when there are none).

    The world changes between examples (a call that succeeds adds or removes
    rows), so the draw is an index of fixed range, not ``sampled_from`` over a
    list whose length would change under Hypothesis' feet.
    """
    return st.integers(0, 10_000).map(lambda k: values[k % len(values)] if values else otherwise)


def _any_of(*kinds: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Each kind equally often (Hypothesis would otherwise favour the first, simplest one)."""
    return st.integers(0, len(kinds) - 1).flatmap(lambda n: kinds[n])


def _wrong_type() -> st.SearchStrategy[Any]:
    """A value of some other type than the parameter's."""
    return st.one_of(
        st.none(),
        st.text(max_size=5),
        st.integers(-5, 5),
        st.floats(allow_nan=True),
        st.booleans(),
        st.binary(max_size=5),
        st.dates(),
        st.lists(st.integers(), max_size=2),
        st.builds(object),
    )


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


Pools = dict[str, list[tuple[int, str]]]  # table -> (id, version) of its rows now


@dataclass(frozen=True)
class Plan:
    """How one example draws its values.

    Wild values everywhere stop almost every call at the first check; so an
    example is gentle (plausible values: real ids and versions, near dates,
    short text, the list's own sort columns), wild in one field, or wild
    throughout (``wild`` None), chosen per example.
    """

    world: World
    pools: Pools
    wild: frozenset[str] | None

    def is_wild(self, name: str) -> bool:
        return self.wild is None or name in self.wild

    def ids(self) -> list[int]:
        return [i for rows in self.pools.values() for i, _ in rows]

    def versions(self) -> list[str]:
        return [v for rows in self.pools.values() for _, v in rows]

    def text(self, name: str) -> st.SearchStrategy[str]:
        columns = SORTS_OF.get(self.world.service, ALL_SORTS)
        if not self.is_wild(name):
            if name == "column":
                return st.sampled_from(columns)
            if name == "version":
                return one_of_now(self.versions(), "")
            if name in GENTLE_TEXTS:
                return st.sampled_from(GENTLE_TEXTS[name])
            return _any_of(st.sampled_from(KNOWN_TEXTS), st.text(GENTLE_LETTERS, max_size=20))
        return _any_of(
            st.sampled_from(NASTY_TEXTS),
            st.just(HUGE_TEXT),
            st.text(max_size=40),
            st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3).map(
                lambda t: f"a{t}"
            ),
            st.sampled_from(columns if name == "column" else KNOWN_TEXTS),
            one_of_now(self.versions(), "") if name == "version" else st.emails(),
        )

    def file_content(self, name: str) -> st.SearchStrategy[bytes]:
        """A file's bytes: real pictures (which are stored) beside anything at all."""
        pictures = st.builds(png, st.integers(1, 40), st.integers(1, 40))
        if not self.is_wild(name):
            return pictures
        return _any_of(
            pictures,
            st.binary(max_size=200),
            st.builds(lambda n: png(n, n, pixels=False), st.integers(1, 5)),  # cut short
            st.just(b"\x89PNG\r\n\x1a\n" + b"\xff" * 40),  # a signature and nonsense
        )

    def integer(self, name: str) -> st.SearchStrategy[int]:
        ids = self.ids() if name.endswith("id") else []
        if not self.is_wild(name):
            return one_of_now(ids, 1) if ids else st.integers(1, 5)
        edges = [0, 1, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30]
        return _any_of(
            st.integers(-3, 12), st.sampled_from(edges), st.integers(), one_of_now(ids, 1)
        )

    def day(self, name: str) -> st.SearchStrategy[date]:
        today = self.world.today
        if not self.is_wild(name):
            return st.integers(0, 90).map(lambda d: today + timedelta(days=d))
        near = st.integers(-400, 1300).map(lambda d: today + timedelta(days=d))
        return _any_of(near, st.dates(), st.sampled_from([date.min, date.max]))

    def moment(self, name: str) -> st.SearchStrategy[datetime]:
        now = datetime.now(UTC)
        if not self.is_wild(name):
            return st.integers(-30, 30).map(lambda d: now + timedelta(days=d))
        return _any_of(
            st.datetimes(timezones=_offsets()),
            st.datetimes(),
            st.sampled_from([datetime.min, datetime.max, now]),
        )

    def amount(self, name: str) -> st.SearchStrategy[Decimal]:
        if not self.is_wild(name):
            return st.decimals(places=2, min_value=Decimal("0.01"), max_value=5000)
        return _any_of(
            st.decimals(places=2, min_value=-10, max_value=10_000),
            st.decimals(allow_nan=True, allow_infinity=True),
            # Beyond what PostgreSQL's numeric holds, either way; a cent too many for a price.
            st.sampled_from([Decimal("sNaN"), Decimal("1E+200000"), Decimal("1E-20000")]),
            st.just(Decimal("99999999.995")),
        )

    def scalar(self, hint: Any, name: str) -> st.SearchStrategy[Any] | None:
        """Values of a plain type (None when ``hint`` is not one)."""
        plain: dict[Any, Callable[[str], st.SearchStrategy[Any]]] = {
            str: self.text,
            int: self.integer,
            date: self.day,
            datetime: self.moment,
            Decimal: self.amount,
            bool: lambda _: st.booleans(),
            uuid.UUID: lambda _: st.one_of(st.uuids(), st.sampled_from(self.world.tokens)),
            bytes: self.file_content,
        }
        if hint in plain:
            return plain[hint](name)
        if isinstance(hint, type) and issubclass(hint, Enum):
            return st.sampled_from(list(hint))
        return None

    def mostly(self, right: st.SearchStrategy[Any], name: str) -> st.SearchStrategy[Any]:
        """A wild field is now and then of another type altogether (one time in five)."""
        if not self.is_wild(name):
            return right
        return st.integers(0, 4).flatmap(lambda n: _wrong_type() if n == 0 else right)


def strategy_for(hint: Any, name: str, plan: Plan) -> Any:
    """Values for a parameter or field of type ``hint`` named ``name``, as ``plan`` says."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Actor:
        return st.sampled_from(plan.world.actors)
    if hint is type(None):
        return st.none()
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(strategy_for(a, name, plan) for a in args))
    if (plain := plan.scalar(hint, name)) is not None:
        return plan.mostly(plain, name)
    if origin in (frozenset, set):
        inner = strategy_for(args[0], name, plan).filter(_hashable)
        return plan.mostly(st.frozensets(inner, max_size=4), name)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        inner = strategy_for(args[0], name, plan)
        lists = st.lists(inner, max_size=4).map(tuple)
        return plan.mostly(
            st.one_of(lists, st.just(("x",) * 60)) if plan.is_wild(name) else lists, name
        )
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        fields = {
            f.name: strategy_for(hints[f.name], f.name, plan) for f in dataclasses.fields(hint)
        }
        return plan.mostly(st.builds(hint, **fields), name)
    raise UnknownParameterType(f"no strategy for {name}: {hint!r}")


def field_names(hint: Any, name: str) -> set[str]:
    """The names of a parameter and of every field inside it (what an example may make wild)."""
    names = {name}
    for inner in typing.get_args(hint):
        names |= field_names(inner, name)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and hint is not Actor:
        hints = typing.get_type_hints(hint)
        for f in dataclasses.fields(hint):
            names |= field_names(hints[f.name], f.name)
    return names


def method_of(world: World, service: str, method: str) -> Callable[..., Any]:
    return typing.cast(Callable[..., Any], getattr(getattr(world.office, service), method))


def parameters(service: str, method: str) -> list[tuple[str, Any]]:
    kind = typing.get_type_hints(BackOffice)[service]
    function = inspect.unwrap(getattr(kind, method))
    hints = typing.get_type_hints(function)
    return [(p, hints.get(p, Any)) for p in inspect.signature(function).parameters if p != "self"]


# -- what the database holds -------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    checksums: dict[str, str]
    audit_ids: frozenset[int]


def snapshot(engine: Engine) -> Snapshot:
    sums = ", ".join(
        f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t)"
        for table in TABLES
    )
    with engine.connect() as conn:
        values = conn.execute(text(f"SELECT {sums}")).one()
        audit = conn.execute(text("SELECT id FROM audit_logs")).scalars().all()
    return Snapshot(dict(zip(TABLES, values, strict=True)), frozenset(audit))


def new_audit_rows(engine: Engine, before: Snapshot) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, action, new_values, old_values FROM audit_logs ORDER BY id")
        ).mappings()
        return [dict(r) for r in rows if r["id"] not in before.audit_ids]


# -- the tests ---------------------------------------------------------------------------------


def test_there_are_public_methods_to_call() -> None:
    assert len(METHODS) >= 48
    assert ("bookings", "create") in METHODS
    assert ("reference", "invalidate") in METHODS


@pytest.mark.parametrize(("service", "method"), METHODS, ids=[f"{s}.{m}" for s, m in METHODS])
def test_every_parameter_has_a_strategy_and_a_boundary_check(service: str, method: str) -> None:
    fake = World(None, None, None, None, None, [uuid.uuid4()], date.today(), Counter(), Counter())  # type: ignore[arg-type]
    for wild in (None, frozenset()):
        for name, hint in parameters(service, method):
            strategy_for(hint, name, Plan(fake, {}, wild))
    kind = typing.get_type_hints(BackOffice)[service]
    assert unchecked_hints(getattr(kind, method)) == []


@pytest.mark.slow
@pytest.mark.parametrize(("service", "method"), METHODS, ids=[f"{s}.{m}" for s, m in METHODS])
@settings(
    max_examples=EXAMPLES_PER_METHOD,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(data=st.data())
def test_arbitrary_input_is_refused_with_typed_errors_and_changes_nothing(
    world: World, service: str, method: str, data: st.DataObject
) -> None:
    world.service = service
    world.keep_reviews()
    pools = {table: world.rows(table) for table in POOLED}
    named = parameters(service, method)
    names = [name for name, _ in named]
    every_field = sorted(set().union(*(field_names(h, n) for n, h in named)))
    mode = data.draw(st.sampled_from(["gentle", "one field wild", "all wild"]), label="mode")
    wild: frozenset[str] | None = None
    if mode == "gentle":
        wild = frozenset()
    elif mode == "one field wild" and every_field:
        wild = frozenset({data.draw(st.sampled_from(every_field), label="wild field")})
    plan = Plan(world, pools, wild)
    arguments = [data.draw(strategy_for(hint, name, plan), label=name) for name, hint in named]
    table = TABLE_OF.get(service)
    ids = [i for i, name in enumerate(names) if name.endswith("_id")]
    if table in pools and ids and data.draw(st.booleans(), label="a real row"):
        # The id and version of one real row, so the call gets past "changed meanwhile".
        row = data.draw(one_of_now(pools[table], None), label="row")
        if row is not None:
            arguments[ids[0]] = row[0]
            if "version" in names:
                arguments[names.index("version")] = row[1]
    before = snapshot(world.engine)

    try:
        method_of(world, service, method)(*arguments)
    except ConstraintViolated as leak:  # the database caught what the service should have
        pytest.fail(f"{service}.{method} let the database refuse it: {leak.message}")
    except BackOfficeError as refusal:
        outcome: str = type(refusal).__name__
    else:
        outcome = "returned"
    world.calls[f"{service}.{method}"] += 1
    world.outcomes[outcome] += 1
    world.by_method[f"{service}.{method}"][outcome] += 1

    after = snapshot(world.engine)
    added = new_audit_rows(world.engine, before)
    if outcome != "returned":
        assert after.checksums == before.checksums, f"{service}.{method} refused yet changed data"
        assert all(row["action"] in LEGITIMATE_REFUSAL_ROWS for row in added), added
        assert len(added) <= 1, added
        for row in added:  # a refused sign-in names at most the e-mail typed
            assert set(row["new_values"] or {}) <= {"email"}, row
            assert row["old_values"] is None, row
    elif after.checksums != before.checksums:
        assert added, f"{service}.{method} changed data without an audit row"


FILTERS = {
    BookingFilter: ("bookings", ["text"]),
    DestinationFilter: ("destinations", ["text", "country", "city"]),
    PersonFilter: ("customers", ["text"]),
    ReviewFilter: ("reviews", ["text"]),
    AuditFilter: ("audit", ["action", "resource_type"]),
}


@pytest.mark.parametrize("kind", list(FILTERS), ids=lambda k: k.__name__)
@pytest.mark.parametrize(
    "typed",
    ["é" * 201, HUGE_TEXT, "a\x00b", "a\ud800b"],
    ids=["201 characters", "1.2 MB", "NUL", "lone surrogate"],
)
def test_filter_text_that_cannot_mean_a_search_is_refused_not_sent(
    world: World, kind: type, typed: str
) -> None:
    """Every text field of every list's filter, on the list and on its count."""
    service, fields = FILTERS[kind]
    lists = getattr(world.office, service)
    for field in fields:
        f = kind(**{field: typed})
        for call in (
            lambda f=f: lists.page(world.admin, f, PageRequest(Sort("id"))),
            lambda f=f: lists.count(world.admin, f),
        ):
            with pytest.raises(ValidationError) as refused:
                call()
            assert set(refused.value.fields) == {field}


@pytest.mark.parametrize("field", ["price_min", "price_max", "min_rating"])
@pytest.mark.parametrize(
    "amount",
    [Decimal("NaN"), Decimal("-Infinity"), Decimal("1E+200000"), Decimal("1E-20000"), Decimal(-1)],
    ids=["NaN", "minus infinity", "too large", "too many decimals", "negative"],
)
def test_filter_amounts_no_column_can_compare_are_refused(
    world: World, field: str, amount: Decimal
) -> None:
    f = DestinationFilter(**{field: amount})
    with pytest.raises(ValidationError) as refused:
        world.office.destinations.count(world.admin, f)
    assert set(refused.value.fields) == {field}


def test_the_examples_ran_over_every_public_method(world: World) -> None:
    """Runs after the property test (file order): every method was called, many times."""
    if sum(world.calls.values()) == 0:
        pytest.skip("the property test did not run in this session (deselected)")
    print(f"\n{len(world.calls)} methods, {sum(world.calls.values())} calls: {world.outcomes}")
    for name, outcomes in sorted(world.by_method.items()):
        print(f"  {name:36} {dict(outcomes.most_common())}")
    missing = [f"{s}.{m}" for s, m in METHODS if world.calls[f"{s}.{m}"] == 0]
    assert missing == []
    # Hypothesis stops early when a method's arguments have only a few values (none at
    # all, or only the signed-in person); every other method ran its examples.
    few = {f"{s}.{m}" for s, m in METHODS if all(h is Actor for _, h in parameters(s, m))}
    short = {k: n for k, n in world.calls.items() if k not in few and n < EXAMPLES_PER_METHOD}
    assert short == {}
