"""The services' boundary: every public method checks its arguments against its own signature.

The window sends well-formed values, but a script, a later web client or a
test may call a service directly. Before a use case runs, each argument, and
each field of a dataclass argument all the way down, is checked against its
type hint:

- a value of another type (text where a number belongs, a date and time where
  a date belongs, a plain string where a status belongs) is a
  ``ValidationError`` naming the field;
- text holding a NUL or a lone surrogate, which PostgreSQL cannot store and
  which cannot even be encoded, is a ``ValidationError`` naming the field;
- a whole number beyond the database's 64-bit range is ``NotFound`` when it
  names a record (``booking_id``, ``customer_id``...) and a
  ``ValidationError`` otherwise.

What a value means (lengths, ranges, which statuses a list offers) is the use
case's own business, checked by the domain's rules. ``Service`` wraps every
public method with ``checked`` when its class is defined, so a method added
later is covered without anyone remembering to.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import threading
import types
import typing
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from desktop.domain.errors import NotFound, ValidationError
from desktop.domain.validation import is_database_id, unstorable

F = TypeVar("F", bound=Callable[..., Any])


class _Findings:
    """What is wrong with the arguments: field problems, and ids that cannot exist."""

    def __init__(self) -> None:
        self.problems: dict[str, str] = {}
        self.missing: list[tuple[str, int]] = []

    def add(self, field: str, problem: str) -> None:
        self.problems.setdefault(field, f"{_label(field)} {problem}")


Check = Callable[[Any, str, _Findings], bool]  # True when the value is of the type


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


# Record nouns for ids out of range ("customer_id" -> "customer").
_NOUNS = {"user": "person", "staff": "staff member", "resource": "record"}


def _noun(field: str) -> str:
    base = field.removesuffix("_id")
    return _NOUNS.get(base, base.replace("_", " "))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(value: Any, field: str, found: _Findings) -> bool:
    if not _is_int(value):
        found.add(field, "must be a whole number.")
        return False
    if not is_database_id(value):
        if field.endswith("_id"):
            found.missing.append((field, value))
        else:
            found.add(field, "is too large.")
    return True


def _check_str(value: Any, field: str, found: _Findings) -> bool:
    if not isinstance(value, str):
        found.add(field, "must be text.")
        return False
    if (problem := unstorable(value)) is not None:
        found.add(field, problem)
    return True


def _of_type(kind: type, what: str, exclude: type | None = None) -> Check:
    def check(value: Any, field: str, found: _Findings) -> bool:
        if isinstance(value, kind) and not (exclude is not None and isinstance(value, exclude)):
            return True
        found.add(field, f"must be {what}.")
        return False

    return check


def _check_none(value: Any, field: str, found: _Findings) -> bool:
    if value is None:
        return True
    found.add(field, "must be empty.")
    return False


def _check_anything(value: Any, field: str, found: _Findings) -> bool:
    return True


_SIMPLE: dict[Any, Check] = {
    int: _check_int,
    str: _check_str,
    bool: _of_type(bool, "yes or no"),
    Decimal: _of_type(Decimal, "an amount"),
    datetime: _of_type(datetime, "a date and time"),
    date: _of_type(date, "a date", exclude=datetime),
    uuid.UUID: _of_type(uuid.UUID, "a request token (UUID)"),
    bytes: _of_type(bytes, "the bytes of a file"),
    type(None): _check_none,
    Any: _check_anything,
    object: _check_anything,
}


def _union(members: tuple[Any, ...]) -> Check:
    checks = [check_for(m) for m in members]
    nullable = type(None) in members

    def check(value: Any, field: str, found: _Findings) -> bool:
        if value is None and nullable:
            return True
        for member in checks:
            trial = _Findings()
            if member(value, field, trial):
                found.problems.update(
                    (k, v) for k, v in trial.problems.items() if k not in found.problems
                )
                found.missing.extend(trial.missing)
                return True
        found.add(field, "is not a value this field takes.")
        return False

    return check


def _enum(kind: type[Enum]) -> Check:
    choices = ", ".join(str(member.value) for member in kind)

    def check(value: Any, field: str, found: _Findings) -> bool:
        if isinstance(value, kind):
            return True
        found.add(field, f"must be one of: {choices}.")
        return False

    return check


def _collection(outer: tuple[type[Iterable[Any]], ...], what: str, item: Check) -> Check:
    def check(value: Any, field: str, found: _Findings) -> bool:
        if not isinstance(value, outer):
            found.add(field, f"must be {what}.")
            return False
        for element in value:
            item(element, field, found)
        return True

    return check


def _dataclass(kind: type) -> Check:
    fields: list[tuple[str, Check]] | None = None

    def check(value: Any, field: str, found: _Findings) -> bool:
        nonlocal fields
        if not isinstance(value, kind):
            found.add(field, f"must be a {kind.__name__}.")
            return False
        if fields is None:  # built on first use: hints may name classes defined later
            hints = typing.get_type_hints(kind)
            fields = [(f.name, check_for(hints[f.name])) for f in dataclasses.fields(kind)]
        for name, inner in fields:
            inner(getattr(value, name), name, found)
        return True

    return check


_CHECKS: dict[Any, Check] = {}
_LOCK = threading.Lock()


def check_for(hint: Any) -> Check:
    """The check of one type hint; ``TypeError`` for a hint the boundary cannot check."""
    with _LOCK:
        known = _CHECKS.get(hint)
    if known is not None:
        return known
    made = _make(hint)
    with _LOCK:
        _CHECKS.setdefault(hint, made)
    return made


def _make(hint: Any) -> Check:
    if hint in _SIMPLE:
        return _SIMPLE[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        return check_for(args[0])
    if origin in (typing.Union, types.UnionType):
        return _union(args)
    if origin in (frozenset, set) or hint in (frozenset, set):
        item = check_for(args[0]) if args else _check_anything
        return _collection((frozenset, set), "a set of values", item)
    if origin is tuple and (len(args) == 2 and args[1] is Ellipsis):
        return _collection((tuple, list), "a list of values", check_for(args[0]))
    if origin is list:
        return _collection((tuple, list), "a list of values", check_for(args[0]))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint)
    raise TypeError(f"the service boundary cannot check arguments of type {hint!r}")


def check_arguments(found: _Findings) -> None:
    """Raise what the findings call for: field problems first, then ids that cannot exist."""
    if found.problems:
        raise ValidationError(found.problems)
    if found.missing:
        field, value = found.missing[0]
        raise NotFound(
            f"There is no {_noun(field)} number {value}: no record can have it. Check the number."
        )


def checked(method: F) -> F:
    """``method``, checking its arguments against its type hints before it runs."""
    signature = inspect.signature(method)
    names = [name for name in signature.parameters if name != "self"]
    checks: dict[str, Check] | None = None

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal checks
        if checks is None:  # resolved on first call: annotations are strings until then
            hints = typing.get_type_hints(method)
            checks = {name: check_for(hints.get(name, Any)) for name in names}
        found = _Findings()
        for name, value in zip(names, args, strict=False):
            checks[name](value, name, found)
        for name, value in kwargs.items():
            if name in checks:
                checks[name](value, name, found)
        if found.problems or found.missing:
            check_arguments(found)
        return method(self, *args, **kwargs)

    return typing.cast(F, wrapper)


def unchecked_hints(method: Callable[..., Any]) -> list[str]:
    """The parameters of ``method`` whose types the boundary cannot check (for the tests)."""
    target = inspect.unwrap(method)
    hints = typing.get_type_hints(target)
    unknown = []
    for name in inspect.signature(target).parameters:
        if name == "self":
            continue
        try:
            check_for(hints.get(name, Any))
        except TypeError:
            unknown.append(name)
    return unknown
