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
# What a search box sends at most: a name, an e-mail, a few words. Longer text is refused
# before it reaches the database (a 1.2 MB full-text query fails there, after a while).
SEARCH_MAX = 200
# The database's ids are BIGINT: a number beyond these cannot name any row.
ID_MIN = -(2**63)
ID_MAX = 2**63 - 1
NUL = "\x00"  # pasted from binary sources; PostgreSQL text cannot hold it

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Half of a UTF-16 pair without its other half: Python text may hold one (from a
# broken clipboard or file), but it cannot be encoded, so no database can store it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
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


def is_database_id(value: int) -> bool:
    """Whether a whole number can be a row's id at all (BIGINT)."""
    return ID_MIN <= value <= ID_MAX


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored as it is (a NUL or a lone surrogate), or None."""
    if NUL in text:
        return "contains an invisible NUL character; retype it."
    if _LONE_SURROGATE.search(text):
        return "contains a broken character (half of an emoji or symbol); retype it."
    return None


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
    elif (problem := unstorable(text)) is not None:
        problems.add(field, f"{label} {problem}")
    return text


def clean_search(
    problems: Problems,
    field: str,
    value: str,
    *,
    label: str = "Search text",
    max_length: int = SEARCH_MAX,
) -> str:
    """What was typed into a search or filter box, trimmed; refused when too long for a search."""
    text = value.strip()
    if len(text) > max_length:
        problems.add(
            field,
            f"{label} is {len(text)} characters long; at most {max_length} are searched. "
            "Shorten it.",
        )
    elif (problem := unstorable(text)) is not None:
        problems.add(field, f"{label} {problem}")
    return text


def email_problem(text: str) -> str | None:
    """What is wrong with an e-mail address as typed, or None: the one e-mail rule.

    The services and the editors both ask this, so a form says what the service would.
    """
    email = text.strip()
    if not email:
        return "E-mail is required."
    if len(email) > EMAIL_MAX:
        return f"E-mail is {len(email)} characters long; at most {EMAIL_MAX} fit. Shorten it."
    if (problem := unstorable(email)) is not None:
        return f"E-mail {problem}"
    if not _EMAIL.match(email):
        return "E-mail must look like name@example.com."
    return None


def clean_email(problems: Problems, value: str | None, field: str = "email") -> str | None:
    """The e-mail as stored (trimmed, lower case), or None with the problem added."""
    problem = email_problem(value or "")
    if problem is not None:
        problems.add(field, problem)
        return None
    return (value or "").strip().lower()


def phone_problem(text: str) -> str | None:
    """What is wrong with a phone number as typed, or None (also for none: it is optional).

    The one phone rule: the services and the editors both ask it.
    """
    phone = text.strip()
    if not phone:
        return None
    if len(phone) > PHONE_MAX:
        return f"Phone is {len(phone)} characters long; at most {PHONE_MAX} fit. Shorten it."
    if (problem := unstorable(phone)) is not None:
        return f"Phone {problem}"
    if not _PHONE.match(phone):
        return "Phone may hold digits, spaces, + ( ) - . / only (5 to 20 of them)."
    return None


def clean_phone(problems: Problems, value: str | None, field: str = "phone") -> str | None:
    """The phone as stored (trimmed; None when none is given), or the problem added."""
    phone = (value or "").strip()
    if (problem := phone_problem(phone)) is not None:
        problems.add(field, problem)
    return phone or None


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
            elif (problem := unstorable(item)) is not None:
                problems.add(field, f"An entry of {label} {problem}")
            seen[item] = None
    if len(seen) > max_items:
        problems.add(field, f"{label} can hold at most {max_items} entries.")
    return list(seen)


def password_problem(password: str, *, email: str | None) -> str | None:
    """What is wrong with a new password, or None: the one password rule, which the
    services, the command line and the password fields of the window all ask."""
    if len(password) < PASSWORD_MIN:
        return f"Password must be at least {PASSWORD_MIN} characters long."
    if len(password) > PASSWORD_MAX:
        return f"Password can be at most {PASSWORD_MAX} characters long."
    if email and password.strip().lower() == email.strip().lower():
        return "Password must not be the e-mail address."
    return None


def new_password_problem(current: str, new: str, *, email: str | None) -> str | None:
    """A change of one's own password: the password rule, and not the current one again."""
    if (problem := password_problem(new, email=email)) is not None:
        return problem
    if new == current:
        return "The new password must differ from the current one."
    return None


def check_password(problems: Problems, password: str, *, email: str | None, field: str) -> None:
    if (problem := password_problem(password, email=email)) is not None:
        problems.add(field, problem)
