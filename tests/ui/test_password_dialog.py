"""Changing one's own password, over a real database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.errors import AuthenticationFailed
from desktop.domain.permissions import Actor
from desktop.ui.dialogs.password import ChangePasswordDialog
from desktop.ui.widgets.forms import FieldMessage
from tests.services.conftest import PASSWORD
from tests.ui.conftest import is_closed, make_session, settle

NEW_PASSWORD = "a brand new passphrase"


def _message_under(editor: QWidget) -> FieldMessage:
    message = editor.parentWidget().findChild(FieldMessage)
    assert message is not None
    return message


def _type(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def _dialog(qtbot: QtBot, office: BackOffice, actor: Actor) -> ChangePasswordDialog:
    dialog = ChangePasswordDialog(make_session(office, actor))
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def test_a_wrong_current_password_is_said_inline_and_changes_nothing(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    dialog = _dialog(qtbot, office, agent)
    assert not dialog.save_button.isEnabled()
    _type(qtbot, dialog.current, "not my password")
    _type(qtbot, dialog.new_password, NEW_PASSWORD)
    _type(qtbot, dialog.repeat, NEW_PASSWORD)
    qtbot.waitUntil(dialog.save_button.isEnabled)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)

    message = _message_under(dialog.current)
    assert dialog.isVisible()
    assert message.isVisible()
    assert message.text() == "The current password is wrong. Nothing was changed."
    assert dialog.new_password.text() == NEW_PASSWORD  # what was typed stays
    assert not dialog.done_label.isVisible()
    assert office.auth.sign_in(agent.email, PASSWORD).id == agent.id
    with pytest.raises(AuthenticationFailed):
        office.auth.sign_in(agent.email, NEW_PASSWORD)

    _type(qtbot, dialog.current, PASSWORD)  # correcting the field clears its message
    qtbot.waitUntil(lambda: is_closed(message))


def test_the_right_current_password_changes_it(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    dialog = _dialog(qtbot, office, agent)
    changed: list[bool] = []
    dialog.changed.connect(lambda: changed.append(True))
    _type(qtbot, dialog.current, PASSWORD)
    _type(qtbot, dialog.new_password, NEW_PASSWORD)
    _type(qtbot, dialog.repeat, NEW_PASSWORD[:-1])
    qtbot.waitUntil(lambda: _message_under(dialog.repeat).isVisible())
    assert _message_under(dialog.repeat).text() == "The two new passwords differ."
    assert not dialog.save_button.isEnabled()

    _type(qtbot, dialog.repeat, NEW_PASSWORD)
    qtbot.waitUntil(dialog.save_button.isEnabled)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.done_label.isVisible)
    settle(qtbot)

    assert changed == [True]
    assert "Your password is changed" in dialog.done_label.text()
    assert not dialog.fields.isVisible()
    assert dialog.cancel_button.text() == "Close"
    assert office.auth.sign_in(agent.email, NEW_PASSWORD).id == agent.id
    with pytest.raises(AuthenticationFailed):
        office.auth.sign_in(agent.email, PASSWORD)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_the_new_password_follows_the_rule_before_anything_is_sent(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    dialog = _dialog(qtbot, office, agent)
    _type(qtbot, dialog.current, PASSWORD)
    _type(qtbot, dialog.new_password, agent.email)
    _type(qtbot, dialog.repeat, agent.email)
    message = _message_under(dialog.new_password)
    qtbot.waitUntil(message.isVisible)
    assert message.text() == "Password must not be the e-mail address."  # the domain's words
    _type(qtbot, dialog.new_password, "short")
    qtbot.waitUntil(lambda: message.text() == "Password must be at least 12 characters long.")
    assert not dialog.save_button.isEnabled()
