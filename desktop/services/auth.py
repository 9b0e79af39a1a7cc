"""Signing in, the first administrator, and one's own password."""

from __future__ import annotations

import hashlib
import math
import re
from datetime import timedelta

from desktop.db.uow import UnitOfWork
from desktop.domain.enums import Role
from desktop.domain.errors import (
    AuthenticationFailed,
    PermissionDenied,
    TooManyAttempts,
    ValidationError,
)
from desktop.domain.permissions import Actor, is_staff
from desktop.domain.records import PersonRow
from desktop.domain.validation import (
    NAME_MAX,
    PASSWORD_MAX,
    Problems,
    check_password,
    clean_email,
    clean_text,
    new_password_problem,
)
from desktop.services.context import Service, ServiceContext
from desktop.services.passwords import Passwords

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
NOT_AN_EMAIL = "(not an e-mail address)"
WRONG_CREDENTIALS = "Wrong e-mail or password. Check both and try again."
_LOOKS_LIKE_EMAIL = re.compile(r"^[^@\s\x00-\x1f]{1,64}@[^@\s\x00-\x1f]{1,255}$")
_FIRST_ADMIN_LOCK = 0x45_78_6F_74_69_63  # any constant: serialises first-administrator creation


def _actor(person: PersonRow) -> Actor:
    return Actor(id=person.id, name=person.name, email=person.email, role=person.role)


def _attempted_email(raw: str) -> str:
    """What the audit may keep of a failed attempt's e-mail field (never a typed password)."""
    email = raw.strip().lower()
    return email if _LOOKS_LIKE_EMAIL.match(email) else NOT_AN_EMAIL


def _sign_in_lock(email: str) -> int:
    """An advisory lock key per e-mail: attempts for one e-mail are counted one at a time."""
    digest = hashlib.blake2b(f"sign-in {email}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _refuse_impossible_password(password: str, field: str) -> None:
    """A password longer than any account can have is refused before it is hashed or counted."""
    if len(password) > PASSWORD_MAX:
        problem = f"Password can be at most {PASSWORD_MAX} characters long. Check what was typed."
        raise ValidationError({field: problem})


class AuthService(Service):
    def __init__(self, ctx: ServiceContext, passwords: Passwords) -> None:
        super().__init__(ctx)
        self.passwords = passwords

    def needs_first_admin(self) -> bool:
        with self.ctx.reading() as uow:
            return not uow.people.staff_exists()

    def sign_in(self, email: str, password: str) -> Actor:
        """The staff member, or ``AuthenticationFailed`` with the same message for any cause.

        Failures are counted in the audit trail, so the pause after ``MAX_FAILURES``
        holds on every workstation; attempts for one e-mail are serialised so that
        simultaneous guesses cannot slip past the count.
        """
        _refuse_impossible_password(password, "password")
        attempted = _attempted_email(email)
        with self.ctx.units_of_work() as uow:
            uow.lock(_sign_in_lock(attempted))
            self._refuse_if_throttled(uow, attempted)
            found = uow.people.find_by_email(attempted) if attempted != NOT_AN_EMAIL else None
            person, stored_hash = found if found is not None else (None, None)
            ok = self.passwords.verify(stored_hash, password)  # costs the same when unknown
            if not ok or person is None or not is_staff(person.role):
                self.ctx.record(
                    uow, None, "auth.sign_in_failed", "user", None, new={"email": attempted}
                )
                uow.commit()
                raise AuthenticationFailed(WRONG_CREDENTIALS)
            assert stored_hash is not None  # noqa: S101 - verify() is False without a hash
            rehashed = self.passwords.needs_rehash(stored_hash)
            if rehashed:
                uow.people.set_password_hash(person.id, self.passwords.hash(password))
            actor = _actor(person)
            self.ctx.record(
                uow,
                actor,
                "auth.sign_in",
                "user",
                person.id,
                new={"password_rehashed": True} if rehashed else None,
            )
            uow.commit()
            return actor

    def _refuse_if_throttled(self, uow: UnitOfWork, attempted: str) -> None:
        """``TooManyAttempts`` (audited, but not counted as another failure) while paused."""
        failures = uow.audit.recent_failures(
            attempted, window_minutes=int(FAILURE_WINDOW.total_seconds() // 60)
        )
        if len(failures) < MAX_FAILURES:
            return
        unlock_at = failures[-MAX_FAILURES] + FAILURE_WINDOW
        wait = max(1, math.ceil((unlock_at - uow.database_now()).total_seconds()))
        minutes = math.ceil(wait / 60)
        self.ctx.record(uow, None, "auth.sign_in_throttled", "user", None, new={"email": attempted})
        uow.commit()
        raise TooManyAttempts(
            f"Too many failed sign-ins for this e-mail. Try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}, or ask an administrator to reset "
            "the password.",
            wait_seconds=wait,
        )

    def create_first_admin(self, name: str, email: str, password: str) -> Actor:
        """Only while no staff account exists (the first run)."""
        problems = Problems()
        clean_name = clean_text(problems, "name", name, max_length=NAME_MAX, label="Name")
        clean_mail = clean_email(problems, email)
        check_password(problems, password, email=clean_mail, field="password")
        problems.raise_if_any()
        assert clean_name is not None and clean_mail is not None  # noqa: S101, PT018
        password_hash = self.passwords.hash(password)
        with self.ctx.units_of_work() as uow:
            uow.lock(_FIRST_ADMIN_LOCK)
            if uow.people.staff_exists():
                raise PermissionDenied(
                    "A staff account exists already, so the first administrator cannot be "
                    "created again. Sign in, or ask an administrator for an account."
                )
            if uow.people.email_taken(clean_mail):
                problems.add("email", "This e-mail belongs to a customer record already.")
                problems.raise_if_any()
            person = uow.people.add(
                {
                    "name": clean_name,
                    "email": clean_mail,
                    "password_hash": password_hash,
                    "role": Role.ADMIN.value,
                    "email_verified": False,
                }
            )
            actor = _actor(person)
            self.ctx.record(
                uow,
                actor,
                "staff.create_first_admin",
                "user",
                person.id,
                new={"name": person.name, "email": person.email, "role": person.role},
            )
            uow.commit()
            return actor

    def change_own_password(self, actor: Actor, current: str, new: str) -> None:
        _refuse_impossible_password(current, "current_password")
        problems = Problems()
        if (problem := new_password_problem(current, new, email=actor.email)) is not None:
            problems.add("new_password", problem)
        problems.raise_if_any()
        with self.ctx.units_of_work() as uow:
            found = uow.people.find_by_email(actor.email)
            stored = found[1] if found is not None and found[0].id == actor.id else None
            if not self.passwords.verify(stored, current):
                raise AuthenticationFailed("The current password is wrong. Nothing was changed.")
            uow.people.set_password_hash(actor.id, self.passwords.hash(new))
            self.ctx.record(
                uow,
                actor,
                "staff.password_change",
                "user",
                actor.id,
                new={"password_changed": True},
            )
            uow.commit()
