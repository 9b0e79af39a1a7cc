"""The audit trail: one row per change in the change's transaction, no secrets, append-only."""

from __future__ import annotations

import ast
import ipaddress
import logging
import re
import socket
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

import desktop.services
from desktop import logs
from desktop.bootstrap import BackOffice, build
from desktop.db.uow import unit_of_work_factory
from desktop.domain.audit import AUDIT_ACTIONS
from desktop.domain.enums import PaymentStatus, Role
from desktop.domain.errors import AuthenticationFailed, Conflict, TooManyAttempts, ValidationError
from desktop.domain.listing import AuditFilter, PageRequest, PersonFilter, Sort
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.passwords import Passwords
from desktop.services.people import PersonDetails
from desktop.services.reviews import NewReview
from desktop.version import __version__, user_agent
from tests.factories import let_days_pass
from tests.services.conftest import (
    FAST_HASHING,
    PASSWORD,
    TEST_AUDIT,
    FakeClock,
    destination_draft,
)

CHANGED_PASSWORD = "my own new passphrase"
RESET_PASSWORD = "an administrator's reset"
GUESSED_PASSWORD = "somebody's wild guess"
PLAINTEXT_PASSWORDS = (PASSWORD, CHANGED_PASSWORD, RESET_PASSWORD, GUESSED_PASSWORD)


