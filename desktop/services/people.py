"""Customers (records managed by staff) and staff accounts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from desktop.db.models import USERS_EMAIL_KEY
from desktop.db.uow import UnitOfWork
from desktop.domain.enums import Role
from desktop.domain.errors import ConstraintViolated, NotFound, PermissionDenied, ValidationError
from desktop.domain.listing import (
    Page,
    PageRequest,
    PersonFilter,
    RowCount,
    Sort,
    check_person_filter,
)
from desktop.domain.permissions import STAFF_ROLES, Actor, Permission, is_staff
from desktop.domain.records import PersonRow, record_values
from desktop.domain.validation import (
    NAME_MAX,
    Problems,
    check_password,
    clean_email,
    clean_phone,
    clean_text,
)
from desktop.services.context import Service, ServiceContext, changed_fields
from desktop.services.passwords import UNUSABLE, Passwords

_LAST_ADMIN_LOCK = 0x45_78_6F_74_69_64  # serialises demotions of administrators
EMAIL_IN_USE = "{email} is already used by {name} (#{id}). Use another e-mail address."


@dataclass(frozen=True)
class PersonDetails:
    """What a form edits about a person."""

    name: str
    email: str
    phone: str | None = None


def _clean(details: PersonDetails, problems: Problems) -> dict[str, str | None]:
    return {
        "name": clean_text(problems, "name", details.name, max_length=NAME_MAX, label="Name"),
        "email": clean_email(problems, details.email),
        "phone": clean_phone(problems, details.phone),
    }


def _check_email_free(uow: UnitOfWork, email: str, except_id: int | None = None) -> None:
    other = uow.people.email_taken(email, except_id=except_id)
    if other is not None:
        raise ValidationError(
            {"email": EMAIL_IN_USE.format(email=email, name=other.name, id=other.id)}
        )


@contextmanager
def _email_guard(uow: UnitOfWork, email: str, except_id: int | None = None) -> Iterator[None]:
    """A concurrent save of the same e-mail still ends in the clear message, not an error."""
    try:
        with uow.savepoint():
            yield
    except ConstraintViolated as exc:
        if exc.constraint == USERS_EMAIL_KEY:
            _check_email_free(uow, email, except_id)
        raise


def _insert(uow: UnitOfWork, values: dict[str, object]) -> PersonRow:
    with _email_guard(uow, str(values["email"])):
        return uow.people.add(values)


def _update(
    uow: UnitOfWork, person_id: int, version: str, changes: dict[str, object], email: str
) -> None:
    with _email_guard(uow, email, except_id=person_id):
        uow.people.update_versioned(person_id, version, changes)


STAFF_NOT_CUSTOMER = "This is a staff account; change it on the Staff page (administrators)."


class CustomerService(Service):
    """Customers are people with role ``user``: they book, they never sign in."""

    def page(self, actor: Actor, f: PersonFilter, request: PageRequest) -> Page[PersonRow]:
        actor.require(Permission.VIEW_CUSTOMERS)
        check_person_filter(f)
        with self.ctx.reading() as uow:
            return uow.people.page(_customers(f), request)

    def count(self, actor: Actor, f: PersonFilter) -> RowCount:
        actor.require(Permission.VIEW_CUSTOMERS)
        check_person_filter(f)
        with self.ctx.reading() as uow:
            return uow.people.count(_customers(f))

    def get(self, actor: Actor, customer_id: int) -> PersonRow:
        actor.require(Permission.VIEW_CUSTOMERS)
        with self.ctx.reading() as uow:
            person = uow.people.get(customer_id)
        if person.role != Role.USER:
            raise PermissionDenied(STAFF_NOT_CUSTOMER)
        return person

    def create(self, actor: Actor, details: PersonDetails) -> PersonRow:
        actor.require(Permission.MANAGE_CUSTOMERS)
        problems = Problems()
        values = _clean(details, problems)
        problems.raise_if_any()
        with self.ctx.units_of_work() as uow:
            _check_email_free(uow, str(values["email"]))
            person = _insert(uow, {**values, "role": Role.USER.value, "password_hash": UNUSABLE})
            self.ctx.record(uow, actor, "customer.create", "user", person.id, new=values)
            uow.commit()
            return person

    def update(
        self, actor: Actor, customer_id: int, version: str, details: PersonDetails
    ) -> PersonRow:
        actor.require(Permission.MANAGE_CUSTOMERS)
        problems = Problems()
        values = _clean(details, problems)
        problems.raise_if_any()
        with self.ctx.units_of_work() as uow:
            current = uow.people.lock_versioned(customer_id, version)
            if current.role != Role.USER:
                raise PermissionDenied(STAFF_NOT_CUSTOMER)
            _check_email_free(uow, str(values["email"]), except_id=customer_id)
            old, new = changed_fields(record_values(current), values)
            if new:
                _update(uow, customer_id, current.version, new, str(values["email"]))
                self.ctx.record(
                    uow, actor, "customer.update", "user", customer_id, old=old, new=new
                )
            person = uow.people.get(customer_id)
            uow.commit()
            return person


def _customers(f: PersonFilter) -> PersonFilter:
    return PersonFilter(roles=frozenset({Role.USER}), text=f.text)


class StaffService(Service):
    """Staff accounts: administrators only."""

    def __init__(self, ctx: ServiceContext, passwords: Passwords) -> None:
        super().__init__(ctx)
        self.passwords = passwords

    def page(self, actor: Actor, f: PersonFilter, request: PageRequest) -> Page[PersonRow]:
        actor.require(Permission.MANAGE_STAFF)
        check_person_filter(f)
        with self.ctx.reading() as uow:
            return uow.people.page(_staff(f), request)

    def count(self, actor: Actor, f: PersonFilter) -> RowCount:
        actor.require(Permission.MANAGE_STAFF)
        check_person_filter(f)
        with self.ctx.reading() as uow:
            return uow.people.count(_staff(f))

    def get(self, actor: Actor, staff_id: int) -> PersonRow:
        """One staff member as saved now (``NotFound`` when gone or no longer staff)."""
        actor.require(Permission.MANAGE_STAFF)
        with self.ctx.reading() as uow:
            person = uow.people.get(staff_id)
        if not is_staff(person.role):
            raise NotFound(
                f"Staff member {staff_id} does not exist any more. Someone may have deleted "
                "it; refresh the list."
            )
        return person

    def create(self, actor: Actor, details: PersonDetails, role: Role, password: str) -> PersonRow:
        actor.require(Permission.MANAGE_STAFF)
        problems = Problems()
        values = _clean(details, problems)
        _check_role(problems, role)
        check_password(problems, password, email=values["email"], field="password")
        problems.raise_if_any()
        password_hash = self.passwords.hash(password)
        with self.ctx.units_of_work() as uow:
            _check_email_free(uow, str(values["email"]))
            person = _insert(uow, {**values, "role": role.value, "password_hash": password_hash})
            self.ctx.record(
                uow, actor, "staff.create", "user", person.id, new={**values, "role": role}
            )
            uow.commit()
            return person

    def update(
        self, actor: Actor, staff_id: int, version: str, details: PersonDetails, role: Role
    ) -> PersonRow:
        actor.require(Permission.MANAGE_STAFF)
        problems = Problems()
        values: dict[str, object] = {**_clean(details, problems), "role": role.value}
        _check_role(problems, role)
        problems.raise_if_any()
        with self.ctx.units_of_work() as uow:
            current = uow.people.lock_versioned(staff_id, version)
            if not is_staff(current.role):
                raise PermissionDenied("This is a customer record; edit it on the Customers page.")
            if current.role == Role.ADMIN and role != Role.ADMIN:
                self._keep_an_admin(uow, staff_id)
            _check_email_free(uow, str(values["email"]), except_id=staff_id)
            old, new = changed_fields(record_values(current), values)
            if new:
                _update(uow, staff_id, current.version, new, str(values["email"]))
                self.ctx.record(uow, actor, "staff.update", "user", staff_id, old=old, new=new)
            person = uow.people.get(staff_id)
            uow.commit()
            return person

    def reset_password(self, actor: Actor, staff_id: int, new_password: str) -> None:
        actor.require(Permission.MANAGE_STAFF)
        with self.ctx.units_of_work() as uow:
            person = uow.people.get(staff_id)
            if not is_staff(person.role):
                raise PermissionDenied("Customers have no password: they do not sign in.")
            problems = Problems()
            check_password(problems, new_password, email=person.email, field="password")
            problems.raise_if_any()
            uow.people.set_password_hash(staff_id, self.passwords.hash(new_password))
            self.ctx.record(
                uow, actor, "staff.password_reset", "user", staff_id, new={"password_reset": True}
            )
            uow.commit()

    @staticmethod
    def _keep_an_admin(uow: UnitOfWork, leaving_id: int) -> None:
        uow.lock(_LAST_ADMIN_LOCK)
        admins = uow.people.page(
            PersonFilter(roles=frozenset({Role.ADMIN})),
            PageRequest(sort=Sort("id"), limit=2),
        )
        if all(p.id == leaving_id for p in admins.rows):
            raise ValidationError(
                {"role": "This is the last administrator; make someone else one first."}
            )


def _staff(f: PersonFilter) -> PersonFilter:
    roles = f.roles & frozenset(STAFF_ROLES) if f.roles else frozenset(STAFF_ROLES)
    return PersonFilter(roles=roles, text=f.text)


def _check_role(problems: Problems, role: Role) -> None:
    if role not in STAFF_ROLES:
        problems.add("role", "Choose Administrator, Moderator or Counter agent.")
