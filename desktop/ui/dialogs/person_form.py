"""A person's name, e-mail and phone, as the customer and staff forms hold them.

The values compare with saved versions (cleaned as the service cleans them) and
go to the service as ``PersonDetails``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLineEdit

from desktop.domain.records import PersonRow
from desktop.services.people import PersonDetails
from desktop.ui.record_fields import Field


def tr(text: str) -> str:
    return QCoreApplication.translate("CustomerEditor", text)


def person_fields() -> list[Field]:
    """A person's fields as the conflict dialog shows them."""
    return [Field("name", tr("Name")), Field("email", tr("E-mail")), Field("phone", tr("Phone"))]


def person_values(row: PersonRow) -> dict[str, Any]:
    return {"name": row.name, "email": row.email, "phone": row.phone or None}


def typed_person_values(name: str, email: str, phone: str) -> dict[str, Any]:
    """What a person form holds, cleaned as the service cleans it (e-mail in lower case)."""
    return {
        "name": name.strip(),
        "email": email.strip().lower(),
        "phone": phone.strip() or None,
    }


def typed_person_details(name: str, email: str, phone: str) -> PersonDetails:
    """What a person form holds, as the service takes it."""
    return PersonDetails(name=name.strip(), email=email.strip(), phone=phone.strip() or None)


class PersonFields(Protocol):
    """A form with a person's three fields (the customer and staff editors)."""

    name: QLineEdit
    email: QLineEdit
    phone: QLineEdit


def fill_person(form: PersonFields, values: Mapping[str, Any]) -> None:
    """A person's name, e-mail and phone into a form's three fields."""
    form.name.setText(values["name"] or "")
    form.email.setText(values["email"] or "")
    form.phone.setText(values["phone"] or "")
