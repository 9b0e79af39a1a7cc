"""Input rules matching the column limits, so bad input becomes a message, not a DataError."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from desktop.domain.errors import ValidationError

# Column limits of the design.
NAME_MAX = 255
EMAIL_MAX = 255
PHONE_MAX = 20
COUNTRY_MAX = 100
CITY_MAX = 100
PAYMENT_REFERENCE_MAX = 255
PRICE_MAX = Decimal("99999999.99")  # NUMERIC(10,2)
INT_MAX = 2_147_483_647
PASSWORD_MIN = 12
PASSWORD_MAX = 1024  # long enough for any passphrase, short enough not to be a hashing DoS
TEXT_MAX = 10_000  # free text (descriptions, requests, reasons): a sane bound for a form
NUL = "\x00"  # pasted from binary sources; PostgreSQL text cannot hold it

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{5,20}$")


class Problems:
    """Collects field problems so a form can show all of them at once."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, field: str, problem: str) -> None:
        self.fields.setdefault(field, problem)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationError(self.fields)


def clean_text(
    problems: Problems,
    field: str,
    value: str | None,
    *,
    max_length: int,
    required: bool = True,
    label: str | None = None,
) -> str | None:
    text = (value or "").strip()
    label = label or field.replace("_", " ").capitalize()
    if not text:
        if required:
            problems.add(field, f"{label} is required.")
        return None
    if len(text) > max_length:
        problems.add(
            field,
            f"{label} is {len(text)} characters long; at most {max_length} fit. Shorten it.",
        )
    elif NUL in text:
        problems.add(field, f"{label} contains an invisible NUL character; retype it.")
    return text


def clean_email(problems: Problems, value: str | None, field: str = "email") -> str | None:
    email = clean_text(problems, field, value, max_length=EMAIL_MAX, label="E-mail")
    if email is None:
        return None
    if not _EMAIL.match(email):
        problems.add(field, "E-mail must look like name@example.com.")
    return email.lower()


def clean_phone(problems: Problems, value: str | None, field: str = "phone") -> str | None:
    phone = clean_text(problems, field, value, max_length=PHONE_MAX, required=False, label="Phone")
    if phone is not None and not _PHONE.match(phone):
        problems.add(field, "Phone may hold digits, spaces, + ( ) - . / only (5 to 20 of them).")
    return phone


def clean_money(
    problems: Problems, field: str, value: Decimal | str | float | None, *, label: str
) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.add(field, f"{label} is required.")
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        problems.add(field, f"{label} must be an amount such as 1250.00.")
        return None
    if not amount.is_finite() or amount <= 0:
        problems.add(field, f"{label} must be more than 0.")
        return None
    if amount > PRICE_MAX:
        problems.add(field, f"{label} can be at most {PRICE_MAX:,}.")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        problems.add(field, f"{label} has at most two decimals.")
        return None
    return amount


def clean_count(
    problems: Problems, field: str, value: int | None, *, label: str, minimum: int = 1
) -> int | None:
    if value is None:
        problems.add(field, f"{label} is required.")
        return None
    if value < minimum:
        problems.add(field, f"{label} must be at least {minimum}.")
        return None
    if value > INT_MAX:
        problems.add(field, f"{label} is too large.")
        return None
    return value


def clean_list(
    problems: Problems, field: str, values: Iterable[str] | None, *, label: str, max_items: int = 50
) -> list[str]:
    """Trimmed, non-empty, de-duplicated entries in their order."""
    seen: dict[str, None] = {}
    for raw in values or []:
        item = raw.strip()
        if item and item not in seen:
            if len(item) > 2048:
                problems.add(field, f"An entry of {label} is longer than 2048 characters.")
            elif NUL in item:
                problems.add(field, f"An entry of {label} contains an invisible NUL character.")
            seen[item] = None
    if len(seen) > max_items:
        problems.add(field, f"{label} can hold at most {max_items} entries.")
    return list(seen)


def check_password(problems: Problems, password: str, *, email: str | None, field: str) -> None:
    if len(password) < PASSWORD_MIN:
        problems.add(field, f"Password must be at least {PASSWORD_MIN} characters long.")
    elif len(password) > PASSWORD_MAX:
        problems.add(field, f"Password can be at most {PASSWORD_MAX} characters long.")
    elif email and password.strip().lower() == email.strip().lower():
        problems.add(field, "Password must not be the e-mail address.")


def email_problem(text: str) -> str | None:
    """What the services would say about this e-mail address (None: they take it as it is).

    Forms check what is typed by this rule, so it lives once, here.
    """
    problems = Problems()
    clean_email(problems, text)
    return problems.fields.get("email")
