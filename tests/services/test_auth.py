"""Signing in: Argon2id, one answer for every failure, throttling, the first administrator."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import URL, Engine, text

from desktop.bootstrap import BackOffice, build
from desktop.db.engine import build_engine
from desktop.domain.enums import Role
from desktop.domain.errors import (
    AuthenticationFailed,
    PermissionDenied,
    TooManyAttempts,
    ValidationError,
)
from desktop.domain.permissions import Actor
from desktop.services.auth import MAX_FAILURES, WRONG_CREDENTIALS
from desktop.services.context import AuditContext
from desktop.services.passwords import UNUSABLE, HashParameters, Passwords
from desktop.services.people import PersonDetails
from tests.services.conftest import FAST_HASHING, PASSWORD, TEST_AUDIT, FakeClock

PRODUCTION_PREFIX = "$argon2id$v=19$m=65536,t=3,p=4$"
FAST_PREFIX = (
    f"$argon2id$v=19$m={FAST_HASHING.memory_cost_kib},"
    f"t={FAST_HASHING.time_cost},p={FAST_HASHING.parallelism}$"
)
NEW_PASSWORD = "a different long passphrase"


def _stored_hash(engine: Engine, person_id: int) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT password_hash FROM users WHERE id = :id"), {"id": person_id}
            ).scalar_one()
        )


def _actions(engine: Engine, action: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT * FROM audit_logs WHERE action = :action ORDER BY id"), {"action": action}
        )
        return [dict(r._mapping) for r in rows]


def _insert_customer(engine: Engine, email: str, password_hash: str = UNUSABLE) -> int:
    """A customer row as another client of the shared database may have written it."""
    with engine.begin() as conn:
        return int(
            conn.execute(
                text(
                    "INSERT INTO users (name, email, password_hash, role) "
                    "VALUES ('Cora Customer', :email, :hash, 'user') RETURNING id"
                ),
                {"email": email, "hash": password_hash},
            ).scalar_one()
        )


def _insert_old_failures(engine: Engine, email: str, count: int, minutes_ago: int) -> None:
    """Failed sign-ins from the past (audit_logs accepts INSERT with an explicit time)."""
    with engine.begin() as conn:
        for _ in range(count):
            conn.execute(
                text(
                    "INSERT INTO audit_logs (action, resource_type, new_values, created_at) "
                    "VALUES ('auth.sign_in_failed', 'user', jsonb_build_object('email', "
                    "CAST(:email AS text)), now() - make_interval(mins => :minutes))"
                ),
                {"email": email, "minutes": minutes_ago},
            )


def _fail(office: BackOffice, email: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationFailed) as failure:
            office.auth.sign_in(email, "not the password at all")
        assert type(failure.value) is AuthenticationFailed


@pytest.fixture
def verified_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hash Argon2 verifies a password against (the real verification still runs)."""
    seen: list[str] = []
    original: Callable[..., Any] = PasswordHasher.verify

    def spy(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> Any:
        seen.append(hash.decode() if isinstance(hash, bytes) else hash)
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return seen


# -- hashing -----------------------------------------------------------------------------


def test_production_hashes_are_argon2id_with_rfc_9106_low_memory_parameters() -> None:
    production = Passwords()
    hashed = production.hash(PASSWORD)
    assert hashed.startswith(PRODUCTION_PREFIX)
    assert production.verify(hashed, PASSWORD)
    assert not production.verify(hashed, PASSWORD + "!")
    assert not production.needs_rehash(hashed)


def test_staff_passwords_are_stored_as_argon2id_hashes(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    stored = _stored_hash(engine, admin.id)
    assert stored.startswith(FAST_PREFIX)
    assert PASSWORD not in stored


def test_sign_in_rehashes_a_hash_made_with_other_parameters(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    stronger = HashParameters(time_cost=2, memory_cost_kib=2048, parallelism=2)
    upgraded = build(engine, passwords=Passwords(stronger), audit=TEST_AUDIT)
    before = _stored_hash(engine, admin.id)

    with pytest.raises(AuthenticationFailed):
        upgraded.auth.sign_in(admin.email, "a wrong password!")
    assert _stored_hash(engine, admin.id) == before, "only a correct password is rehashed"

    upgraded.auth.sign_in(admin.email, PASSWORD)
    after = _stored_hash(engine, admin.id)
    assert after.startswith("$argon2id$v=19$m=2048,t=2,p=2$")
    assert _actions(engine, "auth.sign_in")[-1]["new_values"] == {"password_rehashed": True}
    upgraded.auth.sign_in(admin.email, PASSWORD)
    assert _stored_hash(engine, admin.id) == after, "a current hash is left alone"
    office.auth.sign_in(admin.email, PASSWORD)  # the old parameters again: rehashed back
    assert _stored_hash(engine, admin.id).startswith(FAST_PREFIX)


# -- one answer for every failure ----------------------------------------------------------


def test_sign_in_returns_the_staff_member(office: BackOffice, admin: Actor) -> None:
    assert office.auth.sign_in("  ADA@Office.Example ", PASSWORD) == admin


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("ada@office.example", "not the password!", id="wrong password"),
        pytest.param("nobody@office.example", PASSWORD, id="unknown e-mail"),
        pytest.param("cora@example.com", PASSWORD, id="customer without a password"),
        pytest.param("carl@example.com", PASSWORD, id="customer with a password"),
        pytest.param("not an e-mail", PASSWORD, id="not an e-mail"),
        pytest.param("", "", id="empty"),
    ],
)
def test_every_failed_sign_in_gets_the_same_message_and_one_argon2_verification(
    engine: Engine,
    office: BackOffice,
    passwords: Passwords,
    admin: Actor,
    verified_hashes: list[str],
    email: str,
    password: str,
) -> None:
    _insert_customer(engine, "cora@example.com")
    # A customer of the web shop sharing the database: a real hash, still no way in here.
    _insert_customer(engine, "carl@example.com", passwords.hash(PASSWORD))
    verified_hashes.clear()

    with pytest.raises(AuthenticationFailed) as failure:
        office.auth.sign_in(email, password)

    assert type(failure.value) is AuthenticationFailed
    assert failure.value.message == WRONG_CREDENTIALS
    # Constant work: exactly one real Argon2id verification with the configured parameters,
    # whether or not the e-mail belongs to an account with a usable hash.
    assert len(verified_hashes) == 1
    assert verified_hashes[0].startswith(FAST_PREFIX)


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        pytest.param("ada\x00@office.example", PASSWORD, "email", id="NUL in the e-mail"),
        pytest.param("ada@office.example", "broken \ud800 text", "password", id="lone surrogate"),
        pytest.param("ada@office.example", "x" * 1025, "password", id="longer than any password"),
    ],
)
def test_text_no_password_can_hold_is_refused_before_anything_is_hashed_or_counted(
    engine: Engine,
    office: BackOffice,
    admin: Actor,
    verified_hashes: list[str],
    email: str,
    password: str,
    field: str,
) -> None:
    """It cannot match any account, so it says which field to retype and counts no failure."""
    verified_hashes.clear()
    with pytest.raises(ValidationError) as refused:
        office.auth.sign_in(email, password)
    assert set(refused.value.fields) == {field}
    assert verified_hashes == []
    assert _actions(engine, "auth.sign_in_failed") == []


