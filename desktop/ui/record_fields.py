"""A record's fields as a person compares versions of it: the label, how a value reads.

Editors list their fields once; the conflict dialog shows them side by side and
the record watch names the ones another workstation changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from PySide6.QtCore import QCoreApplication

from desktop.domain.images import reference_digest
from desktop.ui.formats import format_money, long_date


def tr(text: str) -> str:
    return QCoreApplication.translate("RecordFields", text)


def show_text(value: Any) -> str:
    if value is None or value == "":
        return tr("(empty)")
    return str(value)


def show_money(value: Any) -> str:
    if value is None or value == "":
        return tr("(empty)")
    return format_money(Decimal(value))


def show_date(value: Any) -> str:
    if not isinstance(value, date):
        return show_text(value)
    return long_date(value)


def show_list(value: Any) -> str:
    items = [str(item) for item in value or ()]
    return "\n".join(f"• {item}" for item in items) if items else tr("(none)")


def picture_words(reference: str) -> str | None:
    """A stored picture's reference in words ("picture stored in the database (ab12…)");
    None for anything else (a web address, an old file path), which reads as it is."""
    digest = reference_digest(reference)
    if digest is None:
        return None
    return tr("picture stored in the database ({0}…)").format(digest[:12])


def show_images(value: Any) -> str:
    """A destination's pictures, one per line: stored ones in words, addresses as they are."""
    return show_list([picture_words(str(item)) or str(item) for item in value or ()])


def show_yes_no(value: Any) -> str:
    return tr("Yes") if value else tr("No")


def show_choice(labels: Mapping[Any, str]) -> Callable[[Any], str]:
    """An enum or code shown by its label (a role, a status)."""

    def show(value: Any) -> str:
        if value in labels:
            return tr(labels[value])
        if isinstance(value, Enum):
            return str(value.value).capitalize()
        return show_text(value)

    return show


@dataclass(frozen=True)
class Field:
    """One field of a record as the conflict dialog shows it."""

    key: str
    label: str
    show: Callable[[Any], str] = show_text
    choosable: bool = True  # False: shown for context (a booking's status), never chosen


def differing(
    fields: Sequence[Field], first: Mapping[str, Any], second: Mapping[str, Any]
) -> list[str]:
    """The keys of the fields whose values differ between two versions."""
    return [f.key for f in fields if first.get(f.key) != second.get(f.key)]