class AuditTrail:
    """The rows written since the last look."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.last_id = 0

    def new_rows(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = [
                dict(r._mapping)
                for r in conn.execute(
                    text(
                        "SELECT id, user_id, action, resource_type, resource_id, old_values, "
                        "new_values, host(ip_address) AS ip, user_agent FROM audit_logs "
                        "WHERE id > :last ORDER BY id"
                    ),
                    {"last": self.last_id},
                )
            ]
        if rows:
            self.last_id = rows[-1]["id"]
        return rows

    def one_row(
        self, actor: Actor | None, action: str, resource_type: str, resource_id: int | None
    ) -> dict[str, Any]:
        """The change wrote exactly one row, naming who, what, where from."""
        rows = self.new_rows()
        assert [r["action"] for r in rows] == [action]
        [row] = rows
        assert row["user_id"] == (actor.id if actor is not None else None)
        assert (row["resource_type"], row["resource_id"]) == (resource_type, resource_id)
        assert (row["ip"], row["user_agent"]) == (TEST_AUDIT.ip_address, TEST_AUDIT.user_agent)
        return row


def _all_rows_as_json(engine: Engine) -> str:
    with engine.connect() as conn:
        return "\n".join(
            conn.execute(
                text("SELECT row_to_json(a)::text FROM audit_logs a ORDER BY id")
            ).scalars()
        )


def _count(engine: Engine, sql: str, **params: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


# -- one row per change --------------------------------------------------------------------


def test_every_change_through_a_service_writes_one_audit_row(
    engine: Engine, office: BackOffice, clock: FakeClock
) -> None:
    trail = AuditTrail(engine)
    admin = office.auth.create_first_admin("Ada Admin", "ada@office.example", PASSWORD)
    trail.one_row(admin, "staff.create_first_admin", "user", admin.id)

    assert office.auth.sign_in(admin.email, PASSWORD) == admin
    trail.one_row(admin, "auth.sign_in", "user", admin.id)
    with pytest.raises(AuthenticationFailed):
        office.auth.sign_in(admin.email, GUESSED_PASSWORD)
    trail.one_row(None, "auth.sign_in_failed", "user", None)

    alex = office.staff.create(
        admin, PersonDetails("Alex Agent", "alex@office.example"), Role.AGENT, PASSWORD
    )
    trail.one_row(admin, "staff.create", "user", alex.id)
    agent = Actor(alex.id, alex.name, alex.email, alex.role)
    alex = office.staff.update(
        admin,
        alex.id,
        alex.version,
        PersonDetails("Alex Agent", alex.email, "+1 555 0199"),
        alex.role,
    )
    row = trail.one_row(admin, "staff.update", "user", alex.id)
    assert (row["old_values"], row["new_values"]) == ({"phone": None}, {"phone": "+1 555 0199"})
    office.staff.reset_password(admin, agent.id, RESET_PASSWORD)
    trail.one_row(admin, "staff.password_reset", "user", agent.id)
    office.auth.change_own_password(agent, RESET_PASSWORD, CHANGED_PASSWORD)
    trail.one_row(agent, "staff.password_change", "user", agent.id)

    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    trail.one_row(agent, "customer.create", "user", ann.id)
    ann = office.customers.update(agent, ann.id, ann.version, PersonDetails("Ann Lee", "ann@x.org"))
    row = trail.one_row(agent, "customer.update", "user", ann.id)
    assert (row["old_values"], row["new_values"]) == (
        {"email": "ann@example.com"},
        {"email": "ann@x.org"},
    )

    dest = office.destinations.create(admin, destination_draft())
    trail.one_row(admin, "destination.create", "destination", dest.id)
    dest = office.destinations.update(admin, dest.id, dest.version, destination_draft(duration=8))
    row = trail.one_row(admin, "destination.update", "destination", dest.id)
    assert (row["old_values"], row["new_values"]) == ({"duration": 7}, {"duration": 8})

    start = clock.today() + timedelta(days=10)
    booking = office.bookings.create(
        agent, NewBooking(ann.id, dest.id, start, start + timedelta(days=7), 2, None, uuid.uuid4())
    )
    trail.one_row(agent, "booking.create", "booking", booking.id)
    booking = office.bookings.change_stay(
        agent, booking.id, booking.version, StayChange(start, start + timedelta(days=7), 3, None)
    )
    trail.one_row(agent, "booking.change", "booking", booking.id)
    booking = office.bookings.confirm(agent, booking.id, booking.version)
    trail.one_row(agent, "booking.confirm", "booking", booking.id)
    booking = office.bookings.record_payment(
        agent, booking.id, booking.version, PaymentStatus.PAID, "pi_42"
    )
    trail.one_row(agent, "booking.payment", "booking", booking.id)
    let_days_pass(engine, 18)  # the stay is over (no audit row: below the services)
    booking = office.bookings.get(agent, booking.id)
    booking = office.bookings.complete(agent, booking.id, booking.version)
    trail.one_row(agent, "booking.complete", "booking", booking.id)

    review = office.reviews.create(agent, NewReview(ann.id, booking.id, 5, "Wonderful"))
    trail.one_row(agent, "review.create", "review", review.id)
    office.reviews.mark_helpful(agent, review.id)
    trail.one_row(agent, "review.helpful", "review", review.id)
    office.reviews.delete(admin, review.id)
    trail.one_row(admin, "review.delete", "review", review.id)

    dest = office.destinations.get(admin, dest.id)
    office.destinations.remove(admin, dest.id, dest.version)  # booked: deactivated, kept
    trail.one_row(admin, "destination.deactivate", "destination", dest.id)


def test_reading_writes_nothing(engine: Engine, office: BackOffice, admin: Actor) -> None:
    trail = AuditTrail(engine)
    trail.new_rows()
    office.auth.needs_first_admin()
    office.audit.actions(admin)
    office.customers.count(admin, PersonFilter())
    office.staff.page(admin, PersonFilter(), PageRequest(Sort("id")))
    assert trail.new_rows() == []


def test_a_workstation_names_the_application_its_version_and_host(engine: Engine) -> None:
    office = build(engine, passwords=Passwords(FAST_HASHING))  # the audit context of this computer
    admin = office.auth.create_first_admin("Ada Admin", "ada@office.example", PASSWORD)
    [row] = AuditTrail(engine).new_rows()

    host = socket.gethostname()
    assert row["user_id"] == admin.id
    assert row["user_agent"] == user_agent(host)
    assert row["user_agent"].startswith(f"ExoticTravelBackOffice/{__version__} ")
    assert host in row["user_agent"]
    assert ipaddress.ip_address(row["ip"])  # the workstation's address on the way to the server


# -- nothing secret ------------------------------------------------------------------------


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The application's log configured into a temporary folder, removed afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    path = logs.configure(tmp_path, console_level=logging.CRITICAL)
    yield path
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def _log_the_way_the_window_does(exc: BaseException) -> None:
    logging.getLogger("desktop.ui.errors").error(
        "Unexpected error", exc_info=(type(exc), exc, exc.__traceback__)
    )
    logging.getLogger("desktop.ui.errors").info("Refused: %s: %s", type(exc).__name__, exc)


def test_no_password_or_hash_reaches_the_audit_trail_or_the_log(
    engine: Engine, office: BackOffice, passwords: Passwords, log_file: Path
) -> None:
    admin = office.auth.create_first_admin("Ada Admin", "ada@office.example", PASSWORD)
    alex = office.staff.create(
        admin, PersonDetails("Alex", "alex@office.example"), Role.AGENT, PASSWORD
    )
    agent = Actor(alex.id, alex.name, alex.email, alex.role)
    office.staff.reset_password(admin, agent.id, RESET_PASSWORD)
    office.auth.change_own_password(agent, RESET_PASSWORD, CHANGED_PASSWORD)
    office.auth.sign_in(agent.email, CHANGED_PASSWORD)
    failures: list[BaseException] = []
    for email, password in [
        (agent.email, GUESSED_PASSWORD),
        (GUESSED_PASSWORD, PASSWORD),  # the password typed into the e-mail field
        (f"{GUESSED_PASSWORD}@office.example", PASSWORD),
        *[(agent.email, PASSWORD)] * 4,
        (agent.email, CHANGED_PASSWORD),  # throttled by now
    ]:
        with pytest.raises(AuthenticationFailed) as failed:
            office.auth.sign_in(email, password)
        failures.append(failed.value)
    assert isinstance(failures[-1], TooManyAttempts)
    with pytest.raises(ValidationError) as refused:
        office.staff.reset_password(admin, agent.id, agent.email.upper())
    failures.append(refused.value)
    # A database error on a statement that carries a real hash among its parameters:
    # the engine hides parameters from error texts, and the log masks what slips through.
    with pytest.raises(DBAPIError) as db_error, unit_of_work_factory(engine)() as uow:
        uow.people.add(
            {"name": "N" * 300, "email": "n@x.org", "password_hash": passwords.hash(PASSWORD)}
        )
    assert "$argon2id$" not in str(db_error.value)
    failures.append(db_error.value)
    for failure in failures:
        _log_the_way_the_window_does(failure)
    logging.getLogger("desktop.test").info("Connecting with password=%s", RESET_PASSWORD)

    audit_json = _all_rows_as_json(engine)
    logged = log_file.read_text("utf-8")
    assert "auth.sign_in_failed" in audit_json
    assert "Unexpected error" in logged
    for where, content in (("audit trail", audit_json), ("log file", logged)):
        assert "$argon2" not in content.replace("$argon2***", ""), where
        for plaintext in PLAINTEXT_PASSWORDS:
            assert plaintext not in content, f"{plaintext!r} in the {where}"


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        ("postgresql+psycopg://clerk:s3cret-pw@db.office/et", "postgresql+psycopg://clerk:***@"),
        ("password=s3cret-pw host=db", "host=db"),
        ("{'name': 'Ann', 'password_hash': '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA'}", "'Ann'"),
        ("{'new_password': 's3cret-pw with spaces', 'x': 1}", "'x': 1"),
        ('{"current_password": "s3cret-pw"}', '"current_password": ***'),
        ("stored $argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA (rehashed)", "(rehashed)"),
    ],
)
def test_the_log_masks_secrets(message: str, kept: str) -> None:
    redacted = logs.redact(message)
    assert "s3cret-pw" not in redacted
    assert "aGFzaA" not in redacted
    assert kept in redacted


# -- append-only ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_logs SET action = 'nothing.happened'",
        "UPDATE audit_logs SET user_id = NULL, action = 'nothing.happened'",
        "DELETE FROM audit_logs",
        "TRUNCATE audit_logs",
    ],
)
def test_audit_rows_cannot_be_changed_or_deleted(
    engine: Engine, office: BackOffice, admin: Actor, statement: str
) -> None:
    before = _all_rows_as_json(engine)
    with pytest.raises(DBAPIError, match="the audit log is append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert _all_rows_as_json(engine) == before != ""


def test_deleting_a_staff_account_keeps_its_rows_without_the_name(
    engine: Engine, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    written = _count(engine, "SELECT count(*) FROM audit_logs WHERE user_id = :id", id=agent.id)
    assert written == 1

    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": agent.id})

    assert _count(engine, "SELECT count(*) FROM audit_logs WHERE user_id = :id", id=agent.id) == 0
    assert _count(engine, "SELECT count(*) FROM audit_logs WHERE action = 'customer.create'") == 1
    assert (
        _count(
            engine,
            "SELECT count(*) FROM audit_logs WHERE action = 'customer.create' AND user_id IS NULL",
        )
        == 1
    )


def test_the_acting_staff_member_cannot_be_erased_while_the_account_exists(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_logs SET user_id = NULL"))


# -- the same transaction ------------------------------------------------------------------


REFUSE_AT_COMMIT = """
CREATE FUNCTION refuse_at_commit() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'refused at commit' USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT OR UPDATE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({condition})
    EXECUTE FUNCTION refuse_at_commit();