def test_an_unknown_e_mail_is_verified_against_a_decoy_hash(
    engine: Engine, office: BackOffice, admin: Actor, verified_hashes: list[str]
) -> None:
    verified_hashes.clear()
    with pytest.raises(AuthenticationFailed):
        office.auth.sign_in("nobody@office.example", PASSWORD)
    assert len(verified_hashes) == 1
    assert verified_hashes[0] != _stored_hash(engine, admin.id)
    assert verified_hashes[0].startswith(FAST_PREFIX)


def test_an_unreadable_stored_hash_still_costs_one_argon2_verification(
    engine: Engine, office: BackOffice, admin: Actor, verified_hashes: list[str]
) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE users SET password_hash = :h WHERE id = :id"),
            {"h": "$2b$12$a.bcrypt.hash.from.another.client", "id": admin.id},
        )
    verified_hashes.clear()
    with pytest.raises(AuthenticationFailed) as failure:
        office.auth.sign_in(admin.email, PASSWORD)
    assert failure.value.message == WRONG_CREDENTIALS
    assert len(verified_hashes) == 1
    assert verified_hashes[0].startswith(FAST_PREFIX)


def test_sign_ins_and_failures_are_audited_without_the_password(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    office.auth.sign_in(admin.email, PASSWORD)
    _fail(office, "Ada@Office.example")
    with pytest.raises(AuthenticationFailed):
        office.auth.sign_in(PASSWORD, "typed the password into the e-mail field")

    [signed_in] = _actions(engine, "auth.sign_in")
    assert signed_in["user_id"] == admin.id
    assert (signed_in["resource_type"], signed_in["resource_id"]) == ("user", admin.id)
    failures = _actions(engine, "auth.sign_in_failed")
    assert [f["new_values"] for f in failures] == [
        {"email": "ada@office.example"},
        {"email": "(not an e-mail address)"},
    ]
    assert all(f["user_id"] is None for f in failures)
    assert all(str(f["ip_address"]) == TEST_AUDIT.ip_address for f in failures)


# -- throttling ----------------------------------------------------------------------------


def test_five_failures_pause_signing_in_for_fifteen_minutes(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    _fail(office, admin.email, MAX_FAILURES)

    with pytest.raises(TooManyAttempts) as paused:
        office.auth.sign_in(admin.email, PASSWORD)  # the right password does not help

    assert 14 * 60 < paused.value.wait_seconds <= 15 * 60
    assert "Try again in 15 minutes" in paused.value.message
    assert len(_actions(engine, "auth.sign_in")) == 0


def test_a_workstation_clock_an_hour_fast_does_not_end_the_pause(
    office: BackOffice, admin: Actor, clock: FakeClock
) -> None:
    """The window and the wait are the server's: a PC's clock cannot lift the pause."""
    _fail(office, admin.email, MAX_FAILURES)
    clock.advance(hours=1)

    with pytest.raises(TooManyAttempts) as paused:
        office.auth.sign_in(admin.email, PASSWORD)

    assert 14 * 60 < paused.value.wait_seconds <= 15 * 60


def test_throttled_attempts_are_audited_but_do_not_extend_the_pause(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    _fail(office, admin.email, MAX_FAILURES)
    for _ in range(3):
        with pytest.raises(TooManyAttempts):
            office.auth.sign_in(admin.email, "still guessing...")
    assert len(_actions(engine, "auth.sign_in_failed")) == MAX_FAILURES
    throttled = _actions(engine, "auth.sign_in_throttled")
    assert [t["new_values"] for t in throttled] == [{"email": admin.email}] * 3


def test_the_count_is_per_e_mail_whatever_its_case(
    office: BackOffice, admin: Actor, agent: Actor
) -> None:
    _fail(office, " ADA@office.example", MAX_FAILURES - 1)
    _fail(office, "Ada@Office.Example")
    with pytest.raises(TooManyAttempts):
        office.auth.sign_in(admin.email, PASSWORD)
    assert office.auth.sign_in(agent.email, PASSWORD) == agent


@pytest.fixture
def second_workstation(database_url: URL) -> Iterator[BackOffice]:
    """Another computer: its own engine and connections to the same database."""
    engine = build_engine(database_url)
    other = build(
        engine,
        passwords=Passwords(FAST_HASHING),
        audit=AuditContext("10.20.30.41", TEST_AUDIT.user_agent),
    )
    yield other
    other.close()


def test_the_pause_holds_on_every_workstation(
    office: BackOffice, second_workstation: BackOffice, admin: Actor
) -> None:
    _fail(office, admin.email, 3)
    _fail(second_workstation, admin.email, 2)
    for workstation in (office, second_workstation):
        with pytest.raises(TooManyAttempts):
            workstation.auth.sign_in(admin.email, PASSWORD)


def test_failures_older_than_fifteen_minutes_do_not_count(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    _insert_old_failures(engine, admin.email, 10, minutes_ago=16)
    assert office.auth.sign_in(admin.email, PASSWORD) == admin


def test_the_wait_counts_from_the_oldest_failure_in_the_window(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    _insert_old_failures(engine, admin.email, MAX_FAILURES - 1, minutes_ago=10)
    _fail(office, admin.email)

    with pytest.raises(TooManyAttempts) as paused:
        office.auth.sign_in(admin.email, PASSWORD)

    assert 4 * 60 < paused.value.wait_seconds <= 5 * 60
    assert "Try again in 5 minutes" in paused.value.message


def test_simultaneous_guesses_get_no_more_than_five_tries(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    attempts = 12
    start = threading.Barrier(attempts)

    def guess(n: int) -> type[AuthenticationFailed] | None:
        start.wait()
        try:
            office.auth.sign_in(admin.email, f"guess number {n:04}")
        except AuthenticationFailed as exc:
            return type(exc)
        return None

    with ThreadPoolExecutor(attempts) as pool:
        outcomes = list(pool.map(guess, range(attempts)))

    assert outcomes.count(AuthenticationFailed) == MAX_FAILURES
    assert outcomes.count(TooManyAttempts) == attempts - MAX_FAILURES
    assert len(_actions(engine, "auth.sign_in_failed")) == MAX_FAILURES


# -- the first administrator ---------------------------------------------------------------


def test_the_first_administrator_is_created_once(engine: Engine, office: BackOffice) -> None:
    assert office.auth.needs_first_admin()
    first = office.auth.create_first_admin(" Ada Admin ", "Ada@Office.example", PASSWORD)
    assert (first.name, first.email, first.role) == ("Ada Admin", "ada@office.example", Role.ADMIN)
    assert not office.auth.needs_first_admin()

    with pytest.raises(PermissionDenied, match="A staff account exists already"):
        office.auth.create_first_admin("Eve", "eve@office.example", PASSWORD)

    [created] = _actions(engine, "staff.create_first_admin")
    assert created["user_id"] == first.id
    assert created["new_values"] == {
        "name": "Ada Admin",
        "email": "ada@office.example",
        "role": "admin",
    }


def test_any_staff_account_means_no_first_administrator(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (name, email, password_hash, role) "
                "VALUES ('Alex', 'alex@office.example', '!', 'agent')"
            )
        )
    office = build(engine, passwords=Passwords(FAST_HASHING), audit=TEST_AUDIT)
    assert not office.auth.needs_first_admin()
    with pytest.raises(PermissionDenied):
        office.auth.create_first_admin("Ada Admin", "ada@office.example", PASSWORD)


def test_customers_do_not_count_as_staff_but_keep_their_e_mail(
    engine: Engine, office: BackOffice
) -> None:
    _insert_customer(engine, "cora@example.com")
    assert office.auth.needs_first_admin()
    with pytest.raises(ValidationError) as refused:
        office.auth.create_first_admin("Cora", "Cora@example.com", PASSWORD)
    assert "customer record" in refused.value.fields["email"]
    assert office.auth.needs_first_admin()


@pytest.mark.parametrize(
    ("name", "email", "password", "field"),
    [
        ("", "ada@office.example", PASSWORD, "name"),
        ("A" * 256, "ada@office.example", PASSWORD, "name"),
        ("Ada", "ada at office", PASSWORD, "email"),
        ("Ada", "ada@office.example", "short pass", "password"),
        ("Ada", "ada@office.example", "ADA@office.example", "password"),
    ],
)
def test_a_refused_first_administrator_leaves_nothing(
    engine: Engine, office: BackOffice, name: str, email: str, password: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        office.auth.create_first_admin(name, email, password)
    assert field in refused.value.fields
    assert office.auth.needs_first_admin()
    assert _actions(engine, "staff.create_first_admin") == []


def test_simultaneous_first_administrators_make_exactly_one(
    engine: Engine, office: BackOffice
) -> None:
    contenders = 4
    start = threading.Barrier(contenders)

    def create(n: int) -> Actor | PermissionDenied:
        start.wait()
        try:
            return office.auth.create_first_admin(
                f"Admin {n}", f"admin{n}@office.example", PASSWORD
            )
        except PermissionDenied as exc:
            return exc

    with ThreadPoolExecutor(contenders) as pool:
        outcomes = list(pool.map(create, range(contenders)))

    assert sum(isinstance(o, Actor) for o in outcomes) == 1
    assert sum(isinstance(o, PermissionDenied) for o in outcomes) == contenders - 1
    with engine.connect() as conn:
        staff = conn.execute(text("SELECT count(*) FROM users WHERE role = 'admin'")).scalar_one()
    assert staff == 1


# -- one's own password --------------------------------------------------------------------


def test_staff_change_their_own_password_with_the_current_one(
    engine: Engine, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    office.auth.change_own_password(agent, PASSWORD, NEW_PASSWORD)

    assert office.auth.sign_in(agent.email, NEW_PASSWORD) == agent
    with pytest.raises(AuthenticationFailed):
        office.auth.sign_in(agent.email, PASSWORD)
    [changed] = _actions(engine, "staff.password_change")
    assert (changed["user_id"], changed["resource_id"]) == (agent.id, agent.id)
    assert changed["new_values"] == {"password_changed": True}


def test_a_wrong_current_password_changes_nothing(
    engine: Engine, office: BackOffice, agent: Actor
) -> None:
    before = _stored_hash(engine, agent.id)
    with pytest.raises(AuthenticationFailed, match="current password is wrong"):
        office.auth.change_own_password(agent, "not my password!", NEW_PASSWORD)
    assert _stored_hash(engine, agent.id) == before
    assert _actions(engine, "staff.password_change") == []


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        ("too short!", "at least 12 characters"),
        ("ALEX@office.example", "must not be the e-mail"),
        (PASSWORD, "must differ from the current one"),
    ],
)
def test_a_new_password_must_be_long_and_not_the_e_mail(
    engine: Engine, office: BackOffice, agent: Actor, new: str, problem: str
) -> None:
    before = _stored_hash(engine, agent.id)
    with pytest.raises(ValidationError) as refused:
        office.auth.change_own_password(agent, PASSWORD, new)
    assert problem in refused.value.fields["new_password"]
    assert _stored_hash(engine, agent.id) == before


def test_customers_have_no_password_to_change(office: BackOffice, agent: Actor) -> None:
    customer = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    as_actor = Actor(customer.id, customer.name, customer.email, customer.role)
    with pytest.raises(AuthenticationFailed):
        office.auth.change_own_password(as_actor, "!", NEW_PASSWORD)
