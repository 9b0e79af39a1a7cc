"""The Staff page over a real database: the list, the editor, the password reset."""

from __future__ import annotations

from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.enums import Role
from desktop.domain.errors import AuthenticationFailed, PermissionDenied
from desktop.domain.listing import PageRequest, PersonFilter, Sort
from desktop.domain.permissions import Actor
from desktop.domain.records import PersonRow
from desktop.ui.dialogs.staff_editor import ResetPasswordDialog, StaffEditor
from desktop.ui.pages.staff import StaffPage
from desktop.ui.table_model import RAW_ROLE, ROW_ROLE
from desktop.ui.widgets.forms import FieldMessage
from tests.services.conftest import PASSWORD
from tests.ui.conftest import is_closed, make_session, settle

NEW_PASSWORD = "a much longer passphrase"
D = TypeVar("D", bound=QDialog)


def _open_page(qtbot: QtBot, office: BackOffice, actor: Actor) -> StaffPage:
    page = StaffPage(make_session(office, actor))
    qtbot.addWidget(page)
    page.resize(1000, 500)
    page.show()
    page.start()
    settle(qtbot)
    return page


def _names(page: StaffPage) -> list[str]:
    return [page.model.row(i).name for i in range(len(page.model.rows()))]  # type: ignore[union-attr]


def _select(page: StaffPage, name: str) -> PersonRow:
    for position, row in enumerate(page.model.rows()):
        if row.name == name:
            page.view.setCurrentIndex(page.model.index(position, 0))
            return row
    raise AssertionError(f"{name} is not listed")


def _dialog(page: StaffPage, kind: type[D]) -> D:
    shown = [d for d in page.findChildren(kind) if d.isVisible()]
    assert len(shown) == 1, f"expected one open {kind.__name__}, found {len(shown)}"
    return shown[0]


def _selected_name(page: StaffPage) -> str | None:
    row = page.selected()
    return row.name if row is not None else None


def _message_under(editor: QWidget) -> FieldMessage:
    """The inline message line a form shows under a field."""
    message = editor.parentWidget().findChild(FieldMessage)
    assert message is not None
    return message


def _staff(office: BackOffice, admin: Actor) -> dict[str, PersonRow]:
    page = office.staff.page(admin, PersonFilter(), PageRequest(Sort("id")))
    return {p.email: p for p in page.rows}


def _role_shown(page: StaffPage, name: str) -> str:
    role_column = [c.key for c in page.model.columns].index("role")
    for position, row in enumerate(page.model.rows()):
        if row.name == name:
            index = page.model.index(position, role_column)
            return f"{index.data()} ({index.data(RAW_ROLE).value})"
    raise AssertionError(f"{name} is not listed")


def test_lists_staff_and_filters_by_role_and_text(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, moderator: Actor
) -> None:
    page = _open_page(qtbot, office, admin)
    assert _names(page) == ["Ada Admin", "Alex Agent", "Mia Moderator"]
    assert page.count_label.text() == "3 staff members"
    assert _role_shown(page, "Ada Admin") == "Administrator (admin)"
    assert _role_shown(page, "Alex Agent") == "Counter agent (agent)"

    page.role.setCurrentIndex(page.role.findText("Moderator"))
    settle(qtbot)
    assert _names(page) == ["Mia Moderator"]
    assert page.count_label.text() == "1 staff member"

    page.role.setCurrentIndex(page.role.findText("All roles"))
    qtbot.keyClicks(page.search, "alex@")
    qtbot.waitUntil(lambda: _names(page) == ["Alex Agent"], timeout=5000)
    settle(qtbot)


def test_actions_wait_for_a_selected_row(qtbot: QtBot, office: BackOffice, admin: Actor) -> None:
    page = _open_page(qtbot, office, admin)
    assert page.new_action.isEnabled()
    assert not page.edit_action.isEnabled()
    assert not page.reset_action.isEnabled()
    _select(page, "Ada Admin")
    assert page.edit_action.isEnabled()
    assert page.reset_action.isEnabled()


def test_creates_a_staff_member_who_can_then_sign_in(
    qtbot: QtBot, office: BackOffice, admin: Actor
) -> None:
    page = _open_page(qtbot, office, admin)
    page.new_action.trigger()
    editor = _dialog(page, StaffEditor)
    assert not editor.save_button.isEnabled()
    assert editor.role.currentText() == "Counter agent"

    qtbot.keyClicks(editor.name, "Nia Newcomer")
    qtbot.keyClicks(editor.email, "nia@office.example")
    qtbot.keyClicks(editor.phone, "+44 20 7946 0000")
    editor.role.setCurrentIndex(editor.role.findText("Moderator"))
    assert editor.password is not None
    assert editor.repeat is not None
    qtbot.keyClicks(editor.password, "too short")
    password_message = _message_under(editor.password)
    qtbot.waitUntil(password_message.isVisible)
    assert password_message.text() == "Password must be at least 12 characters long."

    editor.password.clear()
    qtbot.keyClicks(editor.password, NEW_PASSWORD)
    qtbot.keyClicks(editor.repeat, NEW_PASSWORD)
    qtbot.waitUntil(editor.save_button.isEnabled)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: is_closed(editor))
    settle(qtbot)

    assert "Nia Newcomer" in _names(page)
    assert _selected_name(page) == "Nia Newcomer"
    assert _role_shown(page, "Nia Newcomer") == "Moderator (moderator)"
    stored = _staff(office, admin)["nia@office.example"]
    assert (stored.name, stored.phone, stored.role) == (
        "Nia Newcomer",
        "+44 20 7946 0000",
        Role.MODERATOR,
    )
    signed_in = office.auth.sign_in("nia@office.example", NEW_PASSWORD)
    assert signed_in.role is Role.MODERATOR


