"""Customers and staff accounts: validation at the column limits, unique e-mails, versions."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, text

from desktop.bootstrap import BackOffice
from desktop.domain.enums import Role
from desktop.domain.errors import (
    AuthenticationFailed,
    Conflict,
    PermissionDenied,
    ValidationError,
)
from desktop.domain.listing import PageRequest, PersonFilter, Sort
from desktop.domain.permissions import Actor
from desktop.domain.records import PersonRow
from desktop.domain.validation import email_problem, unstorable
from desktop.services.people import PersonDetails
from tests.services.conftest import PASSWORD

ANN = PersonDetails("Ann Lee", "ann@example.com", "+44 20 7946 0000")
NEW_PASSWORD = "a brand new passphrase"


def _user_row(engine: Engine, person_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT *, xmin::text AS version FROM users WHERE id = :id"), {"id": person_id}
        ).one()
        return dict(row._mapping)


def _user_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM users")).scalar_one())


def _audit(engine: Engine, action: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT * FROM audit_logs WHERE action = :action ORDER BY id"), {"action": action}
        )
        return [dict(r._mapping) for r in rows]


def _as_actor(person: PersonRow) -> Actor:
    return Actor(person.id, person.name, person.email, person.role)


@pytest.fixture
def ann(office: BackOffice, agent: Actor) -> PersonRow:
    return office.customers.create(agent, ANN)


# -- customers: create ---------------------------------------------------------------------


def test_a_customer_is_created_clean_and_cannot_sign_in(
    engine: Engine, office: BackOffice, agent: Actor
) -> None:
    ann = office.customers.create(agent, PersonDetails("  Ann Lee ", " Ann@Example.COM ", ""))

    assert (ann.name, ann.email, ann.phone, ann.role) == (
        "Ann Lee",
        "ann@example.com",
        None,
        "user",
    )
    assert _user_row(engine, ann.id)["password_hash"] == "!"
    assert office.customers.get(agent, ann.id) == ann
    [created] = _audit(engine, "customer.create")
    assert (created["user_id"], created["resource_type"], created["resource_id"]) == (
        agent.id,
        "user",
        ann.id,
    )
    assert created["new_values"] == {"name": "Ann Lee", "email": "ann@example.com", "phone": None}


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        (
            PersonDetails("N" * 300, "ann@example.com"),
            "name",
            "Name is 300 characters long; at most 255 fit.",
        ),
        (PersonDetails("", "ann@example.com"), "name", "Name is required."),
        (PersonDetails("Ann\x00Lee", "ann@example.com"), "name", "Name"),
        (
            PersonDetails("Ann", "a" * 250 + "@example.com"),
            "email",
            "E-mail is 262 characters long; at most 255 fit.",
        ),
        (PersonDetails("Ann", "ann at example"), "email", "name@example.com"),
        (PersonDetails("Ann", "ann@example.com", "0" * 21), "phone", "at most 20 fit"),
        (PersonDetails("Ann", "ann@example.com", "call me maybe"), "phone", "Phone may hold"),
    ],
)
def test_bad_customer_details_are_named_by_field_and_nothing_is_saved(
    engine: Engine,
    office: BackOffice,
    agent: Actor,
    details: PersonDetails,
    field: str,
    message: str,
) -> None:
    users = _user_count(engine)
    with pytest.raises(ValidationError) as refused:
        office.customers.create(agent, details)
    assert message in refused.value.fields[field]
    assert _user_count(engine) == users
    assert _audit(engine, "customer.create") == []


def test_every_problem_is_reported_at_once(office: BackOffice, agent: Actor) -> None:
    with pytest.raises(ValidationError) as refused:
        office.customers.create(agent, PersonDetails("N" * 256, "nope", "x"))
    assert set(refused.value.fields) == {"name", "email", "phone"}


@pytest.mark.parametrize("email", ["ann@example.com", "ANN@Example.Com", " ann@EXAMPLE.com "])
def test_an_e_mail_in_use_is_refused_whatever_its_case(
    engine: Engine, office: BackOffice, agent: Actor, ann: PersonRow, email: str
) -> None:
    users = _user_count(engine)
    with pytest.raises(ValidationError) as refused:
        office.customers.create(agent, PersonDetails("Ann Other", email))
    assert refused.value.fields["email"] == (
        f"ann@example.com is already used by Ann Lee (#{ann.id}). Use another e-mail address."
    )
    assert _user_count(engine) == users


def test_a_staff_members_e_mail_is_taken_too(
    office: BackOffice, agent: Actor, admin: Actor
) -> None:
    with pytest.raises(ValidationError, match="already used by Ada Admin"):
        office.customers.create(agent, PersonDetails("Ada Lookalike", "ADA@office.example"))


def test_simultaneous_creates_with_one_e_mail_make_one_customer(
    engine: Engine, office: BackOffice, agent: Actor
) -> None:
    clerks = 6
    start = threading.Barrier(clerks)

    def create(n: int) -> PersonRow | ValidationError:
        start.wait()
        try:
            return office.customers.create(agent, PersonDetails(f"Ann {n}", "ann@example.com"))
        except ValidationError as exc:
            return exc

    with ThreadPoolExecutor(clerks) as pool:
        outcomes = list(pool.map(create, range(clerks)))

    created = [o for o in outcomes if isinstance(o, PersonRow)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(created) == 1
    assert len(refused) == clerks - 1
    assert all("already used by" in r.fields["email"] for r in refused)
    assert len(_audit(engine, "customer.create")) == 1


# -- customers: edit -----------------------------------------------------------------------


def test_an_edit_saves_and_audits_only_the_changed_fields(
    engine: Engine, office: BackOffice, agent: Actor, ann: PersonRow
) -> None:
    edited = office.customers.update(
        agent, ann.id, ann.version, PersonDetails("Ann Lee", "ann@example.com", "+1 555 0100")
    )

    assert edited.phone == "+1 555 0100"
    assert edited.version != ann.version
    [update] = _audit(engine, "customer.update")
    assert update["user_id"] == agent.id
    assert update["resource_id"] == ann.id
    assert update["old_values"] == {"phone": "+44 20 7946 0000"}
    assert update["new_values"] == {"phone": "+1 555 0100"}


def test_an_edit_that_changes_nothing_writes_nothing(
    engine: Engine, office: BackOffice, agent: Actor, ann: PersonRow
) -> None:
    same = office.customers.update(
        agent, ann.id, ann.version, PersonDetails(" Ann Lee ", "ANN@example.com", ANN.phone)
    )
    assert same.version == ann.version
    assert _audit(engine, "customer.update") == []


@pytest.mark.parametrize(
    ("details", "field"),
    [
        (PersonDetails("N" * 300, "ann@example.com"), "name"),
        (PersonDetails("Ann Lee", "BOB@example.com"), "email"),
        (PersonDetails("Ann Lee", "ann@example.com", "+" + "1" * 25), "phone"),
    ],
)
def test_a_refused_edit_leaves_the_customer_as_they_were(
    engine: Engine,
    office: BackOffice,
    agent: Actor,
    ann: PersonRow,
    details: PersonDetails,
    field: str,
) -> None:
    office.customers.create(agent, PersonDetails("Bob Ray", "bob@example.com"))
    before = _user_row(engine, ann.id)

    with pytest.raises(ValidationError) as refused:
        office.customers.update(agent, ann.id, ann.version, details)

    assert field in refused.value.fields
    assert _user_row(engine, ann.id) == before
    assert _audit(engine, "customer.update") == []


def test_an_edit_of_a_stale_version_is_a_conflict_and_keeps_the_other_edit(
    engine: Engine, office: BackOffice, agent: Actor, moderator: Actor, admin: Actor, ann: PersonRow
) -> None:
    first = office.customers.update(
        agent, ann.id, ann.version, PersonDetails("Ann Lee-Smith", "ann@example.com")
    )

    with pytest.raises(Conflict, match="Someone else changed this person") as conflict:
        office.customers.update(
            admin, ann.id, ann.version, PersonDetails("Ann Smith", "ann@example.com")
        )

    assert office.customers.get(agent, ann.id) == first
    assert conflict.value.current is not None
    assert conflict.value.current["name"] == "Ann Lee-Smith"
    assert "password_hash" not in conflict.value.current
    assert [u["user_id"] for u in _audit(engine, "customer.update")] == [agent.id]


def test_a_customer_may_keep_their_own_e_mail_in_another_case(
    office: BackOffice, agent: Actor, ann: PersonRow
) -> None:
    edited = office.customers.update(
        agent, ann.id, ann.version, PersonDetails("Ann Lee", "ANN@EXAMPLE.COM", ANN.phone)
    )
    assert edited.email == "ann@example.com"


def test_staff_accounts_are_not_customers(
    engine: Engine, office: BackOffice, agent: Actor, admin: Actor
) -> None:
    before = _user_row(engine, admin.id)
    with pytest.raises(PermissionDenied, match="staff account"):
        office.customers.update(
            agent, admin.id, str(before["version"]), PersonDetails("Hacked", admin.email)
        )
    with pytest.raises(PermissionDenied, match="staff account"):
        office.customers.get(agent, admin.id)
    assert _user_row(engine, admin.id) == before

    listed = office.customers.page(agent, PersonFilter(), PageRequest(Sort("id")))
    assert all(p.role == Role.USER for p in listed.rows)
    assert office.customers.count(agent, PersonFilter()).value == 0


def test_customers_are_found_by_part_of_name_e_mail_or_phone(
    office: BackOffice, agent: Actor, ann: PersonRow
) -> None:
    bob = office.customers.create(agent, PersonDetails("Bob Ray", "bob_ray@example.com"))
    cid = office.customers.create(agent, PersonDetails("Cid 100%", "cid@example.com"))

    def found(query: str) -> list[int]:
        page = office.customers.page(agent, PersonFilter(text=query), PageRequest(Sort("id")))
        return [p.id for p in page.rows]

    assert found("LEE") == [ann.id]
    assert found("7946") == [ann.id]
    assert found("b_r") == [bob.id]  # "_" is a letter here, not LIKE's wildcard
    assert found("0%") == [cid.id]


# -- staff accounts ------------------------------------------------------------------------


def test_a_staff_account_stores_a_hash_and_audits_no_password(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    mia = office.staff.create(
        admin, PersonDetails("Mia Moderator", "Mia@office.example"), Role.MODERATOR, PASSWORD
    )

    assert (mia.email, mia.role) == ("mia@office.example", Role.MODERATOR)
    assert office.auth.sign_in("mia@office.example", PASSWORD) == _as_actor(mia)
    [created] = _audit(engine, "staff.create")
    assert created["new_values"] == {
        "name": "Mia Moderator",
        "email": "mia@office.example",
        "phone": None,
        "role": "moderator",
    }


@pytest.mark.parametrize(
    ("role", "password", "field"),
    [
        (Role.USER, PASSWORD, "role"),
        (Role.AGENT, "eleven char", "password"),
        (Role.AGENT, "Sam@Office.Example", "password"),
    ],
)
def test_a_refused_staff_account_is_not_created(
    engine: Engine, office: BackOffice, admin: Actor, role: Role, password: str, field: str
) -> None:
    users = _user_count(engine)
    with pytest.raises(ValidationError) as refused:
        office.staff.create(admin, PersonDetails("Sam", "sam@office.example"), role, password)
    assert field in refused.value.fields
    assert _user_count(engine) == users


def test_staff_are_listed_without_customers(
    office: BackOffice, admin: Actor, agent: Actor, ann: PersonRow
) -> None:
    page = office.staff.page(admin, PersonFilter(), PageRequest(Sort("id")))
    assert [p.id for p in page.rows] == [admin.id, agent.id]
    only_agents = office.staff.page(
        admin, PersonFilter(roles=frozenset({Role.AGENT, Role.USER})), PageRequest(Sort("id"))
    )
    assert [p.id for p in only_agents.rows] == [agent.id]


def test_an_administrator_changes_a_role_and_the_audit_names_it(
    engine: Engine, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    current = _user_row(engine, agent.id)
    promoted = office.staff.update(
        admin,
        agent.id,
        str(current["version"]),
        PersonDetails(agent.name, agent.email),
        Role.MODERATOR,
    )
    assert promoted.role == Role.MODERATOR
    [update] = _audit(engine, "staff.update")
    assert (update["old_values"], update["new_values"]) == (
        {"role": "agent"},
        {"role": "moderator"},
    )


def test_a_staff_edit_of_a_stale_version_does_not_hand_out_the_hash(
    engine: Engine, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    stale = str(_user_row(engine, agent.id)["version"])
    office.auth.change_own_password(agent, PASSWORD, NEW_PASSWORD)
    with pytest.raises(Conflict) as conflict:
        office.staff.update(admin, agent.id, stale, PersonDetails("Alex", agent.email), Role.AGENT)
    assert conflict.value.current is not None
    assert conflict.value.current["name"] == agent.name
    assert "password_hash" not in conflict.value.current


def test_the_last_administrator_cannot_be_demoted(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    before = _user_row(engine, admin.id)
    with pytest.raises(ValidationError) as refused:
        office.staff.update(
            admin,
            admin.id,
            str(before["version"]),
            PersonDetails(admin.name, admin.email),
            Role.AGENT,
        )
    assert "last administrator" in refused.value.fields["role"]
    assert _user_row(engine, admin.id) == before


def test_an_administrator_can_be_demoted_while_another_remains(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    bea = office.staff.create(
        admin, PersonDetails("Bea", "bea@office.example"), Role.ADMIN, PASSWORD
    )
    version = str(_user_row(engine, admin.id)["version"])
    demoted = office.staff.update(
        _as_actor(bea), admin.id, version, PersonDetails(admin.name, admin.email), Role.MODERATOR
    )
    assert demoted.role == Role.MODERATOR


def test_two_administrators_demoting_each_other_leave_one(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    bea = office.staff.create(
        admin, PersonDetails("Bea", "bea@office.example"), Role.ADMIN, PASSWORD
    )
    pairs = [(admin, _as_actor(bea)), (_as_actor(bea), admin)]
    versions = {p.id: str(_user_row(engine, p.id)["version"]) for p in (admin, bea)}
    start = threading.Barrier(2)

    def demote(pair: tuple[Actor, Actor]) -> PersonRow | ValidationError:
        by, whom = pair
        start.wait()
        try:
            return office.staff.update(
                by, whom.id, versions[whom.id], PersonDetails(whom.name, whom.email), Role.AGENT
            )
        except ValidationError as exc:
            return exc

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(demote, pairs))

    assert sum(isinstance(o, PersonRow) for o in outcomes) == 1
    with engine.connect() as conn:
        admins = conn.execute(text("SELECT count(*) FROM users WHERE role = 'admin'")).scalar_one()
    assert admins == 1


def test_a_customer_is_not_edited_as_staff(
    engine: Engine, office: BackOffice, admin: Actor, ann: PersonRow
) -> None:
    with pytest.raises(PermissionDenied, match="customer record"):
        office.staff.update(admin, ann.id, ann.version, PersonDetails("Ann", ann.email), Role.ADMIN)
    assert _user_row(engine, ann.id)["role"] == "user"


def test_an_administrator_resets_another_staff_members_password(
    engine: Engine, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    office.staff.reset_password(admin, agent.id, NEW_PASSWORD)

    assert office.auth.sign_in(agent.email, NEW_PASSWORD) == agent
    with pytest.raises(AuthenticationFailed):
        office.auth.sign_in(agent.email, PASSWORD)
    [reset] = _audit(engine, "staff.password_reset")
    assert (reset["user_id"], reset["resource_id"]) == (admin.id, agent.id)
    assert reset["new_values"] == {"password_reset": True}


def test_a_refused_reset_keeps_the_old_password(
    engine: Engine, office: BackOffice, admin: Actor, agent: Actor, ann: PersonRow
) -> None:
    before = _user_row(engine, agent.id)["password_hash"]
    with pytest.raises(ValidationError, match="at least 12 characters"):
        office.staff.reset_password(admin, agent.id, "short")
    with pytest.raises(ValidationError, match="must not be the e-mail"):
        office.staff.reset_password(admin, agent.id, "ALEX@office.example")
    with pytest.raises(PermissionDenied, match="Customers have no password"):
        office.staff.reset_password(admin, ann.id, NEW_PASSWORD)
    assert _user_row(engine, agent.id)["password_hash"] == before
    assert _user_row(engine, ann.id)["password_hash"] == "!"
    assert _audit(engine, "staff.password_reset") == []


# -- the one e-mail rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("ann@example.com", None),
        ("  Ann.Lee+trips@Example.co.uk ", None),
        ("", "E-mail is required."),
        ("ann", "E-mail must look like name@example.com."),
        ("ann@example", "E-mail must look like name@example.com."),
        ("ann lee@example.com", "E-mail must look like name@example.com."),
        ("a@b@example.com", "E-mail must look like name@example.com."),
        ("x" * 250 + "@example.com", "at most 255 fit"),
        ("ann\x00@example.com", "NUL"),
        ("ann\ud800@example.com", "broken character"),
    ],
)
def test_the_editors_and_the_services_share_one_e_mail_rule(
    office: BackOffice, agent: Actor, typed: str, problem: str | None
) -> None:
    """``email_problem`` is what an editor asks as the person types; the service says the same."""
    said = email_problem(typed)
    if problem is None:
        assert said is None
        created = office.customers.create(agent, PersonDetails("Ann Lee", typed))
        assert created.email == typed.strip().lower()
        return
    assert said is not None
    assert problem in said
    with pytest.raises(ValidationError) as refused:
        office.customers.create(agent, PersonDetails("Ann Lee", typed))
    assert set(refused.value.fields) == {"email"}
    if unstorable(typed) is None:  # NUL and broken characters are stopped at the boundary first
        assert refused.value.fields["email"] == said
