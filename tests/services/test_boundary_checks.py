"""The boundary every public service method passes first: types, storable text, possible ids.

A stand-in service (no database) shows what ``Service`` does to any method a
subclass defines; the property test (test_service_boundary.py) shows it for
every real one.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import pytest

from desktop.domain.enums import BookingStatus, Role
from desktop.domain.errors import NotFound, ValidationError
from desktop.services.boundary import unchecked_hints
from desktop.services.context import Service


@dataclass(frozen=True)
class Inner:
    note: str
    when: date | None = None


@dataclass(frozen=True)
class Form:
    guests: int
    price: Decimal | str
    statuses: frozenset[BookingStatus] = frozenset()
    tags: tuple[str, ...] = ()
    inner: Inner | None = None
    token: uuid.UUID | None = None
    seen: list[int] = field(default_factory=list)


class StandIn(Service):
    """A service whose methods only say they ran."""

    def take(self, booking_id: int, form: Form, role: Role, at: datetime, flag: bool) -> str:
        return "ran"

    def text(self, reason: str, reference: str | None = None) -> str:
        return "ran"

    def _private(self, anything: int) -> str:
        return "ran"


@pytest.fixture
def counter() -> StandIn:
    return StandIn(None)  # type: ignore[arg-type]


NOW = datetime(2027, 3, 14, 9, 30)
GOOD = Form(guests=2, price=Decimal("10.00"), statuses=frozenset({BookingStatus.PENDING}))


def refused(call: Callable[[], object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.fields


def test_well_formed_arguments_pass(counter: StandIn) -> None:
    assert counter.take(7, GOOD, Role.AGENT, NOW, True) == "ran"
    assert counter.take(booking_id=7, form=GOOD, role=Role.AGENT, at=NOW, flag=False) == "ran"
    assert counter.text("fine", None) == "ran"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        pytest.param((7.0, GOOD, Role.AGENT, NOW, True), "booking_id", id="float for an id"),
        pytest.param(("7", GOOD, Role.AGENT, NOW, True), "booking_id", id="text for an id"),
        pytest.param((True, GOOD, Role.AGENT, NOW, True), "booking_id", id="yes for an id"),
        pytest.param((7, {"guests": 2}, Role.AGENT, NOW, True), "form", id="dict for a form"),
        pytest.param((7, GOOD, "agent", NOW, True), "role", id="plain text for a role"),
        pytest.param((7, GOOD, Role.AGENT, NOW.date(), True), "at", id="date for a time"),
        pytest.param((7, GOOD, Role.AGENT, NOW, 1), "flag", id="number for yes/no"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_parameter(
    counter: StandIn, arguments: tuple[object, ...], field: str
) -> None:
    assert set(refused(lambda: counter.take(*arguments))) == {field}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        pytest.param(Form(guests="2", price="1"), "guests", id="text for guests"),  # type: ignore[arg-type]
        pytest.param(Form(guests=2, price=1.5), "price", id="float for a price"),  # type: ignore[arg-type]
        pytest.param(
            Form(2, "1", statuses=frozenset({"pending"})),  # type: ignore[arg-type]
            "statuses",
            id="plain text in a set of statuses",
        ),
        pytest.param(Form(2, "1", tags=("ok", 3)), "tags", id="number in a list of text"),  # type: ignore[arg-type]
        pytest.param(Form(2, "1", inner=Inner("a\x00b")), "note", id="NUL deep inside"),
        pytest.param(
            Form(2, "1", inner=Inner("x", when=NOW)),  # type: ignore[arg-type]
            "when",
            id="a time where a date belongs",
        ),
        pytest.param(Form(2, "1", token="abc"), "token", id="text for a token"),  # type: ignore[arg-type]
        pytest.param(Form(2, "1", seen=[1, "2"]), "seen", id="text in a list of numbers"),  # type: ignore[list-item]
    ],
)
def test_a_field_of_the_wrong_type_is_refused_naming_the_field(
    counter: StandIn, form: Form, field: str
) -> None:
    assert set(refused(lambda: counter.take(7, form, Role.AGENT, NOW, True))) == {field}


@pytest.mark.parametrize(
    "text",
    ["a\x00b", "a\ud800b", "\udfff", "\ud83d\ude00"],  # the last: a pair Python keeps as two halves
    ids=["NUL", "high surrogate", "low surrogate", "split pair"],
)
def test_text_that_cannot_be_stored_is_refused_naming_the_field(
    counter: StandIn, text: str
) -> None:
    fields = refused(lambda: counter.text("fine", text))
    assert set(fields) == {"reference"}
    assert "retype it" in fields["reference"]


def test_every_problem_is_reported_at_once(counter: StandIn) -> None:
    form = Form(guests="2", price=1.5)  # type: ignore[arg-type]
    fields = refused(lambda: counter.take("x", form, "agent", NOW, True))  # type: ignore[arg-type]
    assert set(fields) == {"booking_id", "guests", "price", "role"}
    assert fields["role"].startswith("Role must be one of: user, admin, moderator, agent")


@pytest.mark.parametrize("ident", [2**63, -(2**63) - 1, 10**30])
def test_an_id_beyond_64_bits_is_not_found(counter: StandIn, ident: int) -> None:
    with pytest.raises(NotFound, match="There is no booking number"):
        counter.take(ident, GOOD, Role.AGENT, NOW, True)


def test_a_large_number_that_is_not_an_id_is_a_validation_error(counter: StandIn) -> None:
    fields = refused(lambda: counter.take(7, Form(2**63, "1"), Role.AGENT, NOW, True))
    assert fields == {"guests": "Guests is too large."}


def test_private_methods_are_left_alone_and_public_ones_keep_their_signature(
    counter: StandIn,
) -> None:
    assert counter._private("not a number") == "ran"  # type: ignore[arg-type]
    assert list(inspect.signature(StandIn.take).parameters) == [
        "self",
        "booking_id",
        "form",
        "role",
        "at",
        "flag",
    ]
    assert unchecked_hints(StandIn.take) == []


def test_a_parameter_type_the_boundary_cannot_check_is_reported() -> None:
    class Odd(Service):
        def call(self, callback: Callable[[], None]) -> None:
            return None

    assert unchecked_hints(Odd.call) == ["callback"]
    with pytest.raises(TypeError, match="cannot check"):
        Odd(None).call(lambda: None)  # type: ignore[arg-type]
