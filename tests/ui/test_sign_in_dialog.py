"""The sign-in dialog as a fast typist uses it: Enter right after the last key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.permissions import Actor
from desktop.ui.startup import SignInDialog
from tests.services.conftest import PASSWORD
from tests.ui.conftest import TEST_CONNECTION


def _dialog(qtbot: QtBot, office: BackOffice) -> SignInDialog:
    dialog = SignInDialog(office.auth.sign_in, TEST_CONNECTION)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_enter_right_after_typing_signs_in(qtbot: QtBot, office: BackOffice, admin: Actor) -> None:
    dialog = _dialog(qtbot, office)
    qtbot.keyClicks(dialog.email, admin.email)
    dialog.password.setFocus()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # no pause for the inline checks

    qtbot.waitUntil(lambda: dialog.actor is not None, timeout=10_000)
    assert dialog.actor is not None
    assert dialog.actor.id == admin.id


def test_enter_right_after_a_wrong_password_says_so(
    qtbot: QtBot, office: BackOffice, admin: Actor
) -> None:
    dialog = _dialog(qtbot, office)
    qtbot.keyClicks(dialog.email, admin.email)
    dialog.password.setFocus()
    qtbot.keyClicks(dialog.password, "not the password at all")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    qtbot.waitUntil(dialog.message.isVisible, timeout=10_000)
    assert dialog.message.text().startswith("Wrong e-mail or password")
    assert dialog.actor is None