"""


def _refuse_at_commit(engine: Engine, table: str, condition: str) -> None:
    """The database refuses the transaction at COMMIT, after everything was written."""
    with engine.begin() as conn:
        conn.execute(text(REFUSE_AT_COMMIT.format(table=table, condition=condition)))


def test_a_change_that_fails_at_commit_leaves_no_audit_row(
    engine: Engine, office: BackOffice, agent: Actor
) -> None:
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    _refuse_at_commit(engine, "users", "NEW.name = 'Refused At Commit'")
    trail = AuditTrail(engine)
    trail.new_rows()

    with pytest.raises(DBAPIError, match="refused at commit"):
        office.customers.update(
            agent, ann.id, ann.version, PersonDetails("Refused At Commit", ann.email)
        )

    assert trail.new_rows() == []
    assert office.customers.get(agent, ann.id) == ann


def test_a_change_whose_audit_row_fails_is_not_saved(
    engine: Engine, office: BackOffice, agent: Actor
) -> None:
    _refuse_at_commit(engine, "audit_logs", "NEW.action = 'customer.create'")
    customers = _count(engine, "SELECT count(*) FROM users WHERE role = 'user'")

    with pytest.raises(DBAPIError, match="refused at commit"):
        office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))

    assert _count(engine, "SELECT count(*) FROM users WHERE role = 'user'") == customers
    assert _count(engine, "SELECT count(*) FROM audit_logs WHERE action = 'customer.create'") == 0


def test_a_refused_change_writes_no_audit_row(
    engine: Engine, office: BackOffice, agent: Actor
) -> None:
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    office.customers.update(agent, ann.id, ann.version, PersonDetails("Ann Smith", ann.email))
    trail = AuditTrail(engine)
    trail.new_rows()

    with pytest.raises(Conflict):
        office.customers.update(agent, ann.id, ann.version, PersonDetails("Ann Jones", ann.email))
    with pytest.raises(ValidationError):
        office.customers.update(agent, ann.id, ann.version, PersonDetails("", ann.email))

    assert trail.new_rows() == []


# -- the log's filters ---------------------------------------------------------------------


def test_the_action_filter_takes_the_applications_actions_and_what_other_clients_recorded(
    engine: Engine, office: BackOffice, admin: Actor
) -> None:
    with engine.begin() as conn:  # the web shop writes to the same log
        conn.execute(
            text(
                "INSERT INTO audit_logs (action, resource_type, resource_id) "
                "VALUES ('shop.checkout', 'cart', 7)"
            )
        )
    request = PageRequest(Sort("id"))

    shop = office.audit.page(admin, AuditFilter(action="shop.checkout"), request)
    assert [(e.action, e.resource_type) for e in shop.rows] == [("shop.checkout", "cart")]
    carts = office.audit.count(admin, AuditFilter(resource_type="cart"))
    assert carts.value == 1
    none_yet = office.audit.page(admin, AuditFilter(action="booking.cancel"), request)
    assert none_yet.rows == ()

    with pytest.raises(ValidationError) as refused:
        office.audit.page(admin, AuditFilter(action="booking.cancelled"), request)
    assert set(refused.value.fields) == {"action"}
    assert "choose one from the list" in refused.value.message
    with pytest.raises(ValidationError) as refused:
        office.audit.count(admin, AuditFilter(resource_type="x" * 101))
    assert set(refused.value.fields) == {"resource_type"}


def test_the_list_of_audit_actions_is_what_the_services_record(office: BackOffice) -> None:
    """AUDIT_ACTIONS (what the log's filter offers) names every action the services write, and
    no other; recording one outside it is a programming error, caught at once."""
    action = re.compile(r"(auth|booking|customer|destination|image|review|staff)\.[a-z_]+")
    written = {
        node.value
        for source in Path(desktop.services.__file__).parent.glob("*.py")
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and action.fullmatch(node.value)
    }
    assert written == set(AUDIT_ACTIONS)

    ctx = office.bookings.ctx
    with pytest.raises(ValueError, match="not an audit action"), ctx.units_of_work() as uow:
        ctx.record(uow, None, "booking.teleport", "booking", 1)