def test_a_refused_e_mail_lands_under_its_field_and_keeps_the_form(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    page = _open_page(qtbot, office, admin)
    page.new_action.trigger()
    editor = _dialog(page, StaffEditor)
    assert editor.password is not None
    assert editor.repeat is not None
    qtbot.keyClicks(editor.name, "Second Alex")
    qtbot.keyClicks(editor.email, "alex@office.example")  # taken by the agent
    qtbot.keyClicks(editor.password, NEW_PASSWORD)
    qtbot.keyClicks(editor.repeat, NEW_PASSWORD)
    qtbot.waitUntil(editor.save_button.isEnabled)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)

    email_message = _message_under(editor.email)
    assert editor.isVisible()
    assert email_message.isVisible()
    assert "already used by Alex Agent" in email_message.text()
    assert editor.name.text() == "Second Alex"
    assert editor.password.text() == NEW_PASSWORD
    editor.reject()


def test_edits_a_role_with_enter_on_the_row(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    page = _open_page(qtbot, office, admin)
    _select(page, "Alex Agent")
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    editor = _dialog(page, StaffEditor)
    assert editor.password is None  # no password on an edit: that is the reset's job
    assert editor.name.text() == "Alex Agent"
    assert editor.role.currentText() == "Counter agent"

    editor.role.setCurrentIndex(editor.role.findText("Administrator"))
    editor.name.clear()
    qtbot.keyClicks(editor.name, "Alex Senior")
    qtbot.waitUntil(editor.save_button.isEnabled)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: is_closed(editor))
    settle(qtbot)

    assert _role_shown(page, "Alex Senior") == "Administrator (admin)"
    stored = _staff(office, admin)["alex@office.example"]
    assert (stored.name, stored.role) == ("Alex Senior", Role.ADMIN)


def test_the_last_administrator_refusal_shows_under_the_role(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    page = _open_page(qtbot, office, admin)
    _select(page, "Ada Admin")
    page.edit_action.trigger()
    editor = _dialog(page, StaffEditor)
    editor.role.setCurrentIndex(editor.role.findText("Counter agent"))
    qtbot.waitUntil(editor.save_button.isEnabled)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)

    role_message = _message_under(editor.role)
    assert editor.isVisible()
    assert role_message.isVisible()
    assert role_message.text().startswith("This is the last administrator")
    assert editor.role.currentText() == "Counter agent"  # what was chosen stays chosen
    assert _staff(office, admin)["ada@office.example"].role is Role.ADMIN

    editor.role.setCurrentIndex(editor.role.findText("Administrator"))
    qtbot.waitUntil(lambda: is_closed(role_message))
    editor.reject()


def test_resets_a_password_and_the_member_signs_in_with_it(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    page = _open_page(qtbot, office, admin)
    _select(page, "Alex Agent")
    page.reset_action.trigger()
    dialog = _dialog(page, ResetPasswordDialog)
    qtbot.keyClicks(dialog.password, NEW_PASSWORD)
    qtbot.keyClicks(dialog.repeat, NEW_PASSWORD + "!")
    qtbot.wait(300)
    assert not dialog.save_button.isEnabled()
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.repeat, NEW_PASSWORD)
    qtbot.waitUntil(dialog.save_button.isEnabled)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: is_closed(dialog))
    settle(qtbot)

    assert office.auth.sign_in("alex@office.example", NEW_PASSWORD).id == agent.id
    with pytest.raises(AuthenticationFailed):
        office.auth.sign_in("alex@office.example", PASSWORD)

    # The list read the row again, so an edit right after the reset is not a conflict.
    assert _selected_name(page) == "Alex Agent"
    page.edit_action.trigger()
    editor = _dialog(page, StaffEditor)
    qtbot.keyClicks(editor.phone, "555 0100")
    qtbot.waitUntil(editor.save_button.isEnabled)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: is_closed(editor))
    settle(qtbot)
    assert _staff(office, admin)["alex@office.example"].phone == "555 0100"


def test_other_roles_may_not_list_staff(
    qtbot: QtBot, office: BackOffice, moderator: Actor, agent: Actor
) -> None:
    for actor in (moderator, agent):
        with pytest.raises(PermissionDenied):
            office.staff.page(actor, PersonFilter(), PageRequest(Sort("name")))
    page = StaffPage(make_session(office, moderator))
    qtbot.addWidget(page)
    assert not page.new_action.isVisible()
    page.show()
    page.start()
    settle(qtbot)
    assert page.model.rows() == []
    assert "may not manage staff accounts" in page.problem_label.text()
    assert page.model.index(0, 0).data(ROW_ROLE) is None
