"""An editor says what the service would say: each rule is the domain's, asked once.

The phone, e-mail and password rules live in ``desktop/domain/validation.py``; the
editors ask them as the person types, so what shows under a field is, word for
word, the refusal the service gives for the same value. Here the service is asked
too, and the two must agree.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.enums import Role
from desktop.domain.errors import ValidationError
from desktop.domain.permissions import Actor
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.customer_editor import CustomerEditor
from desktop.ui.dialogs.password import ChangePasswordDialog
from desktop.ui.dialogs.staff_editor import StaffEditor
from desktop.ui.startup import FirstAdminDialog
from desktop.ui.widgets.forms import Form
from tests.services.conftest import PASSWORD
from tests.ui.conftest import make_session, settle

LONG_EMAIL = "a" * 250 + "@example.com"  # 262 characters: over the column's 255


def _refusal(call: Callable[[], object], field: str) -> str:
    """What the service says under ``field`` when asked with the same values."""
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.fields[field]


def _type(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    if text:
        qtbot.keyClicks(edit, text)
    else:
        edit.clear()


def _says(qtbot: QtBot, form: Form, field: str, expected: str) -> None:
    qtbot.waitUntil(lambda: form.message(field) == expected, timeout=2000)


def _show(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot)


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("phone", "12"),  # too few digits
        ("phone", "call me maybe"),
        ("phone", "+44 20 7946 0000 123 45"),  # 23 characters: over the column's 20
        ("email", "ann@example"),
        ("email", LONG_EMAIL),
    ],
)
def test_the_customer_editor_says_the_services_words(
    qtbot: QtBot, office: BackOffice, agent: Actor, field: str, typed: str
) -> None:
    editor = CustomerEditor(make_session(office, agent), None)
    _show(qtbot, editor)
    values = {"name": "Ann Lee", "email": "ann@example.com", "phone": ""}
    values[field] = typed
    for name, text in values.items():
        _type(qtbot, getattr(editor, name), text)
    details = PersonDetails(values["name"], values["email"], values["phone"] or None)
    service = _refusal(lambda: office.customers.create(agent, details), field)
    _says(qtbot, editor.form, field, service)
    assert not editor.save_button.isEnabled()


@pytest.mark.parametrize(
    ("field", "typed"),
    [("phone", "12"), ("email", "nia@office"), ("password", "nia@office.example")],
)
def test_the_staff_editor_says_the_services_words(
    qtbot: QtBot, office: BackOffice, admin: Actor, field: str, typed: str
) -> None:
    editor = StaffEditor(make_session(office, admin), None)
    _show(qtbot, editor)
    assert editor.password is not None
    assert editor.repeat is not None
    values = {
        "name": "Nia Newcomer",
        "email": "nia@office.example",
        "phone": "",
        "password": "a long enough passphrase",
    }
    values[field] = typed
    for name, text in values.items():
        _type(qtbot, getattr(editor, name), text)
    _type(qtbot, editor.repeat, values["password"])
    details = PersonDetails(values["name"], values["email"], values["phone"] or None)
    service = _refusal(
        lambda: office.staff.create(admin, details, Role.AGENT, values["password"]), field
    )
    _says(qtbot, editor.form, field, service)
    assert not editor.save_button.isEnabled()


def test_changing_ones_password_says_the_services_words(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    dialog = ChangePasswordDialog(make_session(office, agent))
    _show(qtbot, dialog)
    for new in (PASSWORD, "short", agent.email.upper()):
        _type(qtbot, dialog.current, PASSWORD)
        _type(qtbot, dialog.new_password, new)
        _type(qtbot, dialog.repeat, new)
        service = _refusal(
            lambda n=new: office.auth.change_own_password(agent, PASSWORD, n), "new_password"
        )
        _says(qtbot, dialog.form, "new_password", service)
        assert not dialog.save_button.isEnabled()


def test_the_first_administrator_dialog_says_the_domains_words(qtbot: QtBot) -> None:
    dialog = FirstAdminDialog(lambda *_args: None)
    _show(qtbot, dialog)
    _type(qtbot, dialog.name, "Ada Admin")
    _type(qtbot, dialog.email, "ada@office")
    _says(qtbot, dialog.form, "email", "E-mail must look like name@example.com.")
    _type(qtbot, dialog.email, "ada@office.example")
    _type(qtbot, dialog.password, "ADA@office.example")
    _type(qtbot, dialog.repeat, "ADA@office.example")
    _says(qtbot, dialog.form, "password", "Password must not be the e-mail address.")
    assert not dialog.ok_button.isEnabled()
